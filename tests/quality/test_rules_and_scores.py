"""Contract-derived rules and the score formulas, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from data_contracts import load_contract
from quality.report import trend_svg
from quality.rules import contract_rules
from quality.scores import DeliveryCounts, on_time, overall, roll_up, score_delivery
from quality.suites import mart_suites, staging_suite


def _rules(extract: str) -> dict[str, object]:
    return {r.name: r for r in contract_rules(load_contract(extract))}


def test_required_fields_code_tables_dates_and_forms_become_rules():
    rules = _rules("mzj_dbdx")
    assert rules["name_is_filled"].dimension == "completeness"
    assert rules["allowance_status_in_value_set"].kwargs["value_set"] == ["在保", "停保"]
    assert "1" in rules["sex_in_value_set"].kwargs["value_set"]
    assert rules["application_date_not_in_future"].failing == "application_date > now()"
    assert rules["citizen_id_delivered_in_standard_form"].expectation == (
        "ExpectColumnPairValuesToBeEqual"
    )
    assert "key_is_unique_per_delivery" not in rules  # the contract declares no key


def test_a_contract_key_is_unique_within_each_delivery():
    # incremental deliveries append: each delivery on its own
    rule = _rules("wjw_swyxzm")["key_is_unique_per_delivery"]
    assert rule.kwargs["column_list"] == ["delivery_id", "certificate_number"]
    assert rule.dimension == "uniqueness"
    # a snapshot's current rows may stay under several deliveries (its change set): all of them
    rule = _rules("gaj_rkxx")["key_is_unique_per_delivery"]
    assert rule.expectation == "ExpectColumnValuesToBeUnique"
    assert rule.kwargs == {"column": "citizen_id"}
    rule = _rules("bdc_djxx")["key_is_unique_per_delivery"]
    assert rule.kwargs["column_list"] == ["unit_number", "owner_id_number"]


def test_a_contract_pattern_becomes_a_regex_expectation():
    rule = _rules("wjw_swyxzm")["certificate_number_matches_pattern"]
    assert rule.kwargs["regex"] == "^[A-Z][0-9]{9}$"


def test_suites_cover_every_staging_table_and_the_libraries():
    suite = staging_suite(load_contract("gaj_rkxx"))
    assert suite.name == "staging.gaj_rkxx" and len(suite.expectations) >= 10
    names = {s.table for s in mart_suites()}
    assert {"person", "legal_entity", "house", "place", "employment", "xref"} <= names


def test_a_clean_timely_delivery_scores_one():
    counts = DeliveryCounts(100, 0, 0, 0, 10, 10, age_days=0.5, gap_days=1)
    scores = score_delivery(counts, "daily")
    assert scores == {d: 1.0 for d in scores}


def test_problems_lower_their_dimension_and_the_overall_score():
    counts = DeliveryCounts(100, 10, 20, 5, 0, 0, age_days=None, gap_days=None)
    scores = score_delivery(counts, "monthly")
    assert scores["completeness"] == 0.9 and scores["validity"] == 0.8
    assert scores["uniqueness"] == 0.95 and scores["consistency"] is None
    assert 0.85 < scores["overall"] < 0.95


def test_late_deliveries_lose_timeliness_linearly_up_to_four_periods():
    assert on_time(7, 7) == 1.0
    assert on_time(14, 7) == 1 - 7 / 21
    assert on_time(40, 7) == 0.0
    assert on_time(3, None) is None


def test_roll_up_weights_deliveries_by_rows_read():
    rolled = roll_up([(90, {"validity": 1.0}), (10, {"validity": 0.0})])
    assert rolled["validity"] == pytest.approx(0.9) and rolled["completeness"] is None
    assert overall({"validity": 0.9}) == pytest.approx(0.9)


def test_trend_chart_is_an_inline_svg_line():
    now = datetime(2026, 11, 1, tzinfo=UTC)
    svg = trend_svg("police", [(now, 0.99), (now, 0.97)])
    assert svg.startswith("<svg") and "<polyline" in svg and "police 0.970" in svg
