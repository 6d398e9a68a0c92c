"""统一社会信用代码 — the unified social credit code of GB 32100-2015, key of every legal entity.

18 characters: registering authority (1), entity type (1), area code (6), the unit's GB 11714
organization code (9) and a check character over an alphabet without I, O, S, V, Z.
python-stdnum's ``cn.uscc`` implements the standard and is used as it is; this module adds the
hub's leniency (full-width, spaces, lower case) and the organization code inside, which links a
credit code to old records that carry only ``XXXXXXXX-X``.

>>> validate('91110000600037341L')
'91110000600037341L'
>>> validate('９１４２０５０６３０８３９０９０６ｘ')
'91420506308390906X'
>>> organization_code('91420506308390906X')
'30839090-6'
"""

from __future__ import annotations

from stdnum.cn import uscc

from hub.standardize import org_code
from hub.standardize.errors import (
    InvalidCharacters,
    InvalidFormat,
    InvalidLength,
    ValidationError,
    error_code,
)
from hub.standardize.outcome import Outcome
from hub.standardize.text import clean, remove_spaces

EXTRAS = ("organization_code",)
_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def compact(number: str | None) -> str:
    """No spaces or hyphens, upper case, half-width.

    >>> compact('9142 0506 3083 9090 6x')
    '91420506308390906X'
    """
    return uscc.compact(remove_spaces(clean(number) or ""))


def validate(number: str) -> str:
    """The canonical code, or what is wrong: ``InvalidLength``, ``InvalidCharacters`` (letters
    outside the alphabet, or letters in the first eight positions), ``InvalidChecksum``.

    >>> validate('91420506K08390906X')
    Traceback (most recent call last):
        ...
    stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
    """
    number = compact(number)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:8].isdigit() or not number.isascii() or not set(number) <= _ALPHABET:
        raise InvalidCharacters()
    try:
        return uscc.validate(number)
    except InvalidFormat as exc:  # stdnum's own shape check; ours above is the same
        raise InvalidCharacters() from exc


def is_valid(number: str) -> bool:
    """Whether ``validate`` accepts the code.

    >>> is_valid('91110000600037341L'), is_valid('91720506308390906X')
    (True, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the stdnum module interface
    """The presentation form (compact)."""
    return compact(number)


def organization_code(number: str) -> str:
    """Positions 9–17 as an organization code ``XXXXXXXX-X`` (of a code of the right length).

    >>> organization_code('92420581MA44P48E0Q')
    'MA44P48E-0'
    """
    number = compact(number)
    if len(number) != 18:
        raise InvalidLength()
    return number[8:16] + "-" + number[16]


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule for one value.

    Valid: the code, its organization code as extra (warning
    ``embedded_organization_code_invalid`` when that part fails GB 11714's own check). Invalid:
    the compacted text and the error; a bare organization code delivered in a credit-code
    column (old records do that) still yields its ``organization_code`` for linkage.

    >>> standardize_value('91110000600037341L')
    Outcome(value='91110000600037341L', error=None, warning=None, extra={'organization_code': '60003734-1'})
    >>> standardize_value('30839090-6')
    Outcome(value='308390906', error='invalid_length', warning=None, extra={'organization_code': '30839090-6'})
    """
    number = compact(value)
    if not number:
        return Outcome(None, None, None, {"organization_code": None})
    try:
        canonical = validate(number)
    except ValidationError as exc:
        embedded = org_code.validate(number) if org_code.is_valid(number) else None
        return Outcome(number, error_code(exc), None, {"organization_code": embedded})
    embedded = organization_code(canonical)
    warning = None if org_code.is_valid(embedded) else "embedded_organization_code_invalid"
    return Outcome(canonical, None, warning, {"organization_code": embedded})
