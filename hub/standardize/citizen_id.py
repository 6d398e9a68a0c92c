"""公民身份号码 — the citizen ID number of GB 11643-1999, as the hub's departments deliver it.

The number is 18 characters: a 6-digit area code (GB/T 2260, where the number was first
issued), the 8-digit birth date, a 3-digit sequence (odd for men, even for women) and an
ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``). It is the key of every person record,
so the hub is strict about what makes it *invalid* and lenient about what is merely *old*:

* Legacy 15-digit numbers (issued before 1999: 2-digit year, no check character) are still held
  by living people and still sit in department systems. They are upgraded to 18 characters
  (``19`` inserted, check character computed) — ``to_18`` — and flagged, never refused.
* An area code no longer in force is normal: people keep the number they were first given, so
  ``422725...`` (远安县 of the former 宜昌地区, before 1992) or ``120202...`` (天津 武清县, before
  1982) are valid. python-stdnum's ``cn.ric`` refuses them (and may raise ``KeyError``), so it is
  used here only for its check-character arithmetic and area table; an unknown or retired area
  code is a *warning*.
* Residence permits for Hong Kong, Macao and Taiwan residents (areas ``810000``/``820000``/
  ``830000``) and the 2023 foreign permanent-residence ID (first digit ``9``) share the layout
  and are valid; ``kind`` tells them apart.
* A wrong check character is *invalid*, never silently corrected: the number may be someone
  else's. ``suggest`` proposes the one-character correction for a steward (or linkage) to
  confirm.

Lenient input: spaces anywhere, full-width digits and a lower-case ``x`` are compacted away.

>>> validate('11010519491231002X')
'11010519491231002X'
>>> validate(' １１０１０５１９４９１２３１００２ｘ ')
'11010519491231002X'
>>> to_18('420500810705191')
'420500198107051919'
>>> validate('11010519491231002')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidLength: The number has an invalid length.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import ric

from hub.standardize._vector import (
    ascii_matrix,
    digits_value,
    matrix_strings,
    to_bool,
    valid_ymd,
)
from hub.standardize.errors import (
    InvalidBirthDate,
    InvalidCharacters,
    InvalidChecksum,
    InvalidLength,
    ValidationError,
    error_code,
)
from hub.standardize.outcome import Columns, Outcome
from hub.standardize.text import clean, clean_array, remove_spaces, remove_spaces_array

MIN_BIRTH_DATE = datetime.date(1890, 1, 1)
HMT_AREAS = {"810000": "Hong Kong", "820000": "Macao", "830000": "Taiwan"}
EXTRAS = ("suggestion",)

# ISO 7064 MOD 11-2: weight of position i is 2**(17-i) mod 11; the check character is chosen
# so that the weighted sum including it (X = 10) is 1 mod 11.
WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum of the 17 digits) mod 11
_CHECK_ORD = np.frombuffer(CHECK_CHARACTERS.encode(), dtype=np.uint8)
_INVERSE_MOD_11 = {w: pow(w, -1, 11) for w in range(1, 11)}

_SHAPE_18 = re.compile(r"[0-9]{17}[0-9X]")
_SHAPE_15 = re.compile(r"[0-9]{15}")
_OTHER_CHARACTER = re.compile(r"[^0-9X]")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def compact(number: str | None) -> str:
    """The number without spaces (anywhere), in half-width characters, with an upper-case ``X``.

    >>> compact(' 420502 20130910 5521 ')
    '420502201309105521'
    >>> compact('４２０５００１９８１１０１１１８７１')
    '420500198110111871'
    >>> compact('42272519660122904x')
    '42272519660122904X'
    """
    return remove_spaces(clean(number) or "").translate(_ASCII_UPPER)


def calc_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits (python-stdnum's arithmetic).

    >>> calc_check_character('11010519491231002')
    'X'
    """
    return ric.calc_check_digit(first17 + "?")  # stdnum expects the number with a check slot


def _shape(number: str) -> int:
    """15 or 18 for a well-formed compact number; else the reason it is not."""
    if _SHAPE_18.fullmatch(number):
        return 18
    if _SHAPE_15.fullmatch(number):
        return 15
    if _OTHER_CHARACTER.search(number) or len(number) in (15, 18):
        raise InvalidCharacters()
    raise InvalidLength()


