"""Small numpy/pyarrow helpers shared by the vectorised standardizers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def ascii_matrix(array: pa.Array, width: int) -> np.ndarray:
    """An (n, width) uint8 view of a null-free string array whose values are all ``width`` bytes.

    Arrow stores the values of a string array back to back, so equal-length values form one
    contiguous block: no copy, no Python loop.
    """
    n = len(array)
    if n == 0:
        return np.zeros((0, width), dtype=np.uint8)
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[array.offset : array.offset + n + 1]
    start = int(offsets[0])
    if int(offsets[-1]) - start != n * width:
        raise ValueError("values are not all of the given width")
    data = np.frombuffer(data_buf, dtype=np.uint8)[start : start + n * width]
    return data.reshape(n, width)


def matrix_strings(matrix: np.ndarray) -> np.ndarray:
    """The rows of an (n, width) uint8 ASCII matrix as a numpy object array of ``str``."""
    n, width = matrix.shape
    if n == 0:
        return np.empty(0, dtype=object)
    raw = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    return raw.astype(f"U{width}").astype(object)


def digits_value(matrix: np.ndarray) -> np.ndarray:
    """The integer spelled by each row of ASCII digits (rows of at most 18 digits)."""
    result = np.zeros(len(matrix), dtype=np.int64)
    for column in range(matrix.shape[1]):
        result = result * 10 + (matrix[:, column].astype(np.int64) - 48)
    return result


def valid_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether (year, month, day) is a date of the Gregorian calendar (years 1..9999)."""
    year = np.asarray(year, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    dim = _DAYS_IN_MONTH[np.where(month_ok, month, 1)] + (leap & (month == 2))
    return month_ok & (day >= 1) & (day <= dim) & (year >= 1) & (year <= 9999)


def ymd_to_datetime64(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] of valid (year, month, day) arrays."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + (
        np.asarray(month, dtype=np.int64) - 1
    )
    return months.astype("datetime64[M]").astype("datetime64[D]") + (
        np.asarray(day, dtype=np.int64) - 1
    ).astype("timedelta64[D]")


def to_bool(array: pa.Array) -> np.ndarray:
    """A pyarrow boolean array as numpy bool, null as False."""
    return array.fill_null(False).to_numpy(zero_copy_only=False)
