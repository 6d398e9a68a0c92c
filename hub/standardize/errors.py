"""The closed vocabularies of what can be wrong (errors) or worth knowing (warnings) about a value.

Stewards filter on these codes and departments get them back as feedback, so a code never
changes meaning; new codes may be added, old ones are never reused. The identifier modules raise
python-stdnum's exceptions (``InvalidLength``, ``InvalidFormat``, ``InvalidChecksum``,
``InvalidComponent``) so that code written against stdnum works unchanged; the subclasses below
only add the ``code`` that names the problem in this vocabulary.
"""

from __future__ import annotations

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

ERROR_CODES: dict[str, str] = {
    "invalid_length": "the identifier has the wrong number of characters",
    "invalid_characters": "characters the standard does not allow (letters in a citizen ID; digits or symbols in a name)",
    "invalid_format": "the value does not have the structure its standard prescribes",
    "invalid_birth_date": "the birth date inside a citizen ID does not exist, is before 1890 or in the future",
    "invalid_check_character": "the check character does not match the rest of the identifier",
    "invalid_date": "not a date (or date-time) in an accepted format, or a date that does not exist (2023-02-30)",
    "invalid_number": "not a plain number (units such as 元 or 万 are not stripped)",
    "unknown_code": "not a code or label of the code table",
    "unknown_value": "not one of the values the contract allows",
    "invalid_phone": "neither an 11-digit mobile number nor a landline number with a valid area code",
}

WARNING_CODES: dict[str, str] = {
    "legacy_id_upgraded": "a 15-digit citizen ID (pre-1999) was upgraded to its 18-character form",
    "area_code_not_in_force": "the ID's area code existed but is no longer in force (e.g. 422725, old 宜昌地区)",
    "area_code_unknown": "the ID's area code is not in the GB/T 2260 history known to the hub",
    "area_code_assumed": "a landline without area code was taken to be in 宜昌 (0717)",
    "time_discarded": "a date-time was given where a date was expected; its time of day was dropped",
    "embedded_organization_code_invalid": "positions 9-17 of a valid credit code fail the GB 11714 check",
}


class InvalidCharacters(InvalidFormat):
    """Characters outside the identifier's alphabet (letters in a citizen ID, I/O/Z/S/V in a USCC)."""

    code = "invalid_characters"
    message = "The number contains invalid characters."


class InvalidBirthDate(InvalidComponent):
    """The birth date of a citizen ID does not exist, is before 1890 or in the future."""

    code = "invalid_birth_date"
    message = "The birth date in the number is not a real date in the accepted range."


class InvalidStructure(InvalidFormat):
    """The value does not have the parts its standard prescribes (a grid code's county...)."""

    code = "invalid_format"


class InvalidDate(InvalidFormat):
    """Not a date in an accepted format, or a date that does not exist."""

    code = "invalid_date"
    message = "Not a date in an accepted format, or a date that does not exist."


class InvalidNumber(InvalidFormat):
    """Not a plain number."""

    code = "invalid_number"
    message = "Not a plain number."


class InvalidPhone(InvalidFormat):
    """Neither a mobile nor a landline number."""

    code = "invalid_phone"
    message = "Not a mobile or landline phone number."


class UnknownCode(InvalidComponent):
    """Neither a code nor a label of the code table."""

    code = "unknown_code"
    message = "Not a code or label of the code table."


class UnknownValue(InvalidComponent):
    """Not one of the allowed values."""

    code = "unknown_value"
    message = "Not one of the allowed values."


_BASE_CODES: list[tuple[type[ValidationError], str]] = [
    (InvalidLength, "invalid_length"),
    (InvalidChecksum, "invalid_check_character"),
    (InvalidFormat, "invalid_format"),
    (InvalidComponent, "invalid_format"),
]


def error_code(exc: ValidationError) -> str:
    """The vocabulary code of a validation exception (stdnum's own classes included).

    >>> from stdnum.cn import uscc
    >>> try:
    ...     uscc.validate('91110000600037341A')
    ... except ValidationError as exc:
    ...     error_code(exc)
    'invalid_check_character'
    """
    code = getattr(exc, "code", None)
    if code:
        return code
    for cls, name in _BASE_CODES:
        if isinstance(exc, cls):
            return name
    return "invalid_format"
