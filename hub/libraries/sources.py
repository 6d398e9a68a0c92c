"""dbt sources derived from the data contracts, never written twice.

``dbt_project/models/staging/_sources.yml`` declares each ``staging.<extract>`` table with the
columns its contract gives it (value, ``_raw``, standardizer extras, lineage) and ties it to the
Dagster asset that loads it, so the dbt models hang below the collect assets in one graph. The
file is generated (``python -m hub.libraries.sources``); a test fails when it is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from data_contracts import load_contracts
from data_contracts.model import Contract
from hub.database.schema import staging_columns

SOURCES_FILE = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging" / "_sources.yml"
)

HEADER = (
    "# GENERATED from data_contracts/*.yaml by `python -m hub.libraries.sources`: do not edit.\n"
)

# Tables the link stage (hub.linkage) writes, read by the intermediate models.
LINK_TABLES = {
    "person_link": (
        "One row per person mention: the person master id it belongs to, how (method) and "
        "how sure (score). Written by the link stage (hub/linkage)."
    ),
    "entity_link": "One row per legal-entity mention: its entity master id, method and score.",
    "address_match": (
        "Standard address code (with score, method, level) per distinct address text, from "
        "the address matcher (hub/linkage/addresses.py)."
    ),
}


def _table(contract: Contract) -> dict:
    fields = {f.name: f for f in contract.fields}
    columns = []
    for name, _type in staging_columns(contract):
        base = name.removesuffix("_raw")
        field = fields.get(name) or fields.get(base)
        if name == "delivery_id":
            text = (
                "The delivery (staging.delivery) that brought this row; a later snapshot that "
                "repeats the row unchanged leaves it under this delivery."
            )
        elif name == "source_row":
            text = "Row number in the delivered file (record path for nested JSON)."
        elif name == "flags":
            text = "Warnings and invalid values kept in the row, as <code>:<field>."
        elif name == "extra":
            text = "Columns the contract does not know, kept as delivered."
        elif field is not None and name.endswith("_raw"):
            text = f"{field.description or field.name}, as delivered."
        elif field is not None:
            text = f"{field.description or field.name} (canonical)."
        else:
            text = "Derived by the standardizer."
        columns.append({"name": name, "description": text})
    return {
        "name": contract.extract,
        "description": f"{contract.department_name} — {contract.title} ({contract.mode}).",
        "meta": {"dagster": {"asset_key": ["staging", contract.extract]}},
        "columns": columns,
    }


def render_sources() -> str:
    """The YAML text of ``_sources.yml`` for the current contracts."""
    contracts = load_contracts()
    staging = {
        "name": "staging",
        "schema": "staging",
        "description": "Staged department deliveries (hub collect stage).",
        "tables": [
            {
                "name": "delivery",
                "description": "One row per delivered file: status, counts, warnings.",
                "meta": {"dagster": {"asset_key": ["staging", "delivery"]}},
            },
            {
                # written with the delivery that removed the rows: the same asset
                "name": "removed_row",
                "description": "Staged rows a later snapshot took out of staging, and which.",
                "meta": {"dagster": {"asset_key": ["staging", "delivery"]}},
            },
            *[_table(contracts[name]) for name in sorted(contracts)],
        ],
    }
    link = {
        "name": "link",
        "schema": "link",
        "description": "Record linkage results (hub link stage).",
        "tables": [
            {
                "name": name,
                "description": text,
                "meta": {"dagster": {"asset_key": ["link", name]}},
            }
            for name, text in LINK_TABLES.items()
        ],
    }
    # Approved gridworker corrections synced up from the county sub-stores (hub/distribute).
    distribute = {
        "name": "distribute",
        "schema": "distribute",
        "description": "What came back from the county sub-stores (hub distribute, 上报).",
        "tables": [
            {
                "name": "correction",
                "description": (
                    "Every approved gridworker correction synced from a county, with what it "
                    "became (outcome); 'candidate' rows are gridworker values for survivorship."
                ),
                "meta": {"dagster": {"asset_key": ["distribute", "correction"]}},
            }
        ],
    }
    body = yaml.safe_dump(
        {"version": 2, "sources": [staging, link, distribute]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return HEADER + body


def write_sources(path: Path = SOURCES_FILE) -> bool:
    """Write the file; True when it changed."""
    text = render_sources()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


if __name__ == "__main__":
    changed = write_sources()
    print(f"{SOURCES_FILE}: {'written' if changed else 'up to date'}", file=sys.stderr)
