"""The registry interface the ingest engine calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from hub.standardize import registry
from hub.standardize.registry import (
    ERROR_CODES,
    KINDS,
    WARNING_CODES,
    Standardized,
    standardize,
    standardize_one,
)

PARAMS = {"code": {"table": "ethnicity"}, "enum": {"allowed": ["结婚", "离婚"]}}
EXTRAS = {
    "citizen_id": ["suggestion"],
    "credit_code": ["organization_code"],
    "person_name": ["phonetic_key"],
    "org_name": ["comparison_key"],
    "party_id": ["party_type", "suggestion"],
}


def test_the_kinds_the_contracts_use():
    assert {
        "text",
        "person_name",
        "org_name",
        "address",
        "citizen_id",
        "credit_code",
        "organization_code",
        "registration_number",
        "party_id",
        "date",
        "datetime",
        "year_month",
        "decimal",
        "integer",
        "code",
        "enum",
        "phone",
        "grid_code",
        "std_address_code",
        "unit_number",
    } <= KINDS


def test_the_required_error_codes_are_documented():
    for code in [
        "invalid_length",
        "invalid_characters",
        "invalid_birth_date",
        "invalid_check_character",
        "invalid_date",
        "invalid_number",
        "unknown_code",
        "unknown_value",
        "invalid_phone",
        "invalid_format",
    ]:
        assert ERROR_CODES[code]
    assert {"legacy_id_upgraded", "area_code_not_in_force"} <= set(WARNING_CODES)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_missing_values_are_none_without_error(kind):
    values = pd.Series(
        [None, np.nan, "", "   ", "\u3000"], index=[10, 11, 12, 13, 14], dtype=object
    )
    result = standardize(kind, values, **PARAMS.get(kind, {}))
    assert isinstance(result, Standardized)
    for series in (result.value, result.error, result.warning, *result.extra.values()):
        assert series.index.tolist() == [10, 11, 12, 13, 14]
        assert series.dtype == object
        assert series.isna().all()
    assert sorted(result.extra) == EXTRAS.get(kind, [])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_extra_columns_do_not_depend_on_the_data(kind):
    # The staging schema is derived from a one-value call (hub.database.schema.derived_columns).
    params = PARAMS.get(kind, {})
    one = standardize(kind, pd.Series(["1"], dtype=object), **params)
    empty = standardize(kind, pd.Series([], dtype=object), **params)
    assert sorted(one.extra) == sorted(empty.extra) == EXTRAS.get(kind, [])


def test_the_briefs_examples_through_the_registry():
    ids = standardize(
        "citizen_id", pd.Series(["11010519491231002x", "420500810705191", "110105194912310021"])
    )
    assert ids.value.tolist() == ["11010519491231002X", "420500198107051919", "110105194912310021"]
    assert ids.error.tolist() == [None, None, "invalid_check_character"]
    assert ids.warning.tolist() == [None, "legacy_id_upgraded", None]
    assert ids.extra["suggestion"].tolist() == [None, None, "11010519491231002X"]

    credit = standardize("credit_code", pd.Series(["91110000600037341L"]))
    assert credit.extra["organization_code"].tolist() == ["60003734-1"]

    names = standardize("person_name", pd.Series(["劉萱若", "阿依古丽•买买提", "张伟", "张玮"]))
    assert names.value.tolist() == ["刘萱若", "阿依古丽·买买提", "张伟", "张玮"]
    assert names.extra["phonetic_key"].tolist()[2:] == ["zhangwei", "zhangwei"]

    phones = standardize("phone", pd.Series(["+86 15742252743", "１８６５１３７６６２１"]))
    assert phones.value.tolist() == ["15742252743", "18651376621"]

    money = standardize("decimal", pd.Series(["720.00", "750元"]))
    assert money.value.tolist() == [Decimal("720.00"), None]
    assert money.error.tolist() == [None, "invalid_number"]

    days = standardize("date", pd.Series(["2023-02-30", "2021年3月5日"]))
    assert days.value.tolist() == [None, dt.date(2021, 3, 5)]
    assert days.error.tolist() == ["invalid_date", None]

    months = standardize("year_month", pd.Series(["2004-09"]))
    assert months.value.tolist() == [dt.date(2004, 9, 1)]

    stamps = standardize("datetime", pd.Series(["20250313121623"]))
    assert stamps.value.tolist() == [dt.datetime(2025, 3, 13, 12, 16, 23)]


def test_codes_and_enums():
    sex = standardize("code", pd.Series(["1", "男", "女", "3"]), table="sex")
    assert sex.value.tolist() == ["1", "1", "2", None]
    assert sex.error.tolist() == [None, None, None, "unknown_code"]
    relation = standardize("code", pd.Series(["户主", "租户"]), table="family_relation")
    assert relation.value.tolist() == ["02", None]
    status = standardize("enum", pd.Series(["在保", "退保"]), allowed=["在保", "停保"])
    assert status.value.tolist() == ["在保", None]
    assert status.error.tolist() == [None, "unknown_value"]


def test_str_dtype_and_non_string_values():
    as_str = standardize("citizen_id", pd.Series(["11010519491231002x", None], dtype="str"))
    assert as_str.value.tolist() == ["11010519491231002X", None]
    numbers = standardize("decimal", pd.Series([680, 720.5, None], dtype=object))
    assert numbers.value.tolist() == [Decimal("680"), Decimal("720.5"), None]


def test_date_formats_parameter():
    result = standardize("date", pd.Series(["20190130", "2019-01-30"]), formats=["YYYYMMDD"])
    assert result.error.tolist() == [None, "invalid_date"]


@pytest.mark.parametrize(
    ("kind", "params", "error"),
    [
        ("shoe_size", {}, ValueError),
        ("code", {}, TypeError),
        ("code", {"table": "religion"}, ValueError),
        ("enum", {"allowed": "在保"}, TypeError),
        ("text", {"table": "sex"}, TypeError),
        ("date", {"formats": ["DD/MM/YYYY"]}, ValueError),
    ],
)
def test_bad_kinds_and_parameters_fail_loudly(kind, params, error):
    with pytest.raises(error):
        standardize(kind, pd.Series(["x"]), **params)


def test_standardize_one():
    outcome = standardize_one("citizen_id", "420500810705191")
    assert outcome.value == "420500198107051919"
    assert outcome.warning == "legacy_id_upgraded"
    assert standardize_one("code", "汉", table="ethnicity").value == "01"
    assert standardize_one("text", None).value is None


def test_repeating_columns_are_computed_once_per_distinct_value(monkeypatch):
    calls = []
    original = registry._KINDS["phone"]
    spy = registry._Kind(one=lambda v: (calls.append(v), original.one(v))[1])
    monkeypatch.setitem(registry._KINDS, "phone", spy)
    result = standardize("phone", pd.Series(["15742252743", "157-4225-2743", "15742252743"] * 1000))
    assert sorted(calls) == ["157-4225-2743", "15742252743"]
    assert result.value.nunique() == 1
