"""The incremental mention tables are built from scratch whenever the dbt project changed."""

from __future__ import annotations

import psycopg

import hub.libraries.dbt as dbt


def test_a_stage_is_built_from_scratch_until_built_with_the_current_project(database, monkeypatch):
    with psycopg.connect(database, autocommit=True) as conn:
        assert dbt.build_arguments(conn, "mentions") == ["--full-refresh"]  # never built
        dbt.record_build(conn, "mentions")
        assert dbt.build_arguments(conn, "mentions") == []
        assert dbt.build_arguments(conn, "libraries") == ["--full-refresh"]  # per stage

        # any project file changed since: from scratch once, then incremental again
        monkeypatch.setattr(dbt, "project_version", lambda: "another:version")
        assert dbt.build_arguments(conn, "mentions") == ["--full-refresh"]
        dbt.record_build(conn, "mentions")
        assert dbt.build_arguments(conn, "mentions") == []


def test_the_project_version_follows_every_kind_of_project_file(tmp_path, monkeypatch):
    project = tmp_path / "dbt_project"
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        (project / folder).mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: hub\n")
    monkeypatch.setattr(dbt, "PROJECT_DIR", project)
    seen = {dbt.project_version()}
    for path, text in (
        ("models/a.sql", "select 1"),
        ("models/a.sql", "select 2"),
        ("macros/m.sql", "{% macro m() %}{% endmacro %}"),
        ("seeds/authority.csv", "subject,extract\n"),
        ("snapshots/history.yml", "snapshots: []\n"),
        ("models/_a.yml", "version: 2\n"),
        ("dbt_project.yml", "name: hub\nvars: {}\n"),
    ):
        (project / path).write_text(text)
        seen.add(dbt.project_version())
    assert len(seen) == 8
