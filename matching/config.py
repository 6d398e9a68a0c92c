"""Linkage settings as data: the YAML a steward reads, validated on load (pydantic, extra=forbid).

A settings file declares, per kind of record, how candidate pairs are found (blocking rules),
how each pair is compared (comparisons made of ordered levels), how the Fellegi–Sunter weights
are trained (u from random pairs, m by EM within training blocks), the two thresholds (link
above the upper, review between, apart below) and the cannot-link columns (two different valid
citizen IDs or credit codes are never one subject). A new kind of record is a new file, no code.
A typo is an error naming the file and the key, raised at load time, not a KeyError mid-run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SETTINGS_DIR = Path(__file__).parent / "settings"

# rapidfuzz scorers by name: similarities rise with likeness (use ``at_least``),
# distances fall (use ``at_most``). ``comparisons.SCORERS`` maps them to functions.
SIMILARITY_SCORERS = (
    "jaro_winkler",
    "jaro",
    "ratio",
    "partial_ratio",
    "token_sort_ratio",
    "token_set_ratio",
    "wratio",
)
DISTANCE_SCORERS = ("levenshtein", "damerau_levenshtein", "hamming", "osa", "lcs_distance")
ScorerName = Literal[
    "jaro_winkler",
    "jaro",
    "ratio",
    "partial_ratio",
    "token_sort_ratio",
    "token_set_ratio",
    "wratio",
    "levenshtein",
    "damerau_levenshtein",
    "hamming",
    "osa",
    "lcs_distance",
]
Transform = Literal["lower", "soundex", "first", "last", "digits", "pinyin", "sorted_tokens"]


class SettingsError(ValueError):
    """A linkage settings file that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DerivedKey(_Strict):
    """A column computed from another one before blocking and comparing (e.g. soundex(surname))."""

    name: str
    column: str
    transform: Transform
    length: int | None = Field(default=None, ge=1, description="for first / last")

    @model_validator(mode="after")
    def _length_when_needed(self) -> DerivedKey:
        if self.transform in ("first", "last") and self.length is None:
            raise ValueError(f"transform {self.transform!r} needs a length")
        return self


class BlockingRule(_Strict):
    """Records pair up when all ``columns`` are equal and non-null.

    ``against`` compares the left record's ``columns`` with the right record's ``against``
    columns (same length), e.g. given name and surname swapped. (The key is not ``on``: YAML
    reads a bare ``on`` as the boolean true.)
    """

    columns: list[str] = Field(min_length=1)
    against: list[str] | None = None

    @model_validator(mode="after")
    def _same_length(self) -> BlockingRule:
        if self.against is not None and len(self.against) != len(self.columns):
            raise ValueError("'against' must list as many columns as 'columns'")
        return self

    @property
    def label(self) -> str:
        left = "+".join(self.columns)
        return left if self.against is None else f"{left}~{'+'.join(self.against)}"

    @property
    def all_columns(self) -> set[str]:
        return set(self.columns) | set(self.against or ())


class Level(_Strict):
    """One level of a comparison; the first level (top to bottom) a pair satisfies is its level.

    Exactly one test: ``exact``; ``scorer`` with ``at_least`` (similarity) or ``at_most``
    (distance); ``within_days``; ``same_year_month``; ``transposed_day_month``; ``within``
    (numeric, absolute); ``exact_with`` (equal to another column of the other record).
    """

    label: str | None = None
    exact: bool = False
    scorer: ScorerName | None = None
    at_least: float | None = None
    at_most: float | None = None
    within_days: int | None = Field(default=None, ge=0)
    same_year_month: bool = False
    transposed_day_month: bool = False
    within: float | None = Field(default=None, ge=0)
    exact_with: str | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Level:
        tests = [
            self.exact,
            self.scorer is not None,
            self.within_days is not None,
            self.same_year_month,
            self.transposed_day_month,
            self.within is not None,
            self.exact_with is not None,
        ]
        if sum(tests) != 1:
            raise ValueError("a level needs exactly one test")
        if self.scorer is not None:
            if self.scorer in SIMILARITY_SCORERS and (self.at_least is None or self.at_most):
                raise ValueError(f"similarity scorer {self.scorer!r} takes 'at_least'")
            if self.scorer in DISTANCE_SCORERS and (self.at_most is None or self.at_least):
                raise ValueError(f"distance scorer {self.scorer!r} takes 'at_most'")
        elif self.at_least is not None or self.at_most is not None:
            raise ValueError("'at_least' / 'at_most' need a 'scorer'")
        return self

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        if self.scorer is not None:
            bound = f">={self.at_least}" if self.at_least is not None else f"<={self.at_most}"
            return f"{self.scorer}{bound}"
        for key in ("within_days", "within", "exact_with"):
            if getattr(self, key) is not None:
                return f"{key} {getattr(self, key)}"
        return next(
            k for k in ("exact", "same_year_month", "transposed_day_month") if getattr(self, k)
        )


