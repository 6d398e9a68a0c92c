"""`hub docs` generates the dbt documentation of the libraries from the built database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hub.cli import app


def test_hub_docs_writes_the_site_with_the_marts_their_lineage_and_catalog(city_env, monkeypatch):
    from hub.settings import get_settings

    # a home given relative to where the steward is (as `.hub` is by default)
    monkeypatch.chdir(city_env.home.parent)
    monkeypatch.setenv("HUB_HOME", city_env.home.name)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["docs"], terminal_width=300)

    assert result.exit_code == 0, result.output
    site = city_env.home / "dbt-docs"
    assert (site / "static_index.html").stat().st_size > 100_000
    assert str(site / "static_index.html") in result.output.replace("\n", "")
    manifest = json.loads((site / "manifest.json").read_text())
    person = manifest["nodes"]["model.hub.person"]
    assert person["description"] and person["columns"]["master_id"]["description"]
    assert "model.hub.int_person_golden_attributes" in person["depends_on"]["nodes"]
    # the catalog is read from the database: the mart's columns as they are there, typed
    catalog = json.loads((site / "catalog.json").read_text())["nodes"]["model.hub.person"]
    assert {"master_id", "citizen_id", "name"} <= set(catalog["columns"])
    assert catalog["columns"]["birth_date"]["type"] == "date"


def test_hub_docs_says_why_when_dbt_cannot_reach_the_database(settings, monkeypatch):
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://hub@127.0.0.1:9/nowhere")
    from hub.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["docs"], terminal_width=300)

    assert result.exit_code == 1
    assert "dbt docs generate failed" in result.output
