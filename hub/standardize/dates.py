"""Dates, date-times and year-months in every format the departments write them.

The extracts carry ``20190130`` (police), ``2021-03-05``, ``2021/3/5`` and ``2021年3月5日`` (civil
affairs, in one file), ``2006.07.01``, ``2004-09`` (social security's birth month),
``20250313121623`` and ``2025-12-19 12:42:33`` (time stamps) — and a spreadsheet turns a date
cell into ``2024-06-08 00:00:00``. Each accepted format is named (``FORMATS``); a value must
match one *completely* and be a real calendar date (and time): ``2023-02-30``, month 13 or hour
24 are errors, never rolled over into the next month or guessed at. Years outside 1800–2199
are errors too: they are typos (``0202``) or placeholders (``0001-01-01``, ``9999-12-31``).

Every kind accepts every format, the result fitted to the kind: a date-time given for a date
keeps its day (and warns ``time_discarded`` if the time of day was not midnight), a date given
for a date-time is midnight, and a year-month is the first day of its month.

>>> parse_date('2021年3月5日')
datetime.date(2021, 3, 5)
>>> parse_datetime('20250313121623')
datetime.datetime(2025, 3, 13, 12, 16, 23)
>>> parse_year_month('2004-09')
datetime.date(2004, 9, 1)
>>> parse_date('2023-02-30')
Traceback (most recent call last):
    ...
hub.standardize.errors.InvalidDate: Not a date in an accepted format, or a date that does not exist.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hub.standardize._vector import ascii_matrix, to_bool, valid_ymd, ymd_to_datetime64
from hub.standardize.errors import InvalidDate
from hub.standardize.outcome import Columns, Outcome
from hub.standardize.text import clean, clean_array

YEAR_MIN, YEAR_MAX = 1800, 2199
_Y, _M2, _M = r"(?P<y>[0-9]{4})", r"(?P<m>[0-9]{2})", r"(?P<m>[0-9]{1,2})"
_D2, _D = r"(?P<d>[0-9]{2})", r"(?P<d>[0-9]{1,2})"
_HMS = r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})(?:\.[0-9]{1,9})?"
_HM = r"(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})"


@dataclass(frozen=True)
class Format:
    """A named format: a regex with named groups ``y m d H M S`` (Python ``re`` and RE2 alike).

    ``fixed``/``slices``: the same format with every part at full width, and the byte offsets of
    each part in it, so that the common fully padded spelling is read straight from a byte
    matrix; other spellings of the format go through the regex.
    """

    name: str
    pattern: str
    resolution: str  # 'date', 'datetime' or 'month': what the format carries
    fixed: str | None = None
    slices: dict[str, tuple[int, int]] = field(default_factory=dict)
    width: int = 0  # bytes of the fixed spelling (default: the end of the last slice)

    @property
    def regex(self) -> re.Pattern:
        return _compiled(self.pattern)


_COMPILED: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _COMPILED:
        _COMPILED[pattern] = re.compile(pattern)
    return _COMPILED[pattern]


def _ymd_slices(sep_bytes: int) -> dict[str, tuple[int, int]]:
    m = 4 + sep_bytes
    d = m + 2 + sep_bytes
    return {"y": (0, 4), "m": (m, m + 2), "d": (d, d + 2)}


_TIME_SLICES = {"H": (11, 13), "M": (14, 16), "S": (17, 19)}

FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("YYYYMMDD", _Y + _M2 + _D2, "date", "[0-9]{8}", _ymd_slices(0)),
        Format(
            "YYYY-MM-DD",
            _Y + "-" + _M + "-" + _D,
            "date",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            _ymd_slices(1),
        ),
        Format(
            "YYYY/M/D",
            _Y + "/" + _M + "/" + _D,
            "date",
            "[0-9]{4}/[0-9]{2}/[0-9]{2}",
            _ymd_slices(1),
        ),
        Format(
            "YYYY.MM.DD",
            _Y + r"\." + _M + r"\." + _D,
            "date",
            r"[0-9]{4}\.[0-9]{2}\.[0-9]{2}",
            _ymd_slices(1),
        ),
        Format(
            "YYYY年M月D日",
            _Y + "年" + _M + "月" + _D + "日",
            "date",
            "[0-9]{4}年[0-9]{2}月[0-9]{2}日",
            {"y": (0, 4), "m": (7, 9), "d": (12, 14)},
            width=17,  # 年, 月 and 日 are 3 bytes each in UTF-8
        ),
        Format(
            "YYYYMMDDHHMMSS",
            _Y + _M2 + _D2 + r"(?P<H>[0-9]{2})(?P<M>[0-9]{2})(?P<S>[0-9]{2})",
            "datetime",
            "[0-9]{14}",
            {**_ymd_slices(0), "H": (8, 10), "M": (10, 12), "S": (12, 14)},
        ),
        Format(
            "YYYY-MM-DD HH:MM:SS",
            _Y + "-" + _M + "-" + _D + "[ T]" + _HMS,
            "datetime",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}",
            {**_ymd_slices(1), **_TIME_SLICES},
        ),
        Format(
            "YYYY/M/D HH:MM:SS",
            _Y + "/" + _M + "/" + _D + " " + _HMS,
            "datetime",
            "[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}",
            {**_ymd_slices(1), **_TIME_SLICES},
        ),
        Format("YYYY-MM-DD HH:MM", _Y + "-" + _M + "-" + _D + "[ T]" + _HM, "datetime"),
        Format("YYYY-MM", _Y + "-" + _M, "month", "[0-9]{4}-[0-9]{2}", {"y": (0, 4), "m": (5, 7)}),
        Format("YYYYMM", _Y + _M2, "month", "[0-9]{6}", {"y": (0, 4), "m": (4, 6)}),
        Format("YYYY/M", _Y + "/" + _M, "month"),
        Format("YYYY.MM", _Y + r"\." + _M, "month"),
        Format("YYYY年M月", _Y + "年" + _M + "月", "month"),
    ]
}
KINDS = ("date", "datetime", "year_month")


def formats_for(names: list[str] | tuple[str, ...] | None = None) -> tuple[Format, ...]:
    """The formats to try: the named ones (in the given order), or all.

    >>> [f.name for f in formats_for(['YYYYMMDD', 'YYYY-MM'])]
    ['YYYYMMDD', 'YYYY-MM']
    """
    if names is None:
        return tuple(FORMATS.values())
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise ValueError(f"unknown date formats {unknown}; known: {list(FORMATS)}")
    return tuple(FORMATS[n] for n in names)


@dataclass(frozen=True)
class _Parts:
    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int


def _parts(value: str | None, formats: tuple[Format, ...]) -> _Parts | None:
    text = clean(value)
    if text is None:
        return None
    for fmt in formats:
        match = fmt.regex.fullmatch(text)
        if match:
            g = match.groupdict()
            parts = _Parts(
                int(g["y"]),
                int(g["m"]),
                int(g.get("d") or 1),
                int(g.get("H") or 0),
                int(g.get("M") or 0),
                int(g.get("S") or 0),
            )
            if not (YEAR_MIN <= parts.year <= YEAR_MAX):
                raise InvalidDate()
            if parts.hour > 23 or parts.minute > 59 or parts.second > 59:
                raise InvalidDate()
            try:
                datetime.date(parts.year, parts.month, parts.day)
            except ValueError:
                raise InvalidDate() from None
            return parts
    raise InvalidDate()


def parse_date(value: str, formats: list[str] | None = None) -> datetime.date | None:
    """The date a value spells (a date-time's day); ``None`` if empty; ``InvalidDate`` if none.

    >>> parse_date('20190130'), parse_date('2006.07.01'), parse_date('2021/3/5')
    (datetime.date(2019, 1, 30), datetime.date(2006, 7, 1), datetime.date(2021, 3, 5))
    >>> parse_date('2024-06-08 00:00:00')
    datetime.date(2024, 6, 8)
    >>> parse_date('20231301')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidDate: Not a date in an accepted format, or a date that does not exist.
    """
    parts = _parts(value, formats_for(formats))
    return None if parts is None else datetime.date(parts.year, parts.month, parts.day)


def parse_datetime(value: str, formats: list[str] | None = None) -> datetime.datetime | None:
    """The date-time a value spells (a date alone is midnight).

    >>> parse_datetime('2025-12-19 12:42:33')
    datetime.datetime(2025, 12, 19, 12, 42, 33)
    >>> parse_datetime('2025-12-19 24:00:00')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidDate: Not a date in an accepted format, or a date that does not exist.
    """
    parts = _parts(value, formats_for(formats))
    if parts is None:
        return None
    return datetime.datetime(
        parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second
    )


def parse_year_month(value: str, formats: list[str] | None = None) -> datetime.date | None:
    """The first day of the month a value spells.

    >>> parse_year_month('2004年9月'), parse_year_month('200409'), parse_year_month('2004-09-30')
    (datetime.date(2004, 9, 1), datetime.date(2004, 9, 1), datetime.date(2004, 9, 1))
    """
    parts = _parts(value, formats_for(formats))
    return None if parts is None else datetime.date(parts.year, parts.month, 1)


def standardize_value(
    value: str | None, kind: str = "date", formats: list[str] | None = None
) -> Outcome:
    """The registry's rule for one value of ``kind`` ('date', 'datetime' or 'year_month').

    >>> standardize_value('2024-06-08 09:30:00', 'date')
    Outcome(value=datetime.date(2024, 6, 8), error=None, warning='time_discarded', extra=mappingproxy({}))
    >>> standardize_value('2021年2月29日').error
    'invalid_date'
    """
    try:
        parts = _parts(value, formats_for(formats))
    except InvalidDate:
        return Outcome(None, "invalid_date")
    if parts is None:
        return Outcome()
    if kind == "datetime":
        return Outcome(
            datetime.datetime(
                parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second
            )
        )
    if kind == "year_month":
        return Outcome(datetime.date(parts.year, parts.month, 1))
    has_time = parts.hour or parts.minute or parts.second
    return Outcome(
        datetime.date(parts.year, parts.month, parts.day),
        None,
        "time_discarded" if has_time else None,
    )


# -- vectorised -----------------------------------------------------------------------------


def _ints(array: pa.Array) -> np.ndarray:
    return pc.cast(array, pa.int64()).to_numpy(zero_copy_only=False)


def _empty_parts(n: int) -> dict[str, np.ndarray]:
    parts = {k: np.zeros(n, dtype=np.int64) for k in ("y", "m", "d", "H", "M", "S")}
    parts["d"][:] = 1
    return parts


def _read_fixed(fmt: Format, texts: pa.Array) -> dict[str, np.ndarray]:
    """The parts of values spelled in the format's fully padded form, from a byte matrix."""
    parts = _empty_parts(len(texts))
    matrix = ascii_matrix(texts, fmt.width or max(end for _, end in fmt.slices.values()))
    for name, (start, end) in fmt.slices.items():
        value = np.zeros(len(texts), dtype=np.int64)
        for column in range(start, end):
            value = value * 10 + (matrix[:, column].astype(np.int64) - 48)
        parts[name] = value
    return parts


def _read_regex(fmt: Format, texts: pa.Array) -> dict[str, np.ndarray]:
    """The parts of values that match the format's regex."""
    parts = _empty_parts(len(texts))
    groups = pc.extract_regex(texts, "^" + fmt.pattern + "$")
    for name in parts:
        if f"(?P<{name}>" in fmt.pattern:
            parts[name] = _ints(groups.field(name))
    return parts


def _assign(out: Columns, positions: np.ndarray, p: dict[str, np.ndarray], kind: str) -> None:
    """Check the parts read for ``positions`` and write values or errors."""
    ok = (
        valid_ymd(p["y"], p["m"], p["d"])
        & (p["y"] >= YEAR_MIN)
        & (p["y"] <= YEAR_MAX)
        & (p["H"] <= 23)
        & (p["M"] <= 59)
        & (p["S"] <= 59)
    )
    out.error[positions[~ok]] = "invalid_date"
    good = positions[ok]
    y, m, d = p["y"][ok], p["m"][ok], p["d"][ok]
    if kind == "year_month":
        out.value[good] = ymd_to_datetime64(y, m, np.ones_like(d)).astype(object)
        return
    days = ymd_to_datetime64(y, m, d)
    seconds = p["H"][ok] * 3600 + p["M"][ok] * 60 + p["S"][ok]
    if kind == "datetime":
        out.value[good] = (days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")).astype(
            object
        )
    else:
        out.value[good] = days.astype(object)
        timed = seconds != 0
        if timed.any():
            out.warning[good[timed]] = "time_discarded"


def _by_frequency(texts: pa.Array, formats: tuple[Format, ...]) -> list[Format]:
    """The formats, those matching most of a small sample first.

    No value matches two formats, so the order changes nothing but the work: a column in one
    format is read in one regex pass instead of one per format tried before it.
    """
    sample = texts.slice(0, 1000).drop_null()
    counts = {
        f.name: pc.sum(pc.match_substring_regex(sample, "^" + f.pattern + "$")).as_py() or 0
        for f in formats
    }
    return sorted(formats, key=lambda f: -counts[f.name])


def standardize_array(
    array: pa.Array, kind: str = "date", formats: list[str] | None = None
) -> Columns:
    """``standardize_value`` over a pyarrow string array: one regex pass per format on what is
    still unmatched, the parts read from a byte matrix (or the regex), checked with numpy."""
    n = len(array)
    out = Columns.empty(n)
    if n == 0:
        return out
    cleaned = clean_array(array)
    remaining = to_bool(cleaned.is_valid())
    for fmt in _by_frequency(cleaned, formats_for(formats)):
        if not remaining.any():
            break
        candidates = np.flatnonzero(remaining)
        sub = cleaned if len(candidates) == n else cleaned.take(pa.array(candidates))
        if fmt.fixed is not None:
            fixed = to_bool(pc.match_substring_regex(sub, "^" + fmt.fixed + "$"))
            if fixed.any():
                positions = candidates[fixed]
                _assign(out, positions, _read_fixed(fmt, sub.filter(pa.array(fixed))), kind)
                remaining[positions] = False
                candidates, sub = candidates[~fixed], sub.filter(pa.array(~fixed))
        if not len(candidates):
            continue
        matched = to_bool(pc.match_substring_regex(sub, "^" + fmt.pattern + "$"))
        if matched.any():
            positions = candidates[matched]
            _assign(out, positions, _read_regex(fmt, sub.filter(pa.array(matched))), kind)
            remaining[positions] = False
    out.error[remaining] = "invalid_date"
    return out
