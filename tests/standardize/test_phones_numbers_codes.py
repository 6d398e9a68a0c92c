"""Phones, plain numbers, code tables and closed lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.standardize import code_tables, numeric, phones


@pytest.mark.parametrize(
    ("raw", "canonical", "warning"),
    [
        ("15742252743", "15742252743", None),
        ("+86 15742252743", "15742252743", None),  # wgy_cj
        ("+8615742252743", "15742252743", None),
        ("8615742252743", "15742252743", None),
        ("0086 157 4225 2743", "15742252743", None),
        ("１８６５１３７６６２１", "18651376621", None),  # full width, wgy_cj
        ("157-4257-9403", "15742579403", None),  # mzj_dbdx
        ("159 5836 7032", "15958367032", None),
        ("0717-1234567", "0717-1234567", None),
        ("0717-12345678", "0717-12345678", None),
        ("(0717)1234567", "0717-1234567", None),
        ("（0717）1234567", "0717-1234567", None),
        ("07176234567", "0717-6234567", None),
        ("+86 717 6234567", "0717-6234567", None),
        ("6234567", "0717-6234567", "area_code_assumed"),  # bare local number
        ("62345678", "0717-62345678", "area_code_assumed"),
        ("027-87654321", "027-87654321", None),  # 武汉
    ],
)
def test_phone_numbers(raw, canonical, warning):
    assert phones.parse(raw) == (canonical, warning)


@pytest.mark.parametrize(
    "raw",
    [
        "1574225274",  # 10 digits
        "157422527431",  # 12 digits
        "12345678901",  # 12x is no mobile prefix
        "1234567",  # a bare number starting with 1: a mobile missing digits
        "0717-1234567-801",  # extension
        "13800000000/13900000000",  # two numbers
        "+1 415 555 2671",  # foreign
        "0717-123456",  # local part too short
        "015-12345678",  # 015 is no area code
        "无",
    ],
)
def test_invalid_phone_numbers(raw):
    outcome = phones.standardize_value(raw)
    assert (outcome.value, outcome.error) == (None, "invalid_phone")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("680", Decimal("680")),
        ("720.00", Decimal("720.00")),
        ("５０.５", Decimal("50.5")),
        ("1,000", Decimal("1000")),
        ("-3.5", Decimal("-3.5")),
        (".5", Decimal("0.5")),
    ],
)
def test_decimals(raw, value):
    assert numeric.parse_decimal(raw) == value


@pytest.mark.parametrize(
    "raw", ["720元", "750元", "5万", "1,00", "1.2.3", "NaN", "inf", "1e5", "--1"]
)
def test_units_and_non_numbers_are_errors_not_stripped(raw):
    assert numeric.standardize_decimal(raw) == (None, "invalid_number", None, {})
    assert numeric.standardize_integer(raw).error == "invalid_number"


def test_integers():
    assert numeric.parse_integer("42") == 42
    assert numeric.parse_integer("12.0") == 12
    assert numeric.standardize_integer("12.5").error == "invalid_number"
    assert numeric.standardize_integer("") == (None, None, None, {})


@pytest.mark.parametrize(
    ("table", "raw", "code"),
    [
        ("sex", "1", "1"),
        ("sex", "男", "1"),
        ("sex", "女", "2"),
        ("sex", " 女性 ", "2"),
        ("sex", "0", "0"),
        ("sex", "9", "9"),
        ("sex", "未说明的性别", "9"),
        ("ethnicity", "01", "01"),
        ("ethnicity", "1", "01"),  # a spreadsheet dropped the zero
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "汉", "01"),
        ("ethnicity", "土家族", "15"),
        ("ethnicity", "03", "03"),
        ("ethnicity", "97", "97"),
        ("ethnicity", "外国血统", "98"),
        ("family_relation", "02", "02"),
        ("family_relation", "2", "02"),
        ("family_relation", "户主", "02"),
        ("family_relation", "配偶", "10"),
        ("family_relation", "子", "20"),
        ("family_relation", "女", "30"),
        ("family_relation", "父母", "50"),
        ("family_relation", "其他", "99"),
        ("family_relation", "01", "01"),
        ("family_relation", "妻", "12"),
        ("person_status", "0", "0"),
        ("person_status", "死亡", "1"),
        ("county", "420502", "420502"),
        ("county", "西陵区", "420502"),
        ("county", "长阳", "420528"),
        ("county", "429021", "429021"),
    ],
)
def test_code_lookup(table, raw, code):
    assert code_tables.lookup(table, raw) == code


@pytest.mark.parametrize(
    ("table", "raw"),
    [
        ("family_relation", "租户"),  # not a family relation (gridworker collection)
        ("sex", "3"),
        ("ethnicity", "57"),
        ("ethnicity", "001x"),
        ("county", "422725"),  # retired
        ("county", "420500"),  # the city, not a county
    ],
)
def test_unknown_codes(table, raw):
    assert code_tables.lookup(table, raw) is None
    assert code_tables.standardize_code(raw, table).error == "unknown_code"


def test_code_tables_are_complete():
    assert len(code_tables.table("ethnicity").labels) == 58  # 56 + 97 + 98
    assert set(code_tables.table("sex").labels) == {"0", "1", "2", "9"}
    assert code_tables.yichang_counties() == {
        "420502": "西陵区",
        "420503": "伍家岗区",
        "420504": "点军区",
        "420505": "猇亭区",
        "420506": "夷陵区",
        "420525": "远安县",
        "420526": "兴山县",
        "420527": "秭归县",
        "420528": "长阳土家族自治县",
        "420529": "五峰土家族自治县",
        "420581": "宜都市",
        "420582": "当阳市",
        "420583": "枝江市",
    }
    assert len(code_tables.table("county").labels) == 103  # every county-level unit of 湖北


def test_every_county_is_in_force_in_the_area_history():
    from hub.standardize.citizen_id import area_status

    for code in code_tables.table("county").labels:
        assert area_status(code) == "in_force", code


def test_unknown_table_names_the_known_ones():
    with pytest.raises(ValueError, match="ethnicity"):
        code_tables.table("religion")


def test_enums():
    allowed = ["在保", "停保"]
    assert code_tables.standardize_enum(" 在保 ", allowed).value == "在保"
    assert code_tables.standardize_enum("停保", allowed).value == "停保"
    assert code_tables.standardize_enum("退保", allowed).error == "unknown_value"
    assert code_tables.standardize_enum("", allowed).error is None
