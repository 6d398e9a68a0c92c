"""Scorecard history in PostgreSQL, and the asset checks wired into Dagster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg

from data_contracts import load_contracts
from orchestration.defs.quality.checks import quality_checks
from quality.scorecard import ScoreRow, department_history, store_scorecard
from quality.store import ensure_schema


def test_each_run_appends_to_the_scorecard_history(database):
    first = datetime(2026, 11, 1, tzinfo=UTC)
    with psycopg.connect(database) as conn:
        ensure_schema(conn)
        ensure_schema(conn)  # idempotent
        for day, score in ((0, 0.91), (7, 0.95)):
            rows = [ScoreRow("police", None, None, None, 10, {"overall": score})]
            store_scorecard(conn, first + timedelta(days=day), rows)
        history = department_history(conn)
    assert [round(s, 2) for _, s in history["police"]] == [0.91, 0.95]


def test_duplicate_master_ids_block_downstream_and_contract_expectations_only_warn():
    checks = {
        key.to_user_string(): spec
        for c in quality_checks(load_contracts())
        for key, spec in zip(c.check_keys, c.check_specs, strict=True)
    }
    person = checks["hub/person:master_id_is_unique"]
    assert person.blocking
    assert not checks["staging/gaj_rkxx:staging_gaj_rkxx_expectations"].blocking
    assert "hub/legal_entity:hub_legal_entity_expectations" in checks


def test_blocking_check_passes_on_the_built_city(city_env):
    from orchestration.resources import HubResource

    check = next(
        c
        for c in quality_checks(load_contracts())
        if dg.AssetCheckKey(dg.AssetKey(["hub", "person"]), "master_id_is_unique") in c.check_keys
    )
    result = check(hub=HubResource(database_url=city_env.url, home=str(city_env.home)))
    assert result.passed and result.metadata["duplicated_master_ids"].value == 0
