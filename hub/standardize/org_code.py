"""组织机构代码 — the organization code of GB 11714-1997, on records older than the credit code.

Eight characters (digits and upper-case letters) for the unit and a check character, written
``XXXXXXXX-X``. Since 2015 it lives on as positions 9–17 of the unified social credit code
(``credit_code.organization_code``), which is how an old record carrying only the organization
code is linked to today's legal entity. python-stdnum has no module for it, hence this one, in
stdnum's shape. The check character: weights 3 7 9 10 5 8 4 2 over the eight characters (``A``
= 10 … ``Z`` = 35); ``11 - sum mod 11``, where 10 is written ``X`` and 11 is ``0``.

>>> validate('60003734-1')
'60003734-1'
>>> validate('600037341')
'60003734-1'
>>> validate('60003734-2')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
"""

from __future__ import annotations

import re

from hub.standardize.errors import (
    InvalidCharacters,
    InvalidChecksum,
    InvalidLength,
    ValidationError,
    error_code,
)
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean, remove_spaces

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SHAPE = re.compile(r"[0-9A-Z]{8}[0-9X]")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def compact(number: str | None) -> str:
    """Nine characters, no hyphen or spaces, upper case, half-width.

    >>> compact(' ３０８３９０９０－６ ')
    '308390906'
    """
    text = remove_spaces(clean(number) or "").translate(_ASCII_UPPER)
    return text.replace("-", "")


def calc_check_character(first8: str) -> str:
    """The GB 11714 check character of the first eight characters.

    >>> calc_check_character('30839090')
    '6'
    """
    total = sum(_ALPHABET.index(c) * w for c, w in zip(first8, _WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def validate(number: str) -> str:
    """The canonical ``XXXXXXXX-X`` form, or what is wrong (length, characters, check)."""
    number = compact(number)
    if len(number) != 9:
        raise InvalidLength()
    if not _SHAPE.fullmatch(number):
        raise InvalidCharacters()
    if number[8] != calc_check_character(number[:8]):
        raise InvalidChecksum()
    return format(number)


def is_valid(number: str) -> bool:
    """Whether ``validate`` accepts the number.

    >>> is_valid('30839090-6'), is_valid('K0839090-6')
    (True, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the stdnum module interface
    """``XXXXXXXX-X``.

    >>> format('535133993')
    '53513399-3'
    """
    number = compact(number)
    return number[:8] + "-" + number[8:] if len(number) == 9 else number


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule: canonical ``XXXXXXXX-X``; an invalid one stays as compacted."""
    number = compact(value)
    if not number:
        return Outcome()
    try:
        return Outcome(validate(number))
    except ValidationError as exc:
        return Outcome(format(number), error_code(exc))
