"""Turn a frame of records into the arrays the linkage works on, once per column.

Every column used by blocking or comparisons becomes a ``Column``: its strings (None for
null), integer codes shared across the whole frame (-1 for null; equal codes mean equal values,
so exact tests are integer compares), and, for dates and numbers, parsed values. Derived keys
(soundex, pinyin, first letters …) are computed per distinct value, never per record pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from matching.config import DerivedKey, LinkageSettings


@dataclass(frozen=True)
class Column:
    """One column of the records as arrays aligned with the frame's rows."""

    strings: np.ndarray  # object array of str, None where null
    codes: np.ndarray  # int64, -1 where null
    frequency: np.ndarray  # float64 share of non-null records holding this row's value
    days: np.ndarray | None = None  # int64 days since epoch for dates (null: codes -1)
    numbers: np.ndarray | None = None  # float64 for numeric columns


def clean_strings(series: pd.Series) -> pd.Series:
    """Trimmed strings (object dtype) with blanks and nulls as None: the engine's only cleaning.

    Each distinct value is trimmed once (``str.strip``) and spread back by its code: a column
    of a million records holds far fewer distinct values, and numpy's fixed-width string
    arrays cost a copy of the whole column at its longest value's width.
    """
    raw = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):
        return _clean_any(series, raw)  # numbers or mixed values: spelled by numpy, as always
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    trimmed = np.array([value.strip() or None for value in uniques] + [None], dtype=object)
    return pd.Series(trimmed[codes], index=series.index, name=series.name, dtype=object)


def _clean_any(series: pd.Series, raw: np.ndarray) -> pd.Series:
    null = pd.isna(raw)
    text = np.char.strip(np.where(null, "", raw).astype(str))
    out = text.astype(object)
    out[null | (text == "")] = None
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


_SOUNDEX = {
    char: str(digit)
    for digit, letters in enumerate(("aeiouyhw", "bfpv", "cgjkqsxz", "dt", "l", "mn", "r"))
    for char in letters
}


def _soundex(word: str) -> str:
    codes = _SOUNDEX
    letters = [c for c in word.lower() if c in codes]
    if not letters:
        return ""
    out, last = letters[0].upper(), codes[letters[0]]
    for char in letters[1:]:
        digit = codes[char]
        if digit != "0" and digit != last:
            out += digit
        if char not in "hw":
            last = digit
    return (out + "000")[:4]


@cache
def _pinyin():
    from pypinyin import lazy_pinyin

    return lazy_pinyin


def _transform_one(value: str, key: DerivedKey) -> str:
    match key.transform:
        case "lower":
            return value.lower()
        case "soundex":
            return _soundex(value)
        case "first":
            return value[: key.length]
        case "last":
            return value[-key.length :]
        case "digits":
            return "".join(c for c in value if c.isdigit())
        case "pinyin":
            return "".join(_pinyin()(value)).lower()
        case "sorted_tokens":
            return " ".join(sorted(value.split()))
    raise AssertionError(key.transform)


def derive(series: pd.Series, key: DerivedKey) -> pd.Series:
    """Apply a derived-key transform per distinct value (not per record): each distinct raw
    value is cleaned and transformed once, and the result spread back by its code."""
    raw = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):
        raw = clean_strings(series).to_numpy()  # numbers or mixed values: spelled first
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    values = clean_strings(pd.Series(uniques, dtype=object))
    keys = [None if value is None else _transform_one(value, key) for value in values]
    mapped = np.array([k if k else None for k in keys] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index, name=series.name, dtype=object)


def cleaned(frame: pd.DataFrame, columns: set[str], settings: LinkageSettings) -> pd.DataFrame:
    """The named columns, cleaned once, with every derived key added (in declaration order).

    Later steps (``encode``, ``shared_codes``) are given ``clean=False`` for this frame.
    """
    missing = sorted(columns - set(frame.columns) - {key.name for key in settings.derived})
    if missing:
        raise KeyError(f"settings {settings.name!r} use columns the records lack: {missing}")
    frame = pd.DataFrame({c: clean_strings(frame[c]) for c in columns if c in frame.columns})
    for key in settings.derived:
        if key.column not in frame.columns:
            raise KeyError(f"derived key {key.name!r}: no column {key.column!r}")
        frame[key.name] = derive(frame[key.column], key)
    return frame


def encode(
    series: pd.Series,
    kind: str = "string",
    date_format: str = "%Y%m%d",
    clean: bool = True,
    codes: np.ndarray | None = None,
) -> Column:
    """Arrays for one column: strings, shared codes, value frequencies, parsed dates/numbers.

    ``codes``: the column's ``pd.factorize`` codes when the caller has them (``FrameCodes``);
    used for string columns, whose values encoding keeps as they are."""
    values = clean_strings(series) if clean else series
    days = numbers = None
    if kind == "date":
        parsed = pd.to_datetime(values, format=date_format, errors="coerce")
        values = values.where(parsed.notna(), None)
        days = parsed.to_numpy(dtype="datetime64[D]").astype("int64")
    elif kind == "numeric":
        parsed = pd.to_numeric(values, errors="coerce")
        values = values.where(parsed.notna(), None)
        numbers = parsed.to_numpy(dtype="float64")
    if codes is None or kind != "string":
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = len(uniques)
    else:
        distinct = int(codes.max(initial=-1)) + 1
    counts = np.bincount(codes[codes >= 0], minlength=max(distinct, 1)).astype("float64")
    total = max(counts.sum(), 1.0)
    frequency = np.where(codes >= 0, counts[np.maximum(codes, 0)] / total, np.nan)
    strings = values.to_numpy(dtype=object)
    return Column(strings, codes.astype("int64"), frequency, days, numbers)


def shared_codes(
    frame: pd.DataFrame, left: str, right: str, clean: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Codes for two columns from one dictionary, so that left value == right value compares."""
    tidy = clean_strings if clean else (lambda series: series)
    if left == right:
        codes, _ = pd.factorize(tidy(frame[left]), use_na_sentinel=True)
        return codes.astype("int64"), codes.astype("int64")
    both = pd.concat([tidy(frame[left]), tidy(frame[right])], ignore_index=True)
    codes, _ = pd.factorize(both, use_na_sentinel=True)
    n = len(frame)
    return codes[:n].astype("int64"), codes[n:].astype("int64")


class FrameCodes:
    """``shared_codes`` of one cleaned frame, computed once per pair of columns.

    Blocking rules, training blocks, the prior's rules and the comparisons ask for the codes of
    the same few columns again and again; hashing a column of a million strings is the costly
    part, so each is hashed once. The frame must not change while this is in use.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._memo: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def shared(self, left: str, right: str) -> tuple[np.ndarray, np.ndarray]:
        if (left, right) not in self._memo:
            self._memo[(left, right)] = shared_codes(self.frame, left, right, clean=False)
        return self._memo[(left, right)]

    def codes(self, column: str) -> np.ndarray:
        return self.shared(column, column)[0]
