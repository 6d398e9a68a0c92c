"""Dates in every format of the spec; impossible dates are errors, never guesses."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.standardize import dates
from hub.standardize.errors import InvalidDate


@pytest.mark.parametrize(
    ("raw", "expected", "format_name"),
    [
        ("20190130", dt.date(2019, 1, 30), "YYYYMMDD"),  # wjw_swyxzm, gaj_rkxx CSRQ
        ("2021-03-05", dt.date(2021, 3, 5), "YYYY-MM-DD"),
        ("2021-3-5", dt.date(2021, 3, 5), "YYYY-MM-DD"),
        ("2021/3/5", dt.date(2021, 3, 5), "YYYY/M/D"),  # mzj_dbdx sqrq
        ("2012/12/24", dt.date(2012, 12, 24), "YYYY/M/D"),
        ("2006.07.01", dt.date(2006, 7, 1), "YYYY.MM.DD"),  # mzj_hydj
        ("2021年3月5日", dt.date(2021, 3, 5), "YYYY年M月D日"),
        ("2013年5月16日", dt.date(2013, 5, 16), "YYYY年M月D日"),
        ("２０２１－０３－０５", dt.date(2021, 3, 5), "YYYY-MM-DD"),  # full width
        (" 2021-03-05 ", dt.date(2021, 3, 5), "YYYY-MM-DD"),
    ],
)
def test_each_date_format(raw, expected, format_name):
    assert dates.parse_date(raw) == expected
    assert dates.parse_date(raw, formats=[format_name]) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20250313121623", dt.datetime(2025, 3, 13, 12, 16, 23)),  # gaj_rkxx GXSJ
        ("2025-12-19 12:42:33", dt.datetime(2025, 12, 19, 12, 42, 33)),  # wgy_cj, bdc_djxx
        ("2025-12-19T12:42:33", dt.datetime(2025, 12, 19, 12, 42, 33)),
        ("2025-12-19 12:42:33.500", dt.datetime(2025, 12, 19, 12, 42, 33)),
        ("2025/12/19 12:42:33", dt.datetime(2025, 12, 19, 12, 42, 33)),
        ("2025-12-19 12:42", dt.datetime(2025, 12, 19, 12, 42)),
        ("2025-12-19", dt.datetime(2025, 12, 19)),  # a date alone is midnight
    ],
)
def test_timestamps(raw, expected):
    assert dates.parse_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2004-09", dt.date(2004, 9, 1)),  # rsj_cbxx 出生年月
        ("200409", dt.date(2004, 9, 1)),
        ("2004/9", dt.date(2004, 9, 1)),
        ("2004.09", dt.date(2004, 9, 1)),
        ("2004年9月", dt.date(2004, 9, 1)),
        ("2004-09-28", dt.date(2004, 9, 1)),
    ],
)
def test_year_months_are_the_first_day_of_the_month(raw, expected):
    assert dates.parse_year_month(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2023-02-30",  # no such day
        "2021年2月29日",  # not a leap year
        "20231301",  # month 13
        "2023-00-10",
        "20230132",
        "2025-12-19 24:00:00",  # hour 24
        "2025-12-19 12:60:00",
        "0001-01-01",  # placeholder
        "9999-12-31",
        "2021-03-05x",
        "2021/03-05",  # mixed separators
        "2021035",  # 7 digits: 2021-03-05? 2021-03-5? not guessed
        "05/03/2021",  # day-first: ambiguous, not accepted
        "yesterday",
    ],
)
def test_impossible_or_unrecognized_dates_are_errors(raw):
    with pytest.raises(InvalidDate):
        dates.parse_date(raw)
    outcome = dates.standardize_value(raw, "date")
    assert (outcome.value, outcome.error) == (None, "invalid_date")


def test_leap_day_is_a_date():
    assert dates.parse_date("2024年2月29日") == dt.date(2024, 2, 29)


def test_formats_restrict_what_is_accepted():
    assert dates.standardize_value("2021/3/5", "date", formats=["YYYYMMDD"]).error == "invalid_date"
    with pytest.raises(ValueError, match="unknown date formats"):
        dates.formats_for(["DD.MM.YYYY"])


def test_a_spreadsheet_date_time_for_a_date_keeps_the_day():
    assert dates.standardize_value("2024-06-08 00:00:00", "date").value == dt.date(2024, 6, 8)
    assert dates.standardize_value("2024-06-08 00:00:00", "date").warning is None
    timed = dates.standardize_value("2024-06-08 09:30:00", "date")
    assert (timed.value, timed.warning) == (dt.date(2024, 6, 8), "time_discarded")


def test_value_types_per_kind():
    assert type(dates.standardize_value("20240608", "date").value) is dt.date
    assert type(dates.standardize_value("20240608", "datetime").value) is dt.datetime
    assert type(dates.standardize_value("20240608", "year_month").value) is dt.date


def test_empty_is_missing_not_invalid():
    for empty in (None, "", "  "):
        assert dates.standardize_value(empty, "date") == dates.standardize_value(None, "date")
        assert dates.standardize_value(empty, "date").error is None
