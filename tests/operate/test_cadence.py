"""What "late" means, from a contract's cadence; what a steward does about a rejected file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.operate.cadence import format_age, timeliness
from hub.operate.explain import rejection_next_step

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_daily_file_a_few_hours_late_is_still_on_time():
    assert not timeliness("daily", NOW - timedelta(hours=30), NOW).overdue


def test_a_daily_file_two_days_old_is_overdue_and_says_what_to_do():
    t = timeliness("daily", NOW - timedelta(days=2, hours=1), NOW)
    assert t.overdue and t.state == "overdue"
    assert t.explain().startswith("last delivery 2d 1h ago, expected daily")
    assert "ask the department" in t.explain()


def test_a_monthly_extract_is_due_within_thirty_six_days():
    assert not timeliness("monthly", NOW - timedelta(days=35), NOW).overdue
    assert timeliness("monthly", NOW - timedelta(days=37), NOW).overdue


def test_on_event_extracts_are_never_overdue():
    assert not timeliness("on_event", NOW - timedelta(days=400), NOW).overdue


def test_an_extract_never_delivered_is_overdue_when_it_has_a_rhythm():
    t = timeliness("weekly", None, NOW)
    assert t.overdue and t.state == "never delivered"


def test_ages_read_short():
    assert [format_age(timedelta(seconds=s)) for s in (40, 700, 7_300, 90_000)] == [
        "40s",
        "11m",
        "2h 1m",
        "1d 1h",
    ]


def test_next_step_for_a_wrong_encoding_asks_for_a_re_export_and_names_the_inbox():
    step = rejection_next_step(
        "x.csv: the file is UTF-8 encoded, but the contract expects GB18030", "gaj_rkxx"
    )
    assert step.startswith("ask the department to re-export") and "inbox/gaj_rkxx/" in step
