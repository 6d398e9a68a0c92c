"""Legal-entity identifiers (GB 32100, GB 11714, 工商注册号), owner IDs and place codes."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from hub.standardize import credit_code, org_code, party_id, place_codes, registration_number

# Real and sample codes, each with the organization code at positions 9-17.
CREDIT_CODES = [
    ("91110000600037341L", "60003734-1"),  # a real, published code
    ("91420506308390906X", "30839090-6"),  # scjgj_qydj; its organization code is in rsj_cbxx
    ("91420500535133993K", "53513399-3"),
    ("92420581MA44P48E0Q", "MA44P48E-0"),  # individual business, MA-series
    ("914205067825887417", "78258874-1"),  # all digits
]


@pytest.mark.parametrize(("code", "organization"), CREDIT_CODES)
def test_credit_codes_carry_their_organization_code(code, organization):
    assert uscc.is_valid(code)  # stdnum agrees
    assert credit_code.validate(code) == code
    assert credit_code.organization_code(code) == organization
    assert org_code.is_valid(organization)
    outcome = credit_code.standardize_value(code)
    assert (outcome.value, outcome.error, outcome.warning) == (code, None, None)
    assert outcome.extra == {"organization_code": organization}


def test_credit_code_input_is_compacted():
    assert credit_code.validate(" 9142 0506 3083 9090 6x ") == "91420506308390906X"
    assert credit_code.validate("９１４２０５０６３０８３９０９０６Ｘ") == "91420506308390906X"


@pytest.mark.parametrize(
    ("raw", "exception", "code"),
    [
        ("91720506308390906X", InvalidChecksum, "invalid_check_character"),  # rsj_cbxx typo
        ("91420506K08390906X", InvalidChecksum, "invalid_check_character"),
        ("9142050630839090", InvalidLength, "invalid_length"),
        ("914205063083909O6X", InvalidFormat, "invalid_characters"),  # letter O
        ("9A420506308390906X", InvalidFormat, "invalid_characters"),
    ],
)
def test_invalid_credit_codes(raw, exception, code):
    with pytest.raises(exception):
        credit_code.validate(raw)
    assert credit_code.standardize_value(raw).error == code


def test_a_bare_organization_code_in_a_credit_code_column_still_links():
    # rsj_cbxx delivers 30839090-6 in 单位统一社会信用代码 for old employers.
    outcome = credit_code.standardize_value("30839090-6")
    assert outcome.error == "invalid_length"
    assert outcome.extra["organization_code"] == "30839090-6"


def test_a_credit_code_whose_embedded_organization_code_fails_its_check_is_flagged():
    body = "91420500" + "53513398" + "3"  # organization code 53513398-3: wrong check
    code = body + uscc.calc_check_digit(body)
    outcome = credit_code.standardize_value(code)
    assert (outcome.error, outcome.warning) == (None, "embedded_organization_code_invalid")


@pytest.mark.parametrize(
    "raw", ["30839090-6", "308390906", " ３０８３９０９０－６ ", "30839090 - 6"]
)
def test_organization_codes_with_and_without_hyphen(raw):
    assert org_code.validate(raw) == "30839090-6"
    assert org_code.standardize_value(raw).value == "30839090-6"


def test_organization_code_check_character_x_and_0():
    assert org_code.calc_check_character("10000018") == "X"  # 11 - sum mod 11 = 10
    assert org_code.calc_check_character("MA44P48E") == "0"  # 11 - sum mod 11 = 11
    assert org_code.validate("10000018-x") == "10000018-X"
    assert org_code.standardize_value("60003734-2").error == "invalid_check_character"
    assert org_code.standardize_value("6000373-1").error == "invalid_length"
    assert org_code.standardize_value("6000373#-1").error == "invalid_characters"


@pytest.mark.parametrize(
    "number", ["420500145799244", "420582110822991", "420506061088220", "420503996837817"]
)
def test_registration_numbers_from_the_enterprise_register(number):
    assert registration_number.validate(number) == number


def test_invalid_registration_numbers():
    assert (
        registration_number.standardize_value("420500145799245").error == "invalid_check_character"
    )
    assert registration_number.standardize_value("42050014579924").error == "invalid_length"
    assert registration_number.standardize_value("42050014579924A").error == "invalid_characters"


@pytest.mark.parametrize(
    ("raw", "value", "party_type", "error"),
    [
        ("420529200108221097", "420529200108221097", "person", None),
        ("420581940521100", "420581199405211004", "person", None),  # legacy, bdc_djxx
        ("91420506308390906X", "91420506308390906X", "organization", None),
        ("914205067825887417", "914205067825887417", "organization", None),  # all digits
        ("400504199112218699", "400504199112218699", None, "invalid_check_character"),
        ("91420506K08390906X", "91420506K08390906X", None, "invalid_check_character"),
        ("", None, None, None),
    ],
)
def test_party_ids_are_people_or_organizations(raw, value, party_type, error):
    outcome = party_id.standardize_value(raw)
    assert (outcome.value, outcome.extra["party_type"], outcome.error) == (value, party_type, error)


@pytest.mark.parametrize(
    ("func", "raw", "value", "error"),
    [
        (place_codes.standardize_grid_code, "420502001001001", "420502001001001", None),
        (
            place_codes.standardize_grid_code,
            " ４２０５０２００１００１００１",
            "420502001001001",
            None,
        ),
        (place_codes.standardize_grid_code, "42050200100100", "42050200100100", "invalid_length"),
        (place_codes.standardize_grid_code, "430502001001001", "430502001001001", "invalid_format"),
        (
            place_codes.standardize_grid_code,
            "42050200100100A",
            "42050200100100A",
            "invalid_characters",
        ),
        (
            place_codes.standardize_std_address_code,
            "42050200100100100101",
            "42050200100100100101",
            None,
        ),
        (
            place_codes.standardize_std_address_code,
            "42050200100100102301-2-1502",
            "42050200100100102301-2-1502",
            None,
        ),
        (
            place_codes.standardize_std_address_code,
            "42050200100100102301—2—1502",
            "42050200100100102301-2-1502",
            None,
        ),
        (
            place_codes.standardize_std_address_code,
            "4205020010010010010",
            "4205020010010010010",
            "invalid_length",
        ),
        (
            place_codes.standardize_std_address_code,
            "42050200100100100101-1",
            "42050200100100100101-1",
            "invalid_format",
        ),
        (
            place_codes.standardize_unit_number,
            "420529001001GB00001F00010001",
            "420529001001GB00001F00010001",
            None,
        ),
        (
            place_codes.standardize_unit_number,
            "420529001001gb00001f00010001",
            "420529001001GB00001F00010001",
            None,
        ),
        (
            place_codes.standardize_unit_number,
            "420529001001GB00001F0001000",
            "420529001001GB00001F0001000",
            "invalid_length",
        ),
        (
            place_codes.standardize_unit_number,
            "420529001001XB00001F00010001",
            "420529001001XB00001F00010001",
            "invalid_format",
        ),
        (place_codes.standardize_unit_number, "", None, None),
    ],
)
def test_place_codes(func, raw, value, error):
    outcome = func(raw)
    assert (outcome.value, outcome.error) == (value, error)
