"""``docs/schema.md``: the public schema ``hub``, rendered from the marts' dbt contracts.

Departments and counties build on these tables, so the document is generated from the very
YAML whose contracts dbt enforces (``python -m hub.libraries.schema_doc``); a test fails when
it is out of date, which makes every schema change a visible, deliberate diff.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

from hub.libraries.dbt import PROJECT_DIR

DOC = PROJECT_DIR.parent / "docs" / "schema.md"

ORDER = [
    "person",
    "person_attribute",
    "legal_entity",
    "house",
    "house_owner",
    "place",
    "household_membership",
    "employment",
    "legal_representative",
    "marriage",
    "xref",
    "conflict",
]

INTRO = """# The public schema `hub`

GENERATED from `dbt_project/models/marts/*/_*.yml` by `python -m hub.libraries.schema_doc`:
edit the YAML (whose contracts dbt enforces), not this file.

These tables are what departments (through the query service) and counties (through their
shards) build on. Column names and types are enforced by dbt model contracts: a change here is
a deliberate change of the hub's public interface. Master ids are stable: re-running the build
on the same data gives the same ids, and a new delivery does not renumber anyone.

History lives in schema `history` (dbt snapshots): `history.person_history` and
`history.legal_entity_history` (one row per version of a golden record, `dbt_valid_from` /
`dbt_valid_to`), and `history.person_attribute_history` (each value a person attribute has
had, with the delivery, file and row that brought it). What a person's record said on a date:

```sql
select * from history.person_history
where master_id = 'P0000000042'
  and dbt_valid_from <= '2026-11-01' and coalesce(dbt_valid_to, 'infinity') > '2026-11-01';
```
"""


def _models() -> dict[str, dict]:
    models = {}
    for path in sorted((PROJECT_DIR / "models" / "marts").rglob("_*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            models[model["name"]] = model
    return models


def _authority() -> str:
    rows = list(csv.DictReader((PROJECT_DIR / "seeds" / "authority.csv").open(encoding="utf-8")))
    lines = [
        "## Survivorship: one data item, one source (一数一源)",
        "",
        "From the seed `dbt_project/seeds/authority.csv` (table `hub_config.authority`): rank 1",
        "owns the attribute; lower ranks are used only when no better-ranked department has a",
        "value. Within one department the most recent record wins.",
        "",
        "| subject | attribute | sources in order |",
        "|---|---|---|",
    ]
    grouped: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for row in rows:
        grouped.setdefault((row["subject"], row["attribute"]), []).append(
            (int(row["rank"]), row["extract"])
        )
    for (subject, attribute), sources in grouped.items():
        order = " → ".join(extract for _, extract in sorted(sources))
        lines.append(f"| {subject} | {attribute} | {order} |")
    return "\n".join(lines) + "\n"


def render_schema_doc() -> str:
    models = _models()
    names = [n for n in ORDER if n in models] + sorted(set(models) - set(ORDER))
    parts = [INTRO, "## Tables\n", *(f"- [`hub.{n}`](#hub{n})" for n in names), ""]
    for name in names:
        model = models[name]
        parts.append(f"## hub.{name}\n\n{model['description'].strip()}\n")
        parts.append("| column | type | meaning |\n|---|---|---|")
        for col in model["columns"]:
            key = (
                " **(key)**"
                if any(c.get("type") == "primary_key" for c in col.get("constraints", []))
                else ""
            )
            parts.append(f"| `{col['name']}`{key} | {col['data_type']} | {col['description']} |")
        parts.append("")
    parts.append(_authority())
    return "\n".join(parts)


def write_schema_doc(path: Path = DOC) -> bool:
    text = render_schema_doc()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


if __name__ == "__main__":
    print(f"{DOC}: {'written' if write_schema_doc() else 'up to date'}", file=sys.stderr)
