"""GB 11643 citizen IDs: real-world shapes from the extracts, legacy upgrades, suggestions."""

from __future__ import annotations

import datetime

import pytest
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from hub.standardize import citizen_id

PUBLISHED = "11010519491231002X"  # the example of GB 11643 itself


def test_the_published_example_is_valid():
    assert citizen_id.validate(PUBLISHED) == PUBLISHED
    assert citizen_id.is_valid(PUBLISHED)
    assert citizen_id.birth_date(PUBLISHED) == datetime.date(1949, 12, 31)
    assert citizen_id.sex(PUBLISHED) == "2"
    assert citizen_id.area_code(PUBLISHED) == "110105"
    assert citizen_id.kind(PUBLISHED) == "resident"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("11010519491231002x", PUBLISHED),  # lower-case x
        (" 11010519491231002X ", PUBLISHED),  # surrounding spaces (police, civil affairs)
        ("１１０１０５１９４９１２３１００２Ｘ", PUBLISHED),  # full width
        ("１１０１０５１９４９１２３１００２ｘ", PUBLISHED),
        ("110105 19491231 002X", PUBLISHED),  # grouped with spaces (social security)
        ("110105\u300019491231002X", PUBLISHED),  # ideographic space
        ("４２０５００１９８１１０１１１８７１", "420500198110111871"),  # from gaj_rkxx
    ],
)
def test_lenient_input_is_compacted(raw, canonical):
    assert citizen_id.validate(raw) == canonical


@pytest.mark.parametrize(
    ("legacy", "upgraded"),
    [
        ("420500810705191", "420500198107051919"),  # 马红 in gaj_rkxx; 18-digit form in rsj_cbxx
        ("420500760731553", "420500197607315533"),
        ("422722540121803", "422722195401218035"),  # 王德胜: both forms appear in mzj_dbdx
        ("422728800828014", "422728198008280141"),  # 夏丽
    ],
)
def test_legacy_15_digit_numbers_are_upgraded(legacy, upgraded):
    assert citizen_id.to_18(legacy) == upgraded
    assert citizen_id.validate(legacy) == upgraded
    assert ric.is_valid(upgraded) or upgraded.startswith("4227")  # stdnum agrees on the check
    assert citizen_id.calc_check_character(upgraded[:17]) == upgraded[17]
    outcome = citizen_id.standardize_value(legacy)
    assert (outcome.value, outcome.error, outcome.warning) == (upgraded, None, "legacy_id_upgraded")


def test_a_legacy_number_with_an_impossible_birth_date_is_invalid():
    with pytest.raises(InvalidComponent):
        citizen_id.validate("420500000000000")
    outcome = citizen_id.standardize_value("420500000000000")
    assert (outcome.value, outcome.error) == ("420500000000000", "invalid_birth_date")


@pytest.mark.parametrize(
    ("number", "warning"),
    [
        ("422725195910183378", "area_code_not_in_force"),  # 远安县, 宜昌地区 until 1992
        ("42272519620925817X", "area_code_not_in_force"),
        ("120202197307301469", "area_code_not_in_force"),  # 天津 武清县, until 1982
        ("420502198905112934", None),  # 西陵区, in force
        ("420500198006227241", None),  # 宜昌市 itself
    ],
)
def test_area_codes_no_longer_in_force_are_valid_with_a_warning(number, warning):
    assert citizen_id.is_valid(number)
    assert citizen_id.area_in_force(number) is (warning is None)
    outcome = citizen_id.standardize_value(number)
    assert (outcome.value, outcome.error, outcome.warning) == (number, None, warning)


def test_an_area_code_unknown_to_gb_2260_is_a_warning_not_an_error():
    number = "400504199112218692"  # province 40 does not exist
    number = number[:17] + citizen_id.calc_check_character(number[:17])
    assert citizen_id.area_status("400504") == "unknown"
    outcome = citizen_id.standardize_value(number)
    assert (outcome.error, outcome.warning) == (None, "area_code_unknown")


