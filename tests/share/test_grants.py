"""Grants files, masking, key expiry and the token bucket: pure functions, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.share.cli import parse_expiry, parse_since
from hub.share.grants import GrantsError, load_grants
from hub.share.masking import mask_citizen_id, mask_phone
from hub.share.ratelimit import TokenBucket
from hub.share.settings import DEFAULT_GRANTS


def test_the_example_grants_file_is_valid():
    grants = load_grants(DEFAULT_GRANTS)
    assert grants.departments["xlq_mz"].county == "420502"
    assert grants.departments["mzj"].grant_for("allowance_screening").checks


def _write(tmp_path, text: str):
    path = tmp_path / "grants.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_misspelt_key_is_an_error_naming_file_and_key(tmp_path):
    path = _write(
        tmp_path,
        """
purposes: {screening: x}
departments:
  mzj:
    name: m
    grants:
      - purposes: [screening]
        person: {feilds: [name]}
""",
    )
    with pytest.raises(GrantsError) as caught:
        load_grants(path)
    assert str(path) in str(caught.value)
    assert "departments.mzj.grants.0.person.feilds" in str(caught.value)


def test_an_undeclared_purpose_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "purposes: {aa: x}\ndepartments:\n  d:\n    name: d\n    grants:\n"
        "      - purposes: [bb]\n        person: {fields: [name]}\n",
    )
    with pytest.raises(GrantsError, match="purpose 'bb' is not declared"):
        load_grants(path)


def test_a_relation_needs_its_subject(tmp_path):
    path = _write(
        tmp_path,
        "purposes: {aa: x}\ndepartments:\n  d:\n    name: d\n    grants:\n"
        "      - purposes: [aa]\n        person: {fields: [name]}\n        relations: [houses]\n",
    )
    with pytest.raises(GrantsError, match="relation 'houses' needs subject 'house'"):
        load_grants(path)


def test_unmasked_must_be_granted(tmp_path):
    path = _write(
        tmp_path,
        "purposes: {aa: x}\ndepartments:\n  d:\n    name: d\n    grants:\n"
        "      - purposes: [aa]\n        person: {fields: [name], unmasked: [citizen_id]}\n",
    )
    with pytest.raises(GrantsError, match="unmasked fields not among the granted"):
        load_grants(path)


def test_identifiers_are_masked_keeping_area_and_last_four():
    assert mask_citizen_id("42050219800101123X") == "420502********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_citizen_id(None) is None


def test_expiry_is_read_as_duration_or_date():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert parse_expiry("90d", now) == now + dt.timedelta(days=90)
    assert parse_expiry("2027-01-31", now) == dt.datetime(2027, 1, 31, tzinfo=dt.UTC)
    assert parse_expiry("never", now) is None
    assert parse_since("24h", now) == now - dt.timedelta(hours=24)


def test_a_bucket_allows_its_burst_then_asks_to_wait():
    bucket = TokenBucket(per_second=1, burst=3)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() > 0
