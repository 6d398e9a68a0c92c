"""``hub status`` on a demo city with one late delivery, one rejected file and failed checks."""

from __future__ import annotations

import json

import dagster as dg
import psycopg
import pytest
from typer.testing import CliRunner

from data_contracts import load_contracts
from hub.cli import app
from hub.demo.load import load_demo_city
from hub.ingest.inbox import ensure_inbox, inbox_folder
from hub.operate.report import status_report
from orchestration.defs.collect.assets import build_staging_asset
from orchestration.defs.operate.checks import delivery_check_keys, delivery_checks
from orchestration.instance import prepare_dagster_home
from orchestration.resources import HubResource

LATE = "gaj_rkxx"  # the police register, delivered daily
REJECTED = "mzj_dbdx"  # civil affairs' allowance list, JSON Lines
BAD_FILE = "mzj_dbdx_20261105.jsonl"


@pytest.fixture
def troubled_city(database, settings):
    """A small demo city where the police file is 3 days old and civil affairs' new file lacks
    the recipients' names; the new file is loaded through Dagster (a failed run) and the
    delivery checks run in the hub's own Dagster instance."""
    load_demo_city(settings, database, persons=200, build=False)
    with psycopg.connect(database) as conn:
        conn.execute(
            "update staging.delivery set received_at = received_at - interval '3 days', "
            "loaded_at = loaded_at - interval '3 days' where extract = %s",
            (LATE,),
        )
    ensure_inbox(settings)
    lines = [{"sfzh": "422727195304081681", "dbzt": "在保", "dbje": 680}] * 3
    (inbox_folder(settings, REJECTED) / BAD_FILE).write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8"
    )
    contracts = load_contracts()
    staging = [build_staging_asset(c) for c in contracts.values()]
    resources = {"hub": HubResource(home=str(settings.home), database_url=database)}
    with dg.DagsterInstance.from_config(str(prepare_dagster_home(settings))) as instance:
        load = dg.materialize(
            staging,
            selection=[f"staging/{REJECTED}"],
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        assert not load.success
        checks = dg.materialize(
            [*staging, *delivery_checks(contracts)],
            selection=dg.AssetSelection.checks(*delivery_check_keys(contracts)),
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        assert checks.success  # failed checks warn; the run itself succeeds
    return settings


def test_status_shows_the_late_delivery_the_rejected_file_and_the_failures(troubled_city, database):
    report = status_report(troubled_city, database)
    by_extract = {e.extract: e for e in report.extracts}

    police = by_extract[LATE]
    assert police.overdue and police.state == "overdue"
    assert police.age.startswith("3d") and "expected daily" in police.timeliness
    assert police.rows_staged > 0

    civil = by_extract[REJECTED]
    assert civil.last_file == BAD_FILE and civil.last_status == "rejected"
    assert not civil.overdue  # its previous file is recent: late and refused are different things
    assert "missing required column" in civil.rejection.reason and "'xm'" in civil.rejection.reason
    assert (
        "aliases" in civil.rejection.next_step and f"inbox/{REJECTED}" in civil.rejection.next_step
    )

    on_time = [e for e in report.extracts if e.extract not in (LATE, REJECTED)]
    assert all(not e.overdue and e.rejection is None for e in on_time)

    failing = {(f.kind, f.what): f for f in report.failures}
    assert failing[("check", f"staging/{LATE}:delivery_on_time")].reason.startswith(
        "last delivery 3d"
    )
    accepted = failing[("check", f"staging/{REJECTED}:last_delivery_accepted")]
    assert BAD_FILE in accepted.reason
    runs = [f for f in report.failures if f.kind == "run"]
    assert len(runs) == 1 and "missing required column" in runs[0].reason
    assert ("delivery", f"{REJECTED} {BAD_FILE}") in failing
    assert ("delivery", f"{LATE} overdue") in failing
    assert report.review_queue is None and report.conflicts is None and report.counties is None


def test_status_command_prints_one_screen_and_json(troubled_city):
    runner = CliRunner()

    screen = runner.invoke(app, ["status"], terminal_width=200)
    as_json = runner.invoke(app, ["status", "--json"])

    assert screen.exit_code == 0, screen.output
    assert "overdue" in screen.output and BAD_FILE in screen.output
    assert "missing required column" in screen.output and "next:" in screen.output
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    late = next(e for e in report["extracts"] if e["extract"] == LATE)
    assert late["overdue"] is True
    assert {f["kind"] for f in report["failures"]} == {"delivery", "check", "run"}
