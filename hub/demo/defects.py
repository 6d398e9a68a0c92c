"""Plant the configured defects into a clean extract and record every one of them.

Each kind has an eligibility test (only values it can spoil: a lower-case ``x`` needs an ``X``)
and a transform. For a column and kind the engine spoils ``rate × rows`` eligible cells (rounded at random),
never the same cell twice, then copies rows for exact duplicates (right after the original, as
departments' exports do) and finally maps every defect to its row in the delivered file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hub.demo.config import DefectKind, ExtractDefects, K, expected_outcome
from hub.demo.ids import USCC_ALPHABET
from hub.demo.names import (
    DOT_VARIANTS,
    MIDDLE_DOT,
    homophone_pattern,
    homophone_typo,
    to_traditional,
    traditional_pattern,
)
from hub.demo.schema import Column, Extract
from hub.demo.util import FULLWIDTH

ALTERNATIVE_FORMATS = {
    "date": ("%Y/%-m/%-d", "%Y年%-m月%-d日", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d"),
    "excel_date": ("%Y/%-m/%-d", "%Y年%-m月%-d日", "%Y.%m.%d", "%Y%m%d"),
    "datetime": (
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y%m%d%H%M%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y/%-m/%-d %H:%M",
    ),
    "year_month": ("%Y%m", "%Y/%m", "%Y年%-m月", "%Y.%m"),
}
_IMPOSSIBLE_DAYS = (
    ("02", "30"),
    ("02", "31"),
    ("04", "31"),
    ("06", "31"),
    ("09", "31"),
    ("11", "31"),
    ("02", "29"),
)


@dataclass
class Planted:
    frame: pd.DataFrame  # the delivered rows, duplicates included, in file order
    source: np.ndarray  # for each delivered row, the clean row it came from
    defects: pd.DataFrame  # row (0-based delivered position), field, kind, outcome
    truncated: bool = False


def plant(
    frame: pd.DataFrame,
    extract: Extract,
    cfg: ExtractDefects,
    rng: np.random.Generator,
    columns: list[str] | None = None,
    duplicates: bool = True,
) -> Planted:
    """Spoil ``frame`` (clean text values) as configured; ``columns`` limits the columns treated."""
    frame = frame.copy(deep=False)  # columns are replaced, never written into
    n = len(frame)
    records: list[tuple[np.ndarray, str, DefectKind]] = []
    for name in columns or extract.column_names:
        rates = cfg.columns.get(name)
        if not rates or name not in frame:
            continue
        column = extract.column(name)
        values = frame[name].to_numpy(dtype=object).copy()
        text = _s(values)  # eligibility only matters for cells still free: computed once
        free = np.ones(n, bool)
        for kind, rate in rates.items():
            k = _count(rate * n, rng)
            if k == 0:
                continue
            ok = free & _eligible(kind, column, text, frame)
            pool = np.flatnonzero(ok)
            rows = (
                np.sort(rng.choice(pool, size=min(k, len(pool)), replace=False))
                if len(pool)
                else pool
            )
            if not len(rows):
                continue
            values[rows] = _apply(kind, column, values[rows], frame.iloc[rows], rng)
            free[rows] = False
            records.append((rows, name, kind))
        frame[name] = pd.Series(
            values, index=frame.index, dtype=object
        )  # not Arrow: see util.table
    source = np.arange(n)
    if duplicates and cfg.duplicate_row and n:
        k = min(_count(cfg.duplicate_row * n, rng), n)
        copies = np.sort(rng.choice(n, size=k, replace=False)) if k else np.empty(0, np.int64)
        source = np.sort(np.concatenate([source, copies]), kind="stable")
    position = np.arange(len(source))
    first = np.ones(len(source), bool)
    first[1:] = source[1:] != source[:-1]
    out = []
    for rows, name, kind in records:
        hit = np.isin(source, rows)
        out.append(
            pd.DataFrame(
                {
                    "row": position[hit],
                    "field": name,
                    "kind": str(kind),
                    "outcome": expected_outcome(kind, extract.column(name)),
                }
            )
        )
    dup = position[~first]
    out.append(
        pd.DataFrame(
            {"row": dup, "field": "", "kind": str(K.EXACT_DUPLICATE), "outcome": "quarantine"}
        )
    )
    delivered = frame.iloc[source].reset_index(drop=True)
    truncated = cfg.truncate_last_row and len(delivered) > 1
    if truncated:
        out.append(
            pd.DataFrame(
                {
                    "row": [len(delivered) - 1],
                    "field": "",
                    "kind": str(K.TRUNCATED_ROW),
                    "outcome": "quarantine",
                }
            )
        )
    defects = pd.concat(out, ignore_index=True)
    if truncated:  # what was cut off is gone, defects included; a cut copy is no copy any more
        last = defects.row == len(delivered) - 1
        kept = set(extract.column_names[: extract.fields_kept_when_truncated])
        gone = last & (
            (defects.kind == str(K.EXACT_DUPLICATE))
            | (defects.field != "") & ~defects.field.isin(kept)
        )
        defects = defects[~gone]
    defects = defects.sort_values(["row", "field"], kind="stable").reset_index(drop=True)
    return Planted(delivered, source, defects, truncated)


def _count(expected: float, rng: np.random.Generator) -> int:
    """``expected`` rounded up or down at random (by its fraction): exact on average, so that
    small extracts get their share of rare defects too, and never more than one off."""
    whole = int(expected)
    return whole + int(rng.random() < expected - whole)


def _s(values: np.ndarray) -> pd.Series:
    """Values as an Arrow string series: its regular expressions run in C."""
    return pd.Series(values, dtype="str").fillna("")


def _eligible(kind: DefectKind, column: Column, s: pd.Series, frame: pd.DataFrame) -> np.ndarray:
    filled = (s != "").to_numpy()
    if kind == K.INNER_SPACE:
        if column.kind in ("citizen_id", "party_id"):
            return s.str.fullmatch(r"\d{17}[\dX]").to_numpy()
        return (s.str.len() >= 2).to_numpy() & ~s.str.contains(MIDDLE_DOT, regex=False).to_numpy()
    if kind in (K.FULLWIDTH_CHARS,):
        return s.str.contains(r"[0-9A-Za-z]").to_numpy()
    if kind == K.LOWERCASE_X:
        return s.str.endswith("X").to_numpy()
    if kind in (K.WRONG_CHECK_CHAR, K.ID_DIGIT_TYPO):
        if column.kind in ("credit_code", "employer_code"):
            return s.str.fullmatch(f"[{USCC_ALPHABET}]{{18}}").to_numpy()
        return s.str.fullmatch(r"\d{17}[\dX]").to_numpy()
    if kind == K.LEGACY_ID_15:
        return s.str.fullmatch(r"\d{6}19\d{9}[\dX]").to_numpy()
    if kind == K.TRADITIONAL_CHARS:
        return s.str.contains(traditional_pattern()).to_numpy()
    if kind == K.HOMOPHONE_TYPO:
        return s.str.slice(1).str.contains(homophone_pattern()).to_numpy()
    if kind == K.MIDDLE_DOT_VARIANT:
        return s.str.contains(MIDDLE_DOT, regex=False).to_numpy()
    if kind == K.WRONG_SEX:
        return s.isin(["1", "2", "男", "女"]).to_numpy()
    if kind in (K.PHONE_COUNTRY_CODE, K.PHONE_SEPARATORS):
        return s.str.fullmatch(r"\d{11}").to_numpy()
    if kind == K.AMOUNT_WITH_UNIT:
        return s.str.fullmatch(r"\d+(\.\d+)?").to_numpy()
    if kind == K.LEGACY_ORG_ID:
        return (frame["_org_code"].to_numpy() != "") & filled
    if kind == K.ORG_NAME_VARIANT:
        return (
            s.str.contains("有限公司|有限责任公司").to_numpy()
            & ~s.str.contains("股份有限公司").to_numpy()
        )
    if kind == K.DATE_FORMAT_VARIANT:
        return filled & ~s.str.contains("[年/.]").to_numpy()
    return filled


def _apply(
    kind: DefectKind,
    column: Column,
    values: np.ndarray,
    rows: pd.DataFrame,
    rng: np.random.Generator,
) -> list:
    values = [str(v) for v in values]
    if kind == K.SURROUNDING_SPACE:
        pads = ((" ", ""), ("", " "), (" ", " "), ("", "  "))
        return [
            a + v + b
            for v, (a, b) in zip(
                values, [pads[i] for i in rng.integers(0, 4, len(values))], strict=True
            )
        ]
    if kind == K.INNER_SPACE:
        if column.kind in ("citizen_id", "party_id"):
            return [f"{v[:6]} {v[6:14]} {v[14:]}" for v in values]
        if column.kind == "org_name":
            return [
                re.sub("(有限|股份|经营部|中心|专业合作社|店|馆)", r" \1", v, count=1)
                for v in values
            ]
        return [v[:1] + " " + v[1:] for v in values]
    if kind == K.FULLWIDTH_CHARS:
        return [v.translate(FULLWIDTH) for v in values]
    if kind == K.LOWERCASE_X:
        return [v[:-1] + "x" for v in values]
    if kind == K.WRONG_CHECK_CHAR:
        alphabet = (
            USCC_ALPHABET if column.kind in ("credit_code", "employer_code") else "0123456789X"
        )
        return [v[:-1] + _other(v[-1], alphabet, rng) for v in values]
    if kind == K.ID_DIGIT_TYPO:
        org = column.kind in ("credit_code", "employer_code")
        out = []
        for v in values:
            i = int(rng.integers(2 if org else 0, 17))
            out.append(
                v[:i]
                + _other(v[i], USCC_ALPHABET if org and i >= 8 else "0123456789", rng)
                + v[i + 1 :]
            )
        return out
    if kind == K.LEGACY_ID_15:
        return [v[:6] + v[8:17] for v in values]
    if kind in (K.MISSING_REQUIRED, K.MISSING_VALUE):
        return [""] * len(values)
    if kind == K.TRADITIONAL_CHARS:
        return [to_traditional(v) for v in values]
    if kind == K.HOMOPHONE_TYPO:
        return [homophone_typo(v, rng) for v in values]
    if kind == K.MIDDLE_DOT_VARIANT:
        return [
            v.replace(MIDDLE_DOT, DOT_VARIANTS[rng.integers(0, len(DOT_VARIANTS))]) for v in values
        ]
    if kind == K.DATE_FORMAT_VARIANT:
        return _reformat(values, column, rng)
    if kind == K.IMPOSSIBLE_DATE:
        return [_impossible(v, column, rng) for v in values]
    if kind == K.WRONG_SEX:
        return [{"1": "2", "2": "1", "男": "女", "女": "男"}[v] for v in values]
    if kind == K.AMOUNT_WITH_UNIT:
        return [v + "元" for v in values]
    if kind == K.PHONE_COUNTRY_CODE:
        return ["+86 " + v for v in values]
    if kind == K.PHONE_SEPARATORS:
        seps = rng.choice(["-", " "], len(values))
        return [f"{v[:3]}{s}{v[3:7]}{s}{v[7:]}" for v, s in zip(values, seps, strict=True)]
    if kind == K.LEGACY_ORG_ID:
        org, reg = rows["_org_code"].to_numpy(), rows["_reg_no"].to_numpy()
        use_reg = (reg != "") & (rng.random(len(values)) < 0.5)
        return [r if u else f"{o[:8]}-{o[8]}" for o, r, u in zip(org, reg, use_reg, strict=True)]
    if kind == K.ORG_NAME_VARIANT:
        return [
            v.replace("有限责任公司", "有限公司")
            if "有限责任公司" in v
            else v.replace("有限公司", "有限责任公司")
            for v in values
        ]
    raise ValueError(f"no transform for {kind}")


def _other(char: str, alphabet: str, rng: np.random.Generator) -> str:
    choices = [c for c in alphabet if c != char]
    return choices[rng.integers(0, len(choices))]


def _reformat(values: list[str], column: Column, rng: np.random.Generator) -> list[str]:
    options = [f for f in ALTERNATIVE_FORMATS[column.kind] if f != column.fmt]
    # A value pandas cannot hold as a timestamp (before 1677, after 2262, already broken by
    # another defect) is left as it is rather than failing a million-person city.
    stamps = pd.to_datetime(pd.Series(values), format=column.fmt or "%Y-%m-%d", errors="coerce")
    return [
        value if pd.isna(stamp) else format_stamp(stamp, fmt)
        for value, stamp, fmt in zip(values, stamps, rng.choice(options, len(values)), strict=True)
    ]


_TOKEN = re.compile(r"%-?[YmdHMS]")


def format_stamp(stamp, fmt: str) -> str:
    """strftime with ``%-m``/``%-d`` (unpadded month/day) on every platform."""
    parts = {"%Y": f"{stamp.year:04d}", "%m": f"{stamp.month:02d}", "%d": f"{stamp.day:02d}",
             "%-m": str(stamp.month), "%-d": str(stamp.day), "%H": f"{stamp.hour:02d}",
             "%M": f"{stamp.minute:02d}", "%S": f"{stamp.second:02d}"}  # fmt: skip
    return _TOKEN.sub(lambda m: parts[m.group()], fmt)


def _impossible(value: str, column: Column, rng: np.random.Generator) -> str:
    """A date in the column's own format that cannot exist (2023-02-30, month 13)."""
    digits = re.sub(r"\D", "", value)
    year = int(digits[:4]) if len(digits) >= 4 else 2020
    if year % 4 == 0:
        year += 1  # keep 02-29 impossible
    fmt = column.fmt or "%Y-%m-%d"
    if column.kind == "year_month":
        month, day = "13", "01"
    else:
        month, day = _IMPOSSIBLE_DAYS[rng.integers(0, len(_IMPOSSIBLE_DAYS))]
    return (
        fmt.replace("%Y", f"{year:04d}")
        .replace("%m", month)
        .replace("%d", day)
        .replace("%H", "10")
        .replace("%M", "30")
        .replace("%S", "00")
    )
