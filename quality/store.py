"""The ``quality`` schema: scorecard history, expectation results, anomalies and their records.

Created idempotently before every run, so a fresh database needs no migration step.
"""

from __future__ import annotations

import json
from datetime import datetime

import psycopg

from quality.validation import ExpectationOutcome

DDL = """
create schema if not exists quality;

create table if not exists quality.scorecard (
    run_at timestamptz not null,
    department text not null,
    extract text,            -- null: the department's roll-up
    delivery_id bigint,      -- null: a roll-up (of the extract, or of the department)
    file_name text,
    rows bigint not null,
    completeness double precision,
    validity double precision,
    uniqueness double precision,
    consistency double precision,
    timeliness double precision,
    overall double precision
);
create index if not exists scorecard_department_run on quality.scorecard (department, run_at);

create table if not exists quality.expectation_result (
    run_at timestamptz not null,
    table_name text not null,
    rule text not null,
    expectation text not null,
    column_name text,
    success boolean not null,
    element_count bigint,
    unexpected_count bigint,
    description text
);

create table if not exists quality.anomaly (
    anomaly_id bigserial primary key,
    run_at timestamptz not null,
    kind text not null,
    subject text not null,   -- person | legal_entity | place
    master_id text,          -- the person or entity flagged (null for an unknown place)
    master_ids text[] not null default '{}',  -- everyone involved (staff, residents)
    details jsonb not null default '{}'
);
create index if not exists anomaly_run_kind on quality.anomaly (run_at, kind);

create table if not exists quality.anomaly_record (
    anomaly_id bigint not null references quality.anomaly (anomaly_id),
    extract text not null,
    delivery_id bigint,
    file_name text,
    source_row text,
    role text
);
"""


def ensure_schema(conn: psycopg.Connection) -> None:
    conn.execute(DDL)


def store_outcomes(
    conn: psycopg.Connection, run_at: datetime, outcomes: list[ExpectationOutcome]
) -> None:
    columns = (
        "run_at, table_name, rule, expectation, column_name, success, element_count, "
        "unexpected_count, description"
    )
    with (
        conn.cursor() as cur,
        cur.copy(f"copy quality.expectation_result ({columns}) from stdin") as copy,
    ):
        for o in outcomes:
            copy.write_row(
                    [run_at, o.table, o.rule, o.expectation, o.column, o.success,
                     o.element_count, o.unexpected_count, o.description]
                )  # fmt: skip


def to_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