def to_18(number: str) -> str:
    """The 18-character form: a legacy 15-digit number gets ``19`` and its check character.

    Only the form is checked (length, characters); ``validate`` checks the rest.

    >>> to_18('420500760731553')
    '420500197607315533'
    >>> to_18('11010519491231002x')
    '11010519491231002X'
    """
    number = compact(number)
    if _shape(number) == 15:
        body = number[:6] + "19" + number[6:]
        return body + calc_check_character(body)
    return number


def _birth_date(number18: str, today: datetime.date | None = None) -> datetime.date:
    try:
        born = datetime.date(int(number18[6:10]), int(number18[10:12]), int(number18[12:14]))
    except ValueError:
        raise InvalidBirthDate() from None
    if born < MIN_BIRTH_DATE or born > (today or datetime.date.today()):
        raise InvalidBirthDate()
    return born


def validate(number: str, *, today: datetime.date | None = None) -> str:
    """The canonical 18-character number, or the stdnum exception saying what is wrong.

    Checks, in this order: characters and length (``InvalidCharacters``, a subclass of
    ``InvalidFormat``; ``InvalidLength``), a real birth date from 1890 up to today
    (``InvalidBirthDate``, a subclass of ``InvalidComponent``), the check character
    (``InvalidChecksum``). The area code is *not* checked: see ``area_in_force``.

    >>> validate('422725195910183378')   # 远安县 of the former 宜昌地区: retired in 1992, still valid
    '422725195910183378'
    >>> validate('420500179409069562')
    Traceback (most recent call last):
        ...
    hub.standardize.errors.InvalidBirthDate: The birth date in the number is not a real date in the accepted range.
    >>> validate('110105194912310021')
    Traceback (most recent call last):
        ...
    stdnum.exceptions.InvalidChecksum: The number's checksum or check digit is invalid.
    """
    number = compact(number)
    shape = _shape(number)
    number18 = to_18(number) if shape == 15 else number
    _birth_date(number18, today)
    if shape == 18 and number[17] != calc_check_character(number[:17]):
        raise InvalidChecksum()
    return number18


def is_valid(number: str) -> bool:
    """Whether ``validate`` accepts the number.

    >>> is_valid('11010519491231002X'), is_valid('110105194912310021')
    (True, False)
    """
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def format(number: str) -> str:  # noqa: A001 - the stdnum module interface
    """The presentation form: compact, 18 characters where the form allows it.

    >>> format('420500 810705 191')
    '420500198107051919'
    """
    try:
        return to_18(number)
    except ValidationError:
        return compact(number)


def kind(number: str) -> str:
    """``'resident'``, ``'hmt_residence_permit'`` or ``'foreign_permanent_resident'``.

    >>> kind('11010519491231002X'), kind('810000199408230021'), kind('911156198001010012')
    ('resident', 'hmt_residence_permit', 'foreign_permanent_resident')
    """
    number = compact(number)
    if number[:6] in HMT_AREAS:
        return "hmt_residence_permit"
    if number.startswith("9"):
        return "foreign_permanent_resident"
    return "resident"


def birth_date(number: str) -> datetime.date:
    """The birth date the number carries (``InvalidBirthDate`` if it has none).

    >>> birth_date('420500810705191')
    datetime.date(1981, 7, 5)
    """
    return _birth_date(to_18(number))


def sex(number: str) -> str:
    """The GB/T 2261.1 sex code the sequence number implies: ``'1'`` (odd, male) or ``'2'``.

    >>> sex('11010519491231002X')
    '2'
    """
    return "1" if int(to_18(number)[16]) % 2 else "2"


def area_code(number: str) -> str:
    """The 6-digit area code (GB/T 2260) the number was issued under.

    >>> area_code('422725195910183378')
    '422725'
    """
    return to_18(number)[:6]


