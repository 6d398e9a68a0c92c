"""工商注册号 — the 15-digit business registration number used before the credit code (2015).

Six digits of the registering authority's area code, eight of sequence and one ISO 7064
MOD 11,10 check digit (GS 15-2006). Old enterprise records carry it instead of a credit code.
python-stdnum has the check-digit algorithm (``stdnum.iso7064.mod_11_10``) but no module for
the number, hence this one in stdnum's shape.

>>> validate('420500145799244')
'420500145799244'
>>> validate('420500145799245')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
"""

from __future__ import annotations

from stdnum.iso7064 import mod_11_10

from hub.standardize.errors import InvalidCharacters, InvalidLength, ValidationError, error_code
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean, remove_spaces


def compact(number: str | None) -> str:
    """No spaces or hyphens, half-width.

    >>> compact('420500 145799244')
    '420500145799244'
    """
    return remove_spaces(clean(number) or "").replace("-", "")


def calc_check_digit(first14: str) -> str:
    """The MOD 11,10 check digit of the first 14 digits.

    >>> calc_check_digit('42050014579924')
    '4'
    """
    return mod_11_10.calc_check_digit(first14)


def validate(number: str) -> str:
    """The number, or what is wrong with it (``InvalidLength``, ``InvalidCharacters``,
    ``InvalidChecksum``)."""
    number = compact(number)
    if not number.isascii() or not number.isdigit():
        raise InvalidCharacters()
    if len(number) != 15:
        raise InvalidLength()
    return mod_11_10.validate(number)


def is_valid(number: str) -> bool:
    """Whether ``validate`` accepts the number.

    >>> is_valid('420582110822991'), is_valid('420582110822992')
    (True, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the stdnum module interface
    """The presentation form (compact)."""
    return compact(number)


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule: the number, or the compacted text and the error."""
    number = compact(value)
    if not number:
        return Outcome()
    try:
        return Outcome(validate(number))
    except ValidationError as exc:
        return Outcome(number, error_code(exc))
