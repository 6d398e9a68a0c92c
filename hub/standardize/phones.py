"""Phone numbers: an 11-digit mobile number, or a landline as ``AREA-LOCAL``.

Forms in the extracts: ``15742252743``, ``157-4257-9403``, ``159 5836 7032``, ``+86 15742252743``,
full-width ``１８６５１３７６６２１``; landlines as ``0717-1234567``, ``(0717)1234567`` or a bare
local number, which in a 宜昌 register means 宜昌 (area code 0717) — taken so, with the warning
``area_code_assumed``. Landlines of other cities are accepted in the same shape (area codes
010 and 02x have three digits, all others four; local numbers have 7–8 digits and never start
with 0; a bare one starting with 1 is a mobile number missing digits, not a landline).
Anything else — extensions, two numbers in one field, foreign numbers, wrong lengths —
is ``invalid_phone``: a number that cannot be dialled is not guessed at.

>>> normalize('+86 15742252743')
'15742252743'
>>> normalize('１８６５１３７６６２１')
'18651376621'
>>> normalize('(0717)1234567')
'0717-1234567'
"""

from __future__ import annotations

import re

from hub.standardize.errors import InvalidPhone
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean, remove_spaces

YICHANG_AREA_CODE = "0717"
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Local numbers never start with 0 (trunk prefix); a bare one starting with 1 is more likely a
# mobile number missing digits than a landline, so only one written with its area code may.
_LOCAL = re.compile(r"[1-9][0-9]{6,7}")
_BARE_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
_SEPARATORS = str.maketrans("", "", "-()")


def _digits(value: str) -> tuple[str, bool]:
    """The digits of a phone number, and whether it was written with a country code."""
    text = remove_spaces(value).translate(_SEPARATORS)
    international = False
    if text.startswith("+"):
        text, international = text[1:], True
    elif text.startswith("0086"):
        text, international = text[2:], True
    if not (text.isascii() and text.isdigit()):
        raise InvalidPhone()
    if international:
        if not text.startswith("86"):
            raise InvalidPhone()  # a foreign number
        text = text[2:]
    elif text.startswith("86") and len(text) >= 12:
        text, international = text[2:], True
    return text, international


def parse(value: str | None) -> tuple[str | None, str | None]:
    """(canonical number, warning) of a phone number; ``InvalidPhone`` if it is none.

    >>> parse('157-4257-9403')
    ('15742579403', None)
    >>> parse('1234567')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidPhone: Not a mobile or landline phone number.
    >>> parse('2345678')
    ('0717-2345678', 'area_code_assumed')
    """
    text = clean(value)
    if text is None:
        return None, None
    digits, international = _digits(text)
    if MOBILE.fullmatch(digits):
        return digits, None
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 717 … drops the trunk prefix 0
    if digits.startswith("0"):
        area_length = 3 if digits[1:2] in ("1", "2") else 4
        area, local = digits[:area_length], digits[area_length:]
        if (area_length == 3 and area not in _THREE_DIGIT_AREAS) or not _LOCAL.fullmatch(local):
            raise InvalidPhone()
        return f"{area}-{local}", None
    if _BARE_LOCAL.fullmatch(digits):
        return f"{YICHANG_AREA_CODE}-{digits}", "area_code_assumed"
    raise InvalidPhone()


_THREE_DIGIT_AREAS = {"010", *(f"02{i}" for i in range(10))}


def normalize(value: str | None) -> str | None:
    """The canonical number (mobile: 11 digits; landline ``0717-1234567``)."""
    return parse(value)[0]


def is_mobile(number: str) -> bool:
    """Whether a canonical number is a mobile number.

    >>> is_mobile('15742252743'), is_mobile('0717-1234567')
    (True, False)
    """
    return bool(MOBILE.fullmatch(number))


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule for one value: the canonical number, or ``invalid_phone`` (value
    ``None``: an undiallable number has no canonical form)."""
    try:
        number, warning = parse(value)
    except InvalidPhone:
        return Outcome(None, "invalid_phone")
    return Outcome(number, None, warning)
