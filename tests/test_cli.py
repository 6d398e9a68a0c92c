"""The command line: ingest prints the accounting, --json for scripts, exit codes that mean something."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hub.cli import EXIT_REJECTED, app
from tests.ingest.helpers import one, police_rows, write_police

runner = CliRunner()


def test_ingest_json_prints_the_delivery_accounting(database, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(12))

    outcome = runner.invoke(app, ["ingest", "gaj_rkxx", str(path), "--json"])

    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)
    assert report["status"] == "loaded"
    assert (report["rows_read"], report["rows_staged"], report["rows_quarantined"]) == (12, 12, 0)
    assert report["delivery_id"] == one(database, "select max(delivery_id) from staging.delivery")


def test_ingest_of_a_rejected_file_exits_with_the_rejection_code(database, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(2), encoding="utf-8")

    outcome = runner.invoke(app, ["ingest", "gaj_rkxx", str(path)])

    assert outcome.exit_code == EXIT_REJECTED
    assert "rejected" in outcome.output


def test_ingest_of_an_unknown_extract_lists_the_known_ones(database, tmp_path):
    outcome = runner.invoke(app, ["ingest", "gaj_rkxxx", str(tmp_path / "x.csv")])

    assert outcome.exit_code == 2
    assert "gaj_rkxx" in outcome.output


def test_db_url_prints_the_url_in_use(database):
    outcome = runner.invoke(app, ["db-url"])

    assert outcome.exit_code == 0 and outcome.output.strip() == database


def test_a_running_server_on_our_data_directory_is_recognised_even_if_pg_ctl_misses_it(
    embedded_pg, monkeypatch
):
    """`start` must never call our own running cluster 'another program' (seen under load)."""
    from hub.database.embedded import EmbeddedPostgres, EmbeddedStatus

    if embedded_pg is None:
        pytest.skip("an external test database (HUB_TEST_DATABASE_URL)")
    server = EmbeddedPostgres(embedded_pg.settings)
    monkeypatch.setattr(
        EmbeddedPostgres,
        "status",
        lambda self: EmbeddedStatus(True, False, self.data_dir, self.port),
    )
    assert server.start() is False  # recognised as ours, not started again, no error
