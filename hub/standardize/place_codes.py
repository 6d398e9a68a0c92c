"""Codes that place things in the city: grid codes, standard address codes, real-estate units.

* 网格编码 (grid code): 15 digits — county (6) + street/township (3) + community/village (3) +
  grid (3).
* 标准地址编码 (standard address code): 20 digits — the grid code (15) + building (3) +
  sequence (2) — for a building; a dwelling adds ``-<unit>-<room>``
  (``42050200100100102301-2-1502``).
* 不动产单元号 (real-estate unit number, GB/T 37346): 28 characters — county (6), cadastral
  zone and subzone (3 + 3), parcel type (2 letters: ownership G/J/Z + use), parcel number (5),
  fixture type (F building, L forest, Q other, W none) and fixture unit (8).

Each starts with a county code; it must be a county of the hub's county table (湖北省), else
the code cannot be placed and is ``invalid_format``. Spaces and full-width characters are
compacted away; a wrong length is ``invalid_length``, foreign characters
``invalid_characters``.

>>> validate_grid_code('420502001001001')
'420502001001001'
>>> validate_std_address_code('42050200100100102301－2－1502')
'42050200100100102301-2-1502'
>>> validate_unit_number('420529001001GB00001F00010001')
'420529001001GB00001F00010001'
"""

from __future__ import annotations

import re

from hub.standardize import code_tables
from hub.standardize.errors import (
    InvalidCharacters,
    InvalidLength,
    InvalidStructure,
    ValidationError,
    error_code,
)
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean, remove_spaces

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_STD_ADDRESS = re.compile(r"[0-9]{20}(?:-[0-9A-Z]{1,4}-[0-9A-Z]{1,6})?")
_UNIT_NUMBER = re.compile(r"[0-9]{12}[GJZ][A-Z][0-9]{5}[FLQW][0-9]{8}")


def compact(value: str | None) -> str:
    """No spaces, half-width, upper case, one kind of hyphen.

    >>> compact(' ４２０５０２ 001001001 ')
    '420502001001001'
    """
    return remove_spaces(clean(value) or "").translate(_DASHES).translate(_ASCII_UPPER)


def _check_county(code: str) -> None:
    if code_tables.lookup("county", code[:6]) != code[:6]:
        raise InvalidStructure("The code does not start with a county code of the county table.")


def validate_grid_code(value: str) -> str:
    """A 15-digit grid code starting with a county code."""
    code = compact(value)
    if not (code.isascii() and code.isdigit()):
        raise InvalidCharacters()
    if len(code) != 15:
        raise InvalidLength()
    _check_county(code)
    return code


def validate_std_address_code(value: str) -> str:
    """A 20-digit standard address code, optionally ``-<unit>-<room>``, starting with a county."""
    code = compact(value)
    if not _STD_ADDRESS.fullmatch(code):
        base = code.split("-", 1)[0]
        if base.isascii() and base.isdigit() and len(base) != 20:
            raise InvalidLength()
        raise InvalidStructure()
    _check_county(code)
    return code


def validate_unit_number(value: str) -> str:
    """A 28-character real-estate unit number starting with a county code."""
    code = compact(value)
    if not (code.isascii() and code.isalnum()):
        raise InvalidCharacters()
    if len(code) != 28:
        raise InvalidLength()
    if not _UNIT_NUMBER.fullmatch(code):
        raise InvalidStructure()
    _check_county(code)
    return code


def _outcome(validator, value: str | None) -> Outcome:
    code = compact(value)
    if not code:
        return Outcome()
    try:
        return Outcome(validator(code))
    except ValidationError as exc:
        return Outcome(code, error_code(exc))


def standardize_grid_code(value: str | None) -> Outcome:
    """The registry's rule for a grid code (an invalid one keeps its compacted text)."""
    return _outcome(validate_grid_code, value)


def standardize_std_address_code(value: str | None) -> Outcome:
    """The registry's rule for a standard address code."""
    return _outcome(validate_std_address_code, value)


def standardize_unit_number(value: str | None) -> Outcome:
    """The registry's rule for a real-estate unit number."""
    return _outcome(validate_unit_number, value)
