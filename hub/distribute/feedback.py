"""Feedback to departments (反哺): corrections of attributes a department owns, for it to fix at source.

The hub never writes a gridworker's value over a department's: the department receives the
list in its own column names (``hub feedback export DEPARTMENT``), fixes its register, and the
item closes itself when a later delivery of that department carries the corrected value.
"""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from data_contracts import load_contract
from hub.distribute.shard import ensure_city_tables

# Fields that identify a record to any department, when its contract has them.
IDENTIFYING_FIELDS = ("citizen_id", "credit_code", "name")
META_COLUMNS = (
    "feedback_id",
    "corrected_column",
    "hub_value",
    "reported_value",
    "source_delivery_id",
    "source_row",
    "county",
    "gridworker",
    "corrected_at",
    "reviewer",
)


def close_fixed_feedback(conn: psycopg.Connection) -> int:
    """Close open feedback whose department has since delivered the corrected value."""
    ensure_city_tables(conn)
    closed = conn.execute(
        """
        update distribute.feedback as f
        set status = 'closed', closed_at = now(), closed_by_delivery = a.delivery_id
        from hub.person_attribute as a
        where f.status = 'open' and f.subject = 'person'
          and a.master_id = f.record_id and a.attribute = f.attribute
          and a.extract = f.department_extract
          and (f.reported_value is null or a.value = f.reported_value)
          and a.delivery_id > coalesce(f.source_delivery_id, 0)
        """
    ).rowcount
    closed += conn.execute(
        """
        update distribute.feedback as f
        set status = 'closed', closed_at = now(), closed_by_delivery = e.last_delivery_id
        from hub.legal_entity as e
        where f.status = 'open' and f.subject = 'legal_entity' and e.master_id = f.record_id
          and (f.reported_value is null or to_jsonb(e) ->> f.attribute = f.reported_value)
          and e.last_delivery_id > coalesce(f.source_delivery_id, 0)
        """
    ).rowcount
    return closed


def open_feedback(conn: psycopg.Connection, extract: str) -> list[dict]:
    """The department's open feedback items, with the city's identifiers of each record."""
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            """
            select f.*, c.county, c.gridworker, c.corrected_at, c.reviewer,
                coalesce(p.citizen_id, e.credit_code) as citizen_or_credit,
                coalesce(p.name, e.name) as record_name
            from distribute.feedback as f
            join distribute.correction as c using (correction_id)
            left join hub.person as p on f.subject = 'person' and p.master_id = f.record_id
            left join hub.legal_entity as e
                on f.subject = 'legal_entity' and e.master_id = f.record_id
            where f.department_extract = %s and f.status = 'open'
            order by f.feedback_id
            """,
            [extract],
        )
        .fetchall()
    )


def _source_keys(conn: psycopg.Connection, extract: str, item: dict, fields: list[str]) -> dict:
    """The department's own key values of the row behind the golden value, when known."""
    if not fields or item["source_delivery_id"] is None:
        return {}
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            sql.SQL("select {} from {} where delivery_id = %s and source_row = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, fields)),
                sql.Identifier("staging", extract),
            ),
            [item["source_delivery_id"], item["source_row"]],
        )
        .fetchone()
    )
    return row or {}


def export_feedback(conn: psycopg.Connection, extract: str, path: Path) -> int:
    """Write the department's open feedback as CSV in its own column names; rows written."""
    ensure_city_tables(conn)
    contract = load_contract(extract)
    by_name = {f.name: f for f in contract.fields}
    key_fields = [
        name for name in dict.fromkeys([*contract.key, *IDENTIFYING_FIELDS]) if name in by_name
    ]
    items = open_feedback(conn, extract)
    attributes = sorted({i["attribute"] for i in items if i["attribute"] in by_name})
    header = [by_name[n].column for n in key_fields]
    header += [by_name[a].column for a in attributes if by_name[a].column not in header]
    header += list(META_COLUMNS)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = contract.encoding if contract.format == "csv" else "utf-8"
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for item in items:
            known = {
                "citizen_id": item["citizen_or_credit"],
                "credit_code": item["citizen_or_credit"],
            }
            known["name"] = item["record_name"]
            known |= {k: v for k, v in _source_keys(conn, extract, item, key_fields).items() if v}
            row = {by_name[n].column: known.get(n) for n in key_fields}
            column = by_name[item["attribute"]].column if item["attribute"] in by_name else None
            if column:
                row[column] = item["reported_value"]
            row |= {
                "feedback_id": item["feedback_id"],
                "corrected_column": column or item["attribute"],
                "hub_value": item["hub_value"],
                "reported_value": item["reported_value"],
                "source_delivery_id": item["source_delivery_id"],
                "source_row": item["source_row"],
                "county": item["county"],
                "gridworker": item["gridworker"],
                "corrected_at": item["corrected_at"].isoformat(),
                "reviewer": item["reviewer"],
            }
            writer.writerow(row)
    return len(items)