@lru_cache(maxsize=8192)
def area_status(code: str) -> str:
    """``'in_force'``, ``'not_in_force'`` or ``'unknown'`` for a 6-digit area code.

    Read from python-stdnum's GB/T 2260 history, where a name carries the years it was in use
    (``[-1992]远安县``); an open end or no years means in force. Never raises.

    >>> area_status('420502'), area_status('422725'), area_status('400504')
    ('in_force', 'not_in_force', 'unknown')
    """
    from stdnum import numdb

    try:
        parts = numdb.get("cn/loc").info(code)
    except Exception:  # noqa: BLE001 - a lookup must never break standardization
        return "unknown"
    names = [props["county"] for _, props in parts if "county" in props]
    if len(code) != 6 or not code.isdigit() or not names:
        return "unknown"
    for name in names[-1].split(","):
        if not name.startswith("["):
            return "in_force"
        years = name[1:].split("]", 1)[0]
        if years.endswith("-"):
            return "in_force"
    return "not_in_force"


def area_in_force(number: str) -> bool:
    """Whether the number's area code is in force today (``False`` if retired or unknown).

    Never raises, whatever the input.

    >>> area_in_force('420502198905112934'), area_in_force('422725195910183378')
    (True, False)
    >>> area_in_force('not a number')
    False
    """
    try:
        return area_status(compact(number)[:6]) == "in_force"
    except Exception:  # noqa: BLE001
        return False


def _area_warning(number18: str) -> str | None:
    if kind(number18) != "resident":
        return None
    status = area_status(number18[:6])
    if status == "not_in_force":
        return "area_code_not_in_force"
    if status == "unknown":
        return "area_code_unknown"
    return None


def suggest(number: str, *, today: datetime.date | None = None) -> str | None:
    """The valid number one substituted character away, when there is exactly one answer.

    Only for 18-character numbers that are invalid. When changing the check character makes the
    number valid, that is the suggestion (any single wrong digit can be "fixed" at many
    positions, the check character at one); otherwise the single substitution that makes it
    valid, or ``None`` if there is none or more than one. A suggestion is never applied: the
    number stays invalid until a person confirms it.

    >>> suggest('110105194912310021')
    '11010519491231002X'
    >>> suggest('422727197983107029')   # month 83: only 1979-03 gives a valid number
    '422727197903107029'
    >>> suggest('11010519491231002X') is None
    True
    """
    number = compact(number)
    if not _SHAPE_18.fullmatch(number) or _is_valid_on(number, today):
        return None
    candidates: list[tuple[int, str]] = []
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for character in alphabet:
            if character != number[position]:
                candidate = number[:position] + character + number[position + 1 :]
                if _is_valid_on(candidate, today):
                    candidates.append((position, candidate))
    for position, candidate in candidates:
        if position == 17:
            return candidate
    return candidates[0][1] if len(candidates) == 1 else None


def _is_valid_on(number: str, today: datetime.date | None) -> bool:
    """``is_valid`` as of ``today``."""
    try:
        return bool(validate(number, today=today))
    except ValidationError:
        return False


def standardize_value(value: str | None) -> Outcome:
    """The registry's rule for one value (the specification ``standardize_array`` follows).

    Valid: the 18-character number, warning ``legacy_id_upgraded`` for a 15-digit one, else
    ``area_code_not_in_force`` / ``area_code_unknown`` for a resident's retired or unknown area.
    Invalid: the compacted text (linkage can still use it), the error code, and a suggestion.

    >>> standardize_value('420500810705191')
    Outcome(value='420500198107051919', error=None, warning='legacy_id_upgraded', extra={'suggestion': None})
    >>> standardize_value('110105194912310021')
    Outcome(value='110105194912310021', error='invalid_check_character', warning=None, extra={'suggestion': '11010519491231002X'})
    """
    number = compact(value)
    if not number:
        return Outcome(None, None, None, {"suggestion": None})
    try:
        canonical = validate(number)
    except ValidationError as exc:
        return Outcome(number, error_code(exc), None, {"suggestion": suggest(number)})
    warning = "legacy_id_upgraded" if len(number) == 15 else _area_warning(canonical)
    return Outcome(canonical, None, warning, {"suggestion": None})