class Comparison(_Strict):
    """How one field (or derived key) is compared: ordered levels, then 'else', and 'null'."""

    name: str
    column: str
    kind: Literal["string", "date", "numeric"] = "string"
    date_format: str = "%Y%m%d"
    processor: Literal["none", "default"] = Field(
        default="none", description="rapidfuzz default_process (lowercase, strip punctuation)"
    )
    term_frequency: bool = Field(
        default=False,
        description="exact agreement on a rare value weighs more than on a common one",
    )
    levels: list[Level] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_fit_kind(self) -> Comparison:
        for level in self.levels:
            if (
                level.within_days is not None or level.same_year_month or level.transposed_day_month
            ) and (self.kind != "date"):
                raise ValueError(f"level {level.name!r} needs kind: date")
            if level.within is not None and self.kind != "numeric":
                raise ValueError(f"level {level.name!r} needs kind: numeric")
        return self

    @property
    def all_columns(self) -> set[str]:
        return {self.column} | {lv.exact_with for lv in self.levels if lv.exact_with}


class Training(_Strict):
    """How m and u are estimated: u from random pairs, m by EM within each training block."""

    u_sample_pairs: int = Field(default=300_000, ge=1_000)
    em_blocking_rules: list[BlockingRule] = Field(min_length=1)
    max_iterations: int = Field(default=25, ge=1)
    tolerance: float = Field(default=1e-4, gt=0)
    seed: int = 0


class Prior(_Strict):
    """The probability that two random records match: given, or estimated from strict rules."""

    probability_two_random_records_match: float | None = Field(default=None, gt=0, lt=1)
    deterministic_rules: list[BlockingRule] = Field(default_factory=list)
    recall: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _known_or_estimable(self) -> Prior:
        if self.probability_two_random_records_match is None and not self.deterministic_rules:
            raise ValueError("give probability_two_random_records_match or deterministic_rules")
        return self


class Thresholds(_Strict):
    """Link at or above ``upper``, review between, apart below ``lower``."""

    scale: Literal["probability", "weight"] = "probability"
    upper: float
    lower: float

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.lower > self.upper:
            raise ValueError("lower must not exceed upper")
        if self.scale == "probability" and not (0 <= self.lower <= self.upper <= 1):
            raise ValueError("probability thresholds lie between 0 and 1")
        return self


class LinkageSettings(_Strict):
    """One subject's linkage, end to end."""

    name: str
    description: str = ""
    link_type: Literal["dedupe", "link_only", "link_and_dedupe"]
    unique_id: str = "unique_id"
    source_column: str = "source"
    derived: list[DerivedKey] = Field(default_factory=list)
    blocking_rules: list[BlockingRule] = Field(min_length=1)
    comparisons: list[Comparison] = Field(min_length=1)
    training: Training
    prior: Prior
    thresholds: Thresholds
    cannot_link: list[str] = Field(
        default_factory=list,
        description="columns whose two different non-null values forbid a merge (valid IDs only)",
    )

    @model_validator(mode="after")
    def _names_unique(self) -> LinkageSettings:
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ValueError("comparison names must be unique")
        return self


def load_settings(path: str | Path) -> LinkageSettings:
    """Read and validate a settings file; a bare name means ``matching/settings/<name>.yaml``."""
    path = Path(path)
    if not path.suffix and not path.exists():
        path = SETTINGS_DIR / f"{path}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
    return parse_settings(raw, source=str(path))


def parse_settings(raw: object, source: str = "<settings>") -> LinkageSettings:
    """Validate already-parsed settings; errors read ``<file>: <key.path>: <problem>``."""
    if not isinstance(raw, dict):
        raise SettingsError(f"{source}: the settings must be a mapping")
    try:
        return LinkageSettings.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            problems.append(f"{source}: {key}: {error['msg']}")
        raise SettingsError("\n".join(problems)) from None
