"""The hub's own tables in schema ``staging``: deliveries, quarantine, and one table per extract.

Per-extract staging tables are derived from the data contract (never written by hand), so a
new department needs a contract file and nothing here. A contract that gains a field adds the
column on the next load.
"""

from __future__ import annotations

import pandas as pd
import psycopg
from psycopg import sql

from data_contracts.model import Contract
from hub.standardize.registry import standardize

CORE_DDL = """
create schema if not exists staging;

create table if not exists staging.delivery (
    delivery_id      bigserial primary key,
    extract          text        not null,
    department       text,
    file_name        text        not null,
    content_hash     text        not null,
    file_size        bigint,
    received_at      timestamptz not null default now(),
    loaded_at        timestamptz,
    status           text        not null check (status in ('loaded', 'rejected', 'superseded')),
    mode             text,
    rows_read        bigint      not null default 0,
    rows_staged      bigint      not null default 0,
    rows_quarantined bigint      not null default 0,
    warnings         jsonb       not null default '[]'::jsonb,
    error            text,
    superseded_by    bigint references staging.delivery (delivery_id),
    archived_path    text,
    source_path      text,
    check (rows_read = rows_staged + rows_quarantined)
);
create index if not exists delivery_extract_hash on staging.delivery (extract, content_hash);
-- A snapshot is staged as its change set (hub/ingest/changes.py): of the rows it staged, how
-- many are new or changed (staged under this delivery) and how many repeat a staged row
-- unchanged (which keeps the delivery that first brought it); how many staged rows of the
-- earlier snapshots it no longer lists (removed). rows_staged = rows_new + rows_unchanged.
alter table staging.delivery add column if not exists rows_new bigint;
alter table staging.delivery add column if not exists rows_unchanged bigint;
alter table staging.delivery add column if not exists rows_removed bigint;

-- Which staged rows each snapshot took out of staging (the rows_removed above, one by one):
-- the row, the delivery that had staged it, and the snapshot that no longer listed it. Written
-- in the snapshot's own transaction, so it is exactly what left. The incremental mention
-- tables forget these rows' mentions by this list instead of probing staging for every
-- mention (dbt_project/macros/incremental_mentions.sql).
create table if not exists staging.removed_row (
    removed_by  bigint not null references staging.delivery (delivery_id),
    extract     text   not null,
    delivery_id bigint not null,
    source_row  text   not null,
    primary key (removed_by, delivery_id, source_row)
);

create table if not exists staging.quarantine (
    quarantine_id bigserial primary key,
    delivery_id   bigint not null references staging.delivery (delivery_id),
    extract       text   not null,
    source_row    text   not null,
    raw           jsonb  not null,
    reasons       jsonb  not null,
    reason_codes  text[] not null,
    unique (delivery_id, source_row)
);
create index if not exists quarantine_extract on staging.quarantine (extract, delivery_id);
"""

PG_TYPES = {
    "date": "date",
    "year_month": "date",
    "datetime": "timestamp",
    "decimal": "numeric",
    "integer": "bigint",
}


def ensure_core_schema(conn: psycopg.Connection) -> None:
    """Create the delivery and quarantine tables if they are missing (idempotent)."""
    conn.execute(CORE_DDL)


def derived_columns(kind: str, params: dict) -> list[str]:
    """Names of the extra columns a standardizer derives (a suggestion, a phonetic key…)."""
    result = standardize(kind, pd.Series(["1"], dtype=object), **params)
    return sorted(result.extra)


def staging_columns(contract: Contract) -> list[tuple[str, str]]:
    """(column, type) of ``staging.<extract>`` in order: lineage, then per field value + raw."""
    columns = [
        ("delivery_id", "bigint not null references staging.delivery (delivery_id)"),
        ("source_row", "text not null" if contract.format == "json" else "integer not null"),
    ]
    for field in contract.fields:
        columns.append((field.name, PG_TYPES.get(field.kind, "text")))
        columns.append((f"{field.name}_raw", "text"))
        for extra in derived_columns(field.kind, field.params):
            columns.append((f"{field.name}_{extra}", "text"))
    columns.append(("flags", "text[]"))
    columns.append(("extra", "jsonb"))
    return columns


def ensure_staging_table(conn: psycopg.Connection, contract: Contract) -> list[str]:
    """Create or widen ``staging.<extract>``; returns its column names in COPY order."""
    columns = staging_columns(contract)
    table = sql.Identifier("staging", contract.extract)
    conn.execute(
        sql.SQL("create table if not exists {} ({}, primary key (delivery_id, source_row))").format(
            table,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                for name, kind in columns
            ),
        )
    )
    for name, kind in columns[2:]:
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} {}").format(
                table, sql.Identifier(name), sql.SQL(kind)
            )
        )
    return [name for name, _ in columns]