# -- vectorised -----------------------------------------------------------------------------


def _today_int(today: datetime.date | None) -> int:
    today = today or datetime.date.today()
    return today.year * 10000 + today.month * 100 + today.day


def _birth_ok(digits: np.ndarray, today_int: int) -> np.ndarray:
    """Birth date (columns 6..13 of an (n, >=14) digit matrix) real, from 1890, not after today."""
    col = [digits[:, i].astype(np.int32) for i in range(6, 14)]
    year = col[0] * 1000 + col[1] * 100 + col[2] * 10 + col[3]
    month = col[4] * 10 + col[5]
    day = col[6] * 10 + col[7]
    ymd = year * 10000 + month * 100 + day
    return valid_ymd(year, month, day) & (ymd >= 18900101) & (ymd <= today_int)


def _weighted_sum(digits: np.ndarray) -> np.ndarray:
    """Sum of the 17 digits times their MOD 11-2 weights, mod 11 (column by column: no copy)."""
    total = np.zeros(len(digits), dtype=np.int32)
    for i in range(17):
        total += digits[:, i].astype(np.int32) * int(WEIGHTS[i])
    return total % 11


def _suggest_matrix(matrix: np.ndarray, today_int: int) -> np.ndarray:
    """``suggest`` for rows of 18 ASCII characters that are all invalid numbers."""
    n = len(matrix)
    out = np.full(n, None, dtype=object)
    if n == 0:
        return out
    digits = matrix[:, :17].astype(np.int64) - 48
    check = np.where(matrix[:, 17] == ord("X"), 10, matrix[:, 17].astype(np.int64) - 48)
    total = _weighted_sum(digits)
    birth_ok = _birth_ok(digits, today_int)
    # A real birth date: the wrong part is the check character, and only it is proposed.
    if birth_ok.any():
        fixed = matrix[birth_ok].copy()
        fixed[:, 17] = _CHECK_ORD[total[birth_ok]]
        out[birth_ok] = matrix_strings(fixed)
    # No real birth date: a single substitution must mend the date and keep the check; only
    # positions inside the date (6..13) can mend it.
    rest = np.flatnonzero(~birth_ok)
    if len(rest):
        d = digits[rest]
        need = (1 - total[rest] - check[rest]) % 11
        count = np.zeros(len(rest), dtype=np.int64)
        found = matrix[rest].copy()
        for position in range(6, 14):
            step = (need * _INVERSE_MOD_11[int(WEIGHTS[position])]) % 11
            new = d[:, position] + step
            new = np.where(new > 9, new - 11, new)
            ok = (step != 0) & (new >= 0) & (new <= 9)
            if not ok.any():
                continue
            trial = d.copy()
            trial[:, position] = np.where(ok, new, trial[:, position])
            ok &= _birth_ok(trial, today_int)
            count += ok
            found[ok, position] = (new[ok] + 48).astype(np.uint8)
        unique = count == 1
        if unique.any():
            out[rest[unique]] = matrix_strings(found[unique])
    return out


def _area_warnings(matrix: np.ndarray) -> np.ndarray:
    """Warnings for valid 18-character residents' area codes, one lookup per distinct area."""
    out = np.full(len(matrix), None, dtype=object)
    if not len(matrix):
        return out
    areas = digits_value(matrix[:, :6])
    distinct, inverse = np.unique(areas, return_inverse=True)
    codes = np.empty(len(distinct), dtype=object)
    for i, area in enumerate(distinct.tolist()):
        code = f"{area:06d}"
        codes[i] = (
            None if code[0] == "9" or code in HMT_AREAS else _STATUS_WARNING[area_status(code)]
        )
    return codes[inverse.ravel()]


_STATUS_WARNING = {
    "in_force": None,
    "not_in_force": "area_code_not_in_force",
    "unknown": "area_code_unknown",
}


def _compact_array(array: pa.Array) -> pa.Array:
    cleaned = clean_array(array).fill_null("")
    return pc.ascii_upper(remove_spaces_array(cleaned))


