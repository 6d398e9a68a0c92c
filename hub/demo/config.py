"""The declared defect rates (``defects.yaml``), validated: which defects are planted in which
column of which extract, how often, and what the hub's data contracts must do with each.

Rates are data, not code, so a quality scorecard can be checked against what was planted, and
departments can be made dirtier or cleaner without touching the generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from hub.demo.anomalies import KINDS as ANOMALY_KINDS
from hub.demo.schema import EXTRACTS, Column

DEFAULT_CONFIG = Path(__file__).with_name("defects.yaml")


class DefectKind(StrEnum):
    """The closed vocabulary of planted defects (``truth/defects.csv`` column ``kind``)."""

    SURROUNDING_SPACE = "surrounding_space"  # ' 张涛', '420500…5556 '
    INNER_SPACE = "inner_space"  # '叶 华丽', '420502 20130910 5521'
    FULLWIDTH_CHARS = "fullwidth_chars"  # '４２０５…', '１８６５１３７６６２１'
    LOWERCASE_X = "lowercase_x"  # '…90x'
    WRONG_CHECK_CHAR = "wrong_check_char"  # last character of an ID / credit code wrong
    ID_DIGIT_TYPO = "id_digit_typo"  # one character of the body mistyped (check then fails)
    LEGACY_ID_15 = "legacy_id_15"  # the pre-1999 15-digit citizen ID
    MISSING_REQUIRED = "missing_required"  # a field the contract requires is empty
    MISSING_VALUE = "missing_value"  # an optional but expected field is empty
    TRADITIONAL_CHARS = "traditional_chars"  # 劉, 趙, 萬, 夢 …
    HOMOPHONE_TYPO = "homophone_typo"  # 张伟 → 张玮
    MIDDLE_DOT_VARIANT = "middle_dot_variant"  # 热依拉•努尔兰, 热依拉．努尔兰
    DATE_FORMAT_VARIANT = (
        "date_format_variant"  # 2006.07.01, 20250517, 2012年3月17日 where one format is declared
    )
    IMPOSSIBLE_DATE = "impossible_date"  # 20230230, 1981-13
    WRONG_SEX = "wrong_sex"  # contradicts the police register (and the ID's parity)
    AMOUNT_WITH_UNIT = "amount_with_unit"  # '750元'
    PHONE_COUNTRY_CODE = "phone_country_code"  # '+86 15742252743'
    PHONE_SEPARATORS = "phone_separators"  # '157-4257-9403', '191 3096 6661'
    LEGACY_ORG_ID = (
        "legacy_org_id"  # employer given by 注册号 or 组织机构代码 instead of credit code
    )
    ORG_NAME_VARIANT = "org_name_variant"  # 有限公司 ↔ 有限责任公司
    EXACT_DUPLICATE = "exact_duplicate"  # a copy of the previous row (field '')
    TRUNCATED_ROW = "truncated_row"  # the file ends in the middle of its last row (field '')


K = DefectKind
_ID = {K.SURROUNDING_SPACE, K.INNER_SPACE, K.FULLWIDTH_CHARS, K.LOWERCASE_X, K.WRONG_CHECK_CHAR,
       K.ID_DIGIT_TYPO, K.LEGACY_ID_15, K.MISSING_VALUE, K.MISSING_REQUIRED}  # fmt: skip
_DATE = {K.DATE_FORMAT_VARIANT, K.IMPOSSIBLE_DATE, K.MISSING_REQUIRED, K.MISSING_VALUE}
APPLICABLE: dict[str, set[DefectKind]] = {
    "citizen_id": _ID,
    "party_id": _ID,
    "credit_code": {K.SURROUNDING_SPACE, K.FULLWIDTH_CHARS, K.WRONG_CHECK_CHAR, K.ID_DIGIT_TYPO},
    "employer_code": {K.SURROUNDING_SPACE, K.WRONG_CHECK_CHAR, K.ID_DIGIT_TYPO, K.LEGACY_ORG_ID},
    "person_name": {K.SURROUNDING_SPACE, K.INNER_SPACE, K.TRADITIONAL_CHARS, K.HOMOPHONE_TYPO,
                    K.MIDDLE_DOT_VARIANT, K.MISSING_REQUIRED, K.MISSING_VALUE},
    "org_name": {K.SURROUNDING_SPACE, K.INNER_SPACE, K.TRADITIONAL_CHARS, K.ORG_NAME_VARIANT, K.MISSING_REQUIRED},
    "date": _DATE, "datetime": _DATE, "year_month": _DATE, "excel_date": _DATE,
    "sex_code": {K.WRONG_SEX}, "sex_text": {K.WRONG_SEX},
    "phone": {K.PHONE_COUNTRY_CODE, K.PHONE_SEPARATORS, K.FULLWIDTH_CHARS, K.SURROUNDING_SPACE, K.MISSING_VALUE},
    "address": {K.FULLWIDTH_CHARS, K.SURROUNDING_SPACE, K.MISSING_VALUE},
    "amount": {K.AMOUNT_WITH_UNIT},
    "address_code": {K.MISSING_REQUIRED, K.MISSING_VALUE},
    "unit_number": {K.MISSING_REQUIRED},
    "decimal": {K.MISSING_VALUE},
}  # fmt: skip
ALWAYS_QUARANTINED = {K.MISSING_REQUIRED, K.IMPOSSIBLE_DATE, K.EXACT_DUPLICATE, K.TRUNCATED_ROW}
QUARANTINED_IN_KEY = {K.WRONG_CHECK_CHAR, K.ID_DIGIT_TYPO}


def expected_outcome(kind: DefectKind, column: Column | None) -> str:
    """What a data contract must do with a row carrying this defect: ``quarantine`` (missing
    required value, impossible date, exact duplicate, truncated row, invalid key) or ``flag``."""
    if kind in ALWAYS_QUARANTINED or (
        column is not None and column.key and kind in QUARANTINED_IN_KEY
    ):
        return "quarantine"
    return "flag"


class DefectConfigError(ValueError):
    """defects.yaml names an unknown extract, column or kind, or a rate out of range."""


@dataclass(frozen=True)
class ExtractDefects:
    duplicate_row: float = 0.0
    truncate_last_row: bool = False
    columns: dict[str, dict[DefectKind, float]] = field(default_factory=dict)
    address_style: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DefectConfig:
    extracts: dict[str, ExtractDefects]
    address_style: dict[str, float]
    anomalies_per_100k: dict[str, float]
    anomalies_minimum: int

    def for_extract(self, name: str) -> ExtractDefects:
        return self.extracts.get(name, ExtractDefects())

    def style(self, name: str) -> dict[str, float]:
        return {**self.address_style, **self.for_extract(name).address_style}

    def anomaly_counts(self, persons: int) -> dict[str, int]:
        return {
            k: max(self.anomalies_minimum, round(v * persons / 100_000))
            for k, v in self.anomalies_per_100k.items()
        }


STYLE_KEYS = {"no_province", "county_only", "short_form", "chinese_numerals", "traditional_hao"}


def _rate(value, where: str, top: float = 0.5) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= top:
        raise DefectConfigError(f"{where}: rate must be a number in [0, {top}], got {value!r}")
    return float(value)


def _style(raw, where: str) -> dict[str, float]:
    raw = raw or {}
    unknown = set(raw) - STYLE_KEYS
    if unknown:
        raise DefectConfigError(
            f"{where}: unknown address styles {sorted(unknown)} (known: {sorted(STYLE_KEYS)})"
        )
    return {k: _rate(v, f"{where}.{k}", 1.0) for k, v in raw.items()}


def load_config(path: Path | None = None) -> DefectConfig:
    """Read and validate a defect configuration (default: the packaged ``defects.yaml``)."""
    path = path or DEFAULT_CONFIG
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(raw) - {"version", "address_style", "anomalies", "extracts"}
    if unknown:
        raise DefectConfigError(f"{path}: unknown top-level keys {sorted(unknown)}")
    extracts = {}
    for name, spec in (raw.get("extracts") or {}).items():
        if name not in EXTRACTS:
            raise DefectConfigError(f"{path}: unknown extract {name!r}")
        extracts[name] = _extract(name, spec or {}, f"{path}: {name}")
    anomalies = raw.get("anomalies") or {}
    per = anomalies.get("per_100k") or {}
    bad = set(per) - set(ANOMALY_KINDS)
    if bad:
        raise DefectConfigError(f"{path}: unknown anomaly kinds {sorted(bad)}")
    minimum = anomalies.get("minimum", 0)
    if not isinstance(minimum, int) or minimum < 0:
        raise DefectConfigError(f"{path}: anomalies.minimum must be a non-negative integer")
    return DefectConfig(
        extracts=extracts,
        address_style=_style(raw.get("address_style"), f"{path}: address_style"),
        anomalies_per_100k={k: _rate(v, f"{path}: anomalies.{k}", 10_000) for k, v in per.items()},
        anomalies_minimum=minimum,
    )


def _extract(name: str, spec: dict, where: str) -> ExtractDefects:
    unknown = set(spec) - {"duplicate_row", "truncate_last_row", "columns", "address_style"}
    if unknown:
        raise DefectConfigError(f"{where}: unknown keys {sorted(unknown)}")
    extract = EXTRACTS[name]
    columns: dict[str, dict[DefectKind, float]] = {}
    for col_name, kinds in (spec.get("columns") or {}).items():
        if col_name not in extract.column_names:
            raise DefectConfigError(
                f"{where}: unknown column {col_name!r} (columns: {extract.column_names})"
            )
        column = extract.column(col_name)
        rates: dict[DefectKind, float] = {}
        for kind_name, rate in (kinds or {}).items():
            try:
                kind = DefectKind(kind_name)
            except ValueError:
                raise DefectConfigError(
                    f"{where}.{col_name}: unknown defect kind {kind_name!r}"
                ) from None
            if kind not in APPLICABLE.get(column.kind, set()):
                raise DefectConfigError(
                    f"{where}.{col_name}: {kind} does not apply to a {column.kind} column"
                )
            if kind == K.MISSING_REQUIRED and not column.required:
                raise DefectConfigError(f"{where}.{col_name}: not required, use missing_value")
            if kind == K.MISSING_VALUE and column.required:
                raise DefectConfigError(f"{where}.{col_name}: required, use missing_required")
            if kind == K.DATE_FORMAT_VARIANT and not column.fmt:
                raise DefectConfigError(
                    f"{where}.{col_name}: its formats vary by design; no variant to plant"
                )
            rates[kind] = _rate(rate, f"{where}.{col_name}.{kind}", 0.2)
        if sum(rates.values()) > 0.5:
            raise DefectConfigError(f"{where}.{col_name}: rates add up to more than 0.5")
        columns[col_name] = rates
    truncate = spec.get("truncate_last_row", False)
    if not isinstance(truncate, bool) or (truncate and extract.fmt != "csv"):
        raise DefectConfigError(f"{where}: truncate_last_row must be a boolean, only for csv")
    return ExtractDefects(
        duplicate_row=_rate(spec.get("duplicate_row", 0.0), f"{where}.duplicate_row", 0.1),
        truncate_last_row=truncate,
        columns=columns,
        address_style=_style(spec.get("address_style"), f"{where}.address_style"),
    )