def test_stdnum_refuses_what_the_hub_accepts():
    # The reason for wrapping stdnum: it refuses real people's numbers.
    for number in ("810000199408230021", "830000199201300022"):
        assert not ric.is_valid(number)
    assert citizen_id.area_in_force("garbage") is False  # never raises


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("81000019940823002", "hmt_residence_permit"),
        ("82000019900101001", "hmt_residence_permit"),
        ("83000019920130002", "hmt_residence_permit"),
        ("91115619800101001", "foreign_permanent_resident"),  # 2023 permanent-residence ID
    ],
)
def test_residence_permits_and_foreign_permanent_residence_ids(body, kind):
    number = body + citizen_id.calc_check_character(body)
    assert citizen_id.kind(number) == kind
    outcome = citizen_id.standardize_value(number)
    assert (outcome.value, outcome.error, outcome.warning) == (number, None, None)


@pytest.mark.parametrize(
    ("raw", "exception", "code"),
    [
        ("11010519491231002", InvalidLength, "invalid_length"),
        ("1101051949123100200", InvalidLength, "invalid_length"),
        ("4205021989051129A4", InvalidFormat, "invalid_characters"),
        ("42050X198905112934", InvalidFormat, "invalid_characters"),
        ("420500179409069562", InvalidComponent, "invalid_birth_date"),  # 1794: a transposition
        ("422727197983107029", InvalidComponent, "invalid_birth_date"),  # month 83
        ("420500188001010010", InvalidComponent, "invalid_birth_date"),  # before 1890
        ("110105194912310021", InvalidChecksum, "invalid_check_character"),
        ("420500196102194159", InvalidChecksum, "invalid_check_character"),  # 雷慧, wgy_cj
    ],
)
def test_invalid_numbers_raise_stdnum_exceptions_with_codes(raw, exception, code):
    with pytest.raises(exception):
        citizen_id.validate(raw)
    outcome = citizen_id.standardize_value(raw)
    assert outcome.error == code
    assert outcome.value == citizen_id.compact(raw)  # kept for linkage


def test_a_birth_date_in_the_future_is_invalid():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    body = f"420502{tomorrow:%Y%m%d}001"
    with pytest.raises(InvalidComponent):
        citizen_id.validate(body + citizen_id.calc_check_character(body))
    assert citizen_id.is_valid(body + citizen_id.calc_check_character(body)) is False
    assert citizen_id.validate(body + citizen_id.calc_check_character(body), today=tomorrow)


def test_a_wrong_check_character_is_never_silently_corrected():
    outcome = citizen_id.standardize_value("110105194912310021")
    assert outcome.value == "110105194912310021"
    assert outcome.error == "invalid_check_character"
    assert outcome.extra["suggestion"] == PUBLISHED


@pytest.mark.parametrize(
    ("wrong", "suggestion"),
    [
        ("110105194912310021", PUBLISHED),  # the check character itself
        # 雷慧 (wgy_cj) is 420500196102194129 in the police register: the typo is a digit, but
        # the rule proposes the check character — which is why a suggestion is never applied.
        ("420500196102194159", "420500196102194153"),
        ("422727197983107029", "422727197903107029"),  # 董丽: month 83, the one possible mend
        # 王敬 is 1974; "1794" has one single-substitution mend, 1894, and it is proposed.
        ("420500179409069562", "420500189409069562"),
        ("420500179409069563", None),  # no single substitution makes this one valid
    ],
)
def test_suggestions(wrong, suggestion):
    assert citizen_id.suggest(wrong) == suggestion
    if suggestion is not None:
        assert citizen_id.is_valid(suggestion)


def test_suggestion_prefers_the_check_character_when_several_edits_fix_the_number():
    wrong = "110105194912310021"
    fixes = [
        wrong[:i] + c + wrong[i + 1 :]
        for i in range(18)
        for c in ("0123456789X" if i == 17 else "0123456789")
        if c != wrong[i] and citizen_id.is_valid(wrong[:i] + c + wrong[i + 1 :])
    ]
    assert len(fixes) > 1 and PUBLISHED in fixes
    assert citizen_id.suggest(wrong) == PUBLISHED


def test_no_suggestion_for_valid_or_unsuggestable_numbers():
    assert citizen_id.suggest(PUBLISHED) is None
    assert citizen_id.suggest("420500810705191") is None  # 15 digits: no check character
    assert citizen_id.suggest("42050219890511293") is None  # wrong length
    assert citizen_id.suggest("") is None


def test_format_and_empty_values():
    assert citizen_id.format("420500 810705 191") == "420500198107051919"
    assert citizen_id.format("abc") == "ABC"
    for empty in (None, "", "   ", "\u3000"):
        assert citizen_id.standardize_value(empty).value is None
        assert citizen_id.standardize_value(empty).error is None