def standardize_array(
    array: pa.Array, *, objects: np.ndarray | None = None, today: datetime.date | None = None
) -> Columns:
    """``standardize_value`` over a pyarrow string array, vectorised with numpy.

    Values already in canonical form skip the cleaning; the check character, birth date and
    legacy upgrade are computed on an (n, 18) uint8 matrix taken straight from Arrow's buffer.
    ``objects``, the same values as Python strings when the caller has them, are reused for the
    values that are already canonical instead of making new string objects.
    """
    n = len(array)
    out = Columns.empty(n, EXTRAS)
    if n == 0:
        return out
    today_int = _today_int(today)
    present = to_bool(array.is_valid())
    canonical_shape = to_bool(pc.match_substring_regex(array, r"^[0-9]{17}[0-9X]$"))
    slow = np.flatnonzero(present & ~canonical_shape)

    groups_18 = [(np.flatnonzero(canonical_shape), array.filter(pa.array(canonical_shape)))]
    if len(slow):
        compacted = _compact_array(array.take(pa.array(slow)))
        is18 = to_bool(pc.match_substring_regex(compacted, r"^[0-9]{17}[0-9X]$"))
        is15 = to_bool(pc.match_substring_regex(compacted, r"^[0-9]{15}$"))
        empty = to_bool(pc.equal(pc.binary_length(compacted), 0))
        groups_18.append((slow[is18], compacted.filter(pa.array(is18))))
        _legacy(out, slow[is15], compacted.filter(pa.array(is15)), today_int)
        bad = ~(is18 | is15 | empty)
        if bad.any():
            bad_text = compacted.filter(pa.array(bad))
            other = to_bool(pc.match_substring_regex(bad_text, r"[^0-9X]"))
            length = pc.utf8_length(bad_text).to_numpy(zero_copy_only=False)
            characters = other | (length == 15) | (length == 18)
            positions = slow[bad]
            out.value[positions] = bad_text.to_numpy(zero_copy_only=False)
            out.error[positions] = np.where(characters, "invalid_characters", "invalid_length")

    for positions, texts in groups_18:
        if len(positions):
            reuse = objects[positions] if objects is not None and texts is groups_18[0][1] else None
            _eighteen(out, positions, texts, today_int, reuse)
    return out


def _eighteen(
    out: Columns, positions: np.ndarray, texts: pa.Array, today_int: int, objects: np.ndarray | None
) -> None:
    matrix = ascii_matrix(texts, 18)
    digits = matrix - np.uint8(48)  # uint8 wraps for "X": only the first 17 columns are used
    check_ok = matrix[:, 17] == _CHECK_ORD[_weighted_sum(digits)]
    birth_ok = _birth_ok(digits, today_int)
    out.value[positions] = objects if objects is not None else texts.to_numpy(zero_copy_only=False)
    valid = birth_ok & check_ok
    if not valid.all():
        out.error[positions[~check_ok]] = "invalid_check_character"
        out.error[positions[~birth_ok]] = "invalid_birth_date"
    if valid.any():
        out.warning[positions[valid]] = _area_warnings(matrix[valid])
    if (~valid).any():
        out.extra["suggestion"][positions[~valid]] = _suggest_matrix(matrix[~valid], today_int)


def _legacy(out: Columns, positions: np.ndarray, texts: pa.Array, today_int: int) -> None:
    if not len(positions):
        return
    matrix15 = ascii_matrix(texts, 15)
    body = np.concatenate(
        [
            matrix15[:, :6],
            np.tile(np.frombuffer(b"19", dtype=np.uint8), (len(matrix15), 1)),
            matrix15[:, 6:],
        ],
        axis=1,
    )
    digits = body - np.uint8(48)
    upgraded = np.concatenate([body, _CHECK_ORD[_weighted_sum(digits)][:, None]], axis=1)
    birth_ok = _birth_ok(digits, today_int)
    values = texts.to_numpy(zero_copy_only=False)
    if birth_ok.any():
        values[birth_ok] = matrix_strings(upgraded[birth_ok])
    out.value[positions] = values
    out.error[positions] = np.where(birth_ok, None, "invalid_birth_date")
    out.warning[positions] = np.where(birth_ok, "legacy_id_upgraded", None)
