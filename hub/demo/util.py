"""Shared helpers: seeded random streams, vectorised date formatting, small text tables.

Everything that touches a million rows goes through numpy here instead of per-row Python.
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per component and seed.

    Streams do not consume each other's numbers, so generating the police register alone
    gives the same rows as generating the whole city with the same seed.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day (int arrays) of datetime64 values; NaT gives garbage, mask it."""
    d = np.asarray(dates).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    y = months.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    dd = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, dd


def hms(times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(times).astype("datetime64[s]")
    secs = (t - t.astype("datetime64[D]").astype("datetime64[s]")).astype(np.int64)
    return secs // 3600, secs // 60 % 60, secs % 60


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints below 10**width as zero-padded strings of ``width`` (a byte matrix,
    not a million ``str()`` calls)."""
    values = np.asarray(values).astype(np.int64).ravel()
    return _fixed_width([(values, width)], len(values))


def members(indices: np.ndarray, size: int) -> np.ndarray:
    """A boolean mask of ``size`` with ``indices`` set: set algebra on row numbers without the
    hashing of ``np.union1d``/``np.setdiff1d``."""
    mask = np.zeros(size, bool)
    indices = np.asarray(indices, dtype=np.int64)
    mask[indices[indices >= 0]] = True
    return mask


_TOKEN = re.compile(r"%-?[YmdHMS]")


def fmt_dates(values: np.ndarray, fmt: str) -> np.ndarray:
    """strftime for datetime64 arrays (``%Y %m %d %H %M %S``; ``%-m``/``%-d`` unpadded); NaT → ''.
    Built with numpy's string ufuncs: a million dates take a fraction of a second."""
    values = np.asarray(values)
    if len(values) == 0:
        return np.empty(0, dtype=object)
    t = values.astype("datetime64[s]")
    nat = np.isnat(t)
    t = np.where(nat, np.datetime64("2000-01-01T00:00:00"), t)
    y, m, d = ymd(t)
    hh, mi, ss = hms(t)
    parts = {"%Y": (y, 4), "%m": (m, 2), "%d": (d, 2), "%H": (hh, 2), "%M": (mi, 2), "%S": (ss, 2),
             "%-m": (m, 0), "%-d": (d, 0)}  # fmt: skip
    layout: list = []
    pos = 0
    for match in _TOKEN.finditer(fmt):
        if match.start() > pos:
            layout.append(fmt[pos : match.start()])
        layout.append(parts[match.group()])
        pos = match.end()
    if pos < len(fmt):
        layout.append(fmt[pos:])
    if fmt.isascii() and "%-" not in fmt:
        out = _fixed_width(layout, len(values)).astype(object)
    else:
        pieces = [
            p if isinstance(p, str) else (digits(*p) if p[1] else p[0].astype(str)) for p in layout
        ]
        out = pieces[0] if not isinstance(pieces[0], str) else np.full(len(values), pieces[0])
        for piece in pieces[1:]:
            out = np.strings.add(out, piece)
        out = out.astype(object)
    out[nat] = ""
    return out


def _fixed_width(layout: list, n: int) -> np.ndarray:
    """ASCII layouts of literals and zero-padded numbers, written digit by digit into a byte
    matrix: no per-value string work at all."""
    width = sum(len(p) if isinstance(p, str) else p[1] for p in layout)
    if n == 0:
        return np.empty(0, dtype=f"<U{width}")
    mat = np.empty((n, width), dtype=np.uint8)
    col = 0
    for piece in layout:
        if isinstance(piece, str):
            mat[:, col : col + len(piece)] = np.frombuffer(piece.encode(), np.uint8)
            col += len(piece)
            continue
        val, w = piece
        for k in range(w):
            mat[:, col + k] = val // 10 ** (w - 1 - k) % 10 + 48
        col += w
    return mat.view(f"S{width}").ravel().astype(f"U{width}")


def random_days(rng: np.random.Generator, start, end, n: int) -> np.ndarray:
    """Uniform random dates in [start, end] (datetime64[D], scalars or arrays)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    span = np.maximum((end - start).astype(np.int64), 0) + 1
    return start + (rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")


def random_times(rng: np.random.Generator, days: np.ndarray, first_hour=8, last_hour=18):
    """Office-hours timestamps (datetime64[s]) on the given days."""
    secs = rng.integers(first_hour * 3600, last_hour * 3600, len(days))
    return days.astype("datetime64[s]") + secs.astype("timedelta64[s]")


def add_years(dates: np.ndarray, years) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[D]") + (np.asarray(years) * 365.25).astype(
        np.int64
    ).astype("timedelta64[D]")


def age_at(birth: np.ndarray, when) -> np.ndarray:
    """Whole years between birth and ``when`` (approximate to the day; fine for synthetic ages)."""
    birth = np.asarray(birth).astype("datetime64[D]")
    return ((np.asarray(when, dtype="datetime64[D]") - birth).astype(np.int64) / 365.25).astype(
        np.int64
    )


FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "".join(
        chr(ord(c) + 0xFEE0)
        for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    ),
)

_CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1..99 as Chinese numerals (三, 十二, 二十一), as people write building and unit numbers."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def table(data: dict) -> pd.DataFrame:
    """A DataFrame whose text columns stay numpy object arrays. pandas 3 would store them as
    Arrow strings, and every trip back to numpy (which this generator makes constantly) costs
    a full copy: on a million people, that was a third of the run time."""
    n = next(
        (len(v) for v in data.values() if not isinstance(v, str | int | float | bool | np.generic)),
        0,
    )
    columns = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = np.full(n, value, dtype=object)
        elif isinstance(value, pd.Series):
            value = (
                value.to_numpy(dtype=object)
                if value.dtype.kind in "OU" or str(value.dtype) == "str"
                else value.to_numpy()
            )
        elif isinstance(value, list | tuple):
            value = np.asarray(value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
            value = pd.Series(shared(value), dtype=object, copy=False)
        columns[name] = value
    return pd.DataFrame(columns)


def shared(values: np.ndarray) -> np.ndarray:
    """An object array in which equal strings are one object when there are few distinct ones
    (county codes, relations …): a million copies of ``"02"`` cost 50 MB, a million
    references to one cost 8."""
    values = np.asarray(values)
    probe = values[:: max(1, len(values) // 5000)]
    if len(values) < 1000 or len(set(probe.tolist())) > 0.2 * len(probe):
        return values.astype(object)
    codes, uniques = pd.factorize(values)
    return np.asarray(uniques, dtype=object)[codes]


def objectify(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn any Arrow-string columns of ``frame`` into object columns, in place (see ``table``)."""
    for name in frame.columns:
        if str(frame[name].dtype) == "str" or frame[name].dtype == object:
            frame[name] = pd.Series(
                shared(frame[name].to_numpy(dtype=object)), index=frame.index, dtype=object
            )
    return frame
