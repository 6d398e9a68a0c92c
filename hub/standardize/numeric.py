"""Amounts and counts: plain numbers only.

Monthly allowances arrive as ``680``, ``720.00`` — and ``720元``. A unit glued to a number is
*not* stripped: ``万元`` instead of ``元`` would silently multiply by 10,000, so a number must be
plain (sign, digits, decimal point, thousands separators in groups of three) or it is
``invalid_number``. Decimals are returned as ``decimal.Decimal``, exact as written.

>>> parse_decimal('720.00')
Decimal('720.00')
>>> parse_decimal('1,000.5')
Decimal('1000.5')
>>> parse_decimal('720元')
Traceback (most recent call last):
    ...
hub.standardize.errors.InvalidNumber: Not a plain number.
"""

from __future__ import annotations

import re
from decimal import Decimal

from hub.standardize.errors import InvalidNumber
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


def _plain(value: str | None) -> str | None:
    text = clean(value)
    if text is None:
        return None
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    return text


def parse_decimal(value: str | None) -> Decimal | None:
    """The number a value spells (``None`` if empty), or ``InvalidNumber``.

    >>> parse_decimal('５０.５'), parse_decimal(' -3 ')
    (Decimal('50.5'), Decimal('-3'))
    """
    text = _plain(value)
    if text is None:
        return None
    if not _DECIMAL.fullmatch(text):
        raise InvalidNumber()
    return Decimal(text)


def parse_integer(value: str | None) -> int | None:
    """The whole number a value spells; ``12.0`` is 12, ``12.5`` is not a whole number.

    >>> parse_integer('1,200'), parse_integer('12.0')
    (1200, 12)
    >>> parse_integer('12.5')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidNumber: Not a plain number.
    """
    text = _plain(value)
    if text is None:
        return None
    if not _INTEGER.fullmatch(text):
        raise InvalidNumber()
    return int(text.split(".")[0])


def standardize_decimal(value: str | None) -> Outcome:
    """The registry's rule for a decimal."""
    try:
        return Outcome(parse_decimal(value))
    except InvalidNumber:
        return Outcome(None, "invalid_number")


def standardize_integer(value: str | None) -> Outcome:
    """The registry's rule for an integer."""
    try:
        return Outcome(parse_integer(value))
    except InvalidNumber:
        return Outcome(None, "invalid_number")
