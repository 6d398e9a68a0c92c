"""The embedded server's settings: every hub default in force, a steward's own value kept."""

from __future__ import annotations

import psycopg
import pytest

from hub.database.embedded import SERVER_OPTIONS, EmbeddedPostgres


def test_the_running_embedded_server_has_the_hubs_settings(embedded_pg):
    if embedded_pg is None:
        pytest.skip("the tests run against an external server (HUB_TEST_DATABASE_URL)")
    with psycopg.connect(embedded_pg.conninfo("postgres")) as conn:
        (cost,) = conn.execute("show random_page_cost").fetchone()
    assert float(cost) == float(SERVER_OPTIONS["random_page_cost"])


def test_a_cluster_made_by_an_older_hub_gets_the_new_settings_and_keeps_its_own(
    embedded_pg, tmp_path
):
    if embedded_pg is None:
        pytest.skip("the tests run against an external server (HUB_TEST_DATABASE_URL)")
    server = EmbeddedPostgres(embedded_pg.settings)
    server.data_dir = tmp_path  # a stand-in data directory: only its settings file is read
    conf = tmp_path / "postgresql.auto.conf"
    conf.write_text("# older hub\nwork_mem = '16MB'\n", encoding="utf-8")
    server._write_missing_options()
    server._write_missing_options()  # twice: nothing is written again
    lines = [x for x in conf.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    keys = [line.split("=", 1)[0].strip() for line in lines]
    assert sorted(keys) == sorted(SERVER_OPTIONS), "each setting once"
    assert "work_mem = '16MB'" in lines, "the value set there is kept"
