"""Code tables (GB/T 2261.1 sex, GB 3304 ethnicity, GB/T 4761 family relation, GB/T 2260
counties, person status): data files in ``codes/``, not dicts in code.

A table is ``codes/<name>.csv`` with the columns ``code,label[,aliases]`` (aliases separated by
``|``) and optionally more (``county.csv`` has ``in_yichang``); lines starting with ``#`` say
where the table comes from. Departments write either the code (``1``, ``01``) or the label
(``男``, ``汉族``, ``汉``), sometimes with a lost leading zero (``1`` for ``01``, when a
spreadsheet took the code for a number): ``lookup`` maps all of them to the canonical code.
A value that is neither is unknown — never the closest code.

>>> lookup('sex', '男'), lookup('ethnicity', '汉'), lookup('ethnicity', '1')
('1', '01', '01')
>>> lookup('ethnicity', 'TJ'), lookup('ethnicity', 'mg'), lookup('ethnicity', 'Tujia')
('15', '02', '15')
>>> lookup('family_relation', '户主'), lookup('family_relation', '租户') is None
('02', True)
>>> lookup('county', '西陵区'), label('county', '420528')
('420502', '长阳土家族自治县')
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hub.standardize.names import to_simplified
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean

CODES_DIR = Path(__file__).resolve().parent / "codes"


@dataclass(frozen=True)
class CodeTable:
    """One code table: its codes with labels, every accepted spelling, any further columns."""

    name: str
    labels: dict[str, str]  # code -> label
    keys: dict[str, str]  # code, label or alias (normalized) -> code
    width: int | None  # the common length of its codes, when they are all digits of one length
    columns: dict[str, dict[str, str]]  # further column -> code -> value

    def lookup(self, value: str | None) -> str | None:
        """The canonical code for a code, label or alias; ``None`` if unknown or empty."""
        key = _key(value)
        if key is None:
            return None
        code = self.keys.get(key)
        if code is None and self.width and key.isascii() and key.isdigit():
            if len(key) < self.width:
                code = self.keys.get(key.zfill(self.width))
            elif len(key) > self.width and key[: len(key) - self.width] == "0" * (
                len(key) - self.width
            ):
                code = self.keys.get(key[-self.width :])
        return code


def _key(value: str | None) -> str | None:
    """Cleaned, simplified, Latin letters upper-cased (GB 3304's ``HA`` is written ``ha`` too)."""
    text = clean(value)
    return None if text is None else to_simplified(text).upper()


def _load(path: Path) -> CodeTable:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    if not rows or "code" not in rows[0] or "label" not in rows[0]:
        raise ValueError(f"{path}: a code table needs the columns code,label[,aliases]")
    labels: dict[str, str] = {}
    keys: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {
        c: {} for c in rows[0] if c not in ("code", "label", "aliases")
    }
    for row in rows:
        code = row["code"].strip()
        labels[code] = row["label"].strip()
        spellings = [code, row["label"], *(row.get("aliases") or "").split("|")]
        for spelling in spellings:
            key = _key(spelling)
            if key is None:
                continue
            if keys.get(key, code) != code:
                raise ValueError(f"{path}: {spelling!r} names both {keys[key]} and {code}")
            keys[key] = code
        for column in columns:
            columns[column][code] = (row.get(column) or "").strip()
    widths = {len(c) for c in labels}
    numeric = all(c.isdigit() for c in labels)
    return CodeTable(
        path.stem, labels, keys, widths.pop() if len(widths) == 1 and numeric else None, columns
    )


@cache
def table(name: str) -> CodeTable:
    """The code table ``codes/<name>.csv`` (``ValueError`` naming the known ones if absent)."""
    path = CODES_DIR / f"{name}.csv"
    if not path.is_file():
        raise ValueError(f"unknown code table {name!r}; known: {', '.join(table_names())}")
    return _load(path)


def table_names() -> list[str]:
    """The names of all code tables.

    >>> table_names()
    ['county', 'ethnicity', 'family_relation', 'person_status', 'sex']
    """
    return sorted(p.stem for p in CODES_DIR.glob("*.csv"))


def lookup(table_name: str, value: str | None) -> str | None:
    """The canonical code of ``value`` in the table, or ``None``."""
    return table(table_name).lookup(value)


def label(table_name: str, code: str) -> str | None:
    """The label of a canonical code."""
    return table(table_name).labels.get(code)


def yichang_counties() -> dict[str, str]:
    """The 13 counties and districts of 宜昌市: code → name.

    >>> len(yichang_counties()), yichang_counties()['420505']
    (13, '猇亭区')
    """
    county = table("county")
    return {c: county.labels[c] for c, flag in county.columns["in_yichang"].items() if flag == "1"}


def standardize_code(value: str | None, table_name: str) -> Outcome:
    """The registry's rule for a coded value: the canonical code or ``unknown_code``.

    >>> standardize_code(' 女 ', 'sex')
    Outcome(value='2', error=None, warning=None, extra=mappingproxy({}))
    >>> standardize_code('租户', 'family_relation').error
    'unknown_code'
    """
    if clean(value) is None:
        return Outcome()
    code = lookup(table_name, value)
    return Outcome(code) if code is not None else Outcome(None, "unknown_code")


def standardize_enum(value: str | None, allowed: Sequence[str]) -> Outcome:
    """The registry's rule for a closed list of values: the allowed value or ``unknown_value``.

    Compared after cleaning and traditional → simplified (``結婚`` is ``结婚``).

    >>> standardize_enum('結婚 ', ['结婚', '离婚'])
    Outcome(value='结婚', error=None, warning=None, extra=mappingproxy({}))
    >>> standardize_enum('复婚', ['结婚', '离婚']).error
    'unknown_value'
    """
    key = _key(value)
    if key is None:
        return Outcome()
    for candidate in allowed:
        if _key(candidate) == key:
            return Outcome(candidate)
    return Outcome(None, "unknown_value")
