"""The dbt project stays derived from the contracts and the standardizer, never written twice."""

from __future__ import annotations

import yaml

from hub.libraries.dbt import PROJECT_DIR
from hub.libraries.sources import SOURCES_FILE, render_sources
from hub.standardize.registry import ERROR_CODES


def test_sources_file_is_generated_from_the_contracts():
    assert SOURCES_FILE.read_text(encoding="utf-8") == render_sources(), (
        "dbt sources are stale: run `python -m hub.libraries.sources`"
    )


def test_the_validity_macro_knows_every_error_code():
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert set(project["vars"]["error_codes"]) == set(ERROR_CODES)


def test_every_mart_has_an_enforced_contract_and_a_documented_column_list():
    marts = PROJECT_DIR / "models" / "marts"
    documented = {}
    for path in marts.rglob("_*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            assert model["config"]["contract"]["enforced"] is True, model["name"]
            assert all(c.get("description") and c.get("data_type") for c in model["columns"])
            documented[model["name"]] = model
    sql = {p.stem for p in marts.rglob("*.sql")}
    assert sql == set(documented)


def test_schema_document_is_generated_from_the_mart_contracts():
    from hub.libraries.schema_doc import DOC, render_schema_doc

    assert DOC.read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is stale: run `python -m hub.libraries.schema_doc`"
    )
