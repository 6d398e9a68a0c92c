"""County sub-stores (区县分库): where each county's database is, and what it holds besides data.

By default a county's sub-store is a database named ``<city database>_county_<code>`` on the
city's own server (the embedded PostgreSQL unless ``HUB_DATABASE_URL`` says otherwise), created
on first push. ``HUB_COUNTY_URLS`` (JSON ``{"420502": "postgresql://…"}``) sends a county to a
server of its own; such a database is never created by the hub, only its tables.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hub.database.connection import database_url, to_libpq
from hub.distribute.vocabulary import CorrectionAction, ReviewStatus, TaskKind, TaskStatus, values
from hub.settings import HubSettings

COUNTY_CODES_FILE = Path(__file__).resolve().parents[1] / "standardize" / "codes" / "county.csv"
CONNECT_TIMEOUT_SECONDS = 5


class CountyUnknownError(ValueError):
    """The code is not one of the city's counties."""


@lru_cache(maxsize=1)
def city_counties() -> dict[str, str]:
    """The city's counties (宜昌's 13): GB/T 2260 code → name, from the county code table."""
    with COUNTY_CODES_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {
            r["code"]: r["label"] for r in rows if r["in_yichang"].strip() in ("1", "true", "True")
        }


def check_county(code: str) -> str:
    if code not in city_counties():
        raise CountyUnknownError(
            f"{code!r} is not a county of the city; known: {', '.join(city_counties())}"
        )
    return code


def substore_conninfo(settings: HubSettings, county: str) -> str:
    """The libpq conninfo of the county's sub-store."""
    check_county(county)
    configured = settings.county_urls.get(county)
    if configured:
        return to_libpq(configured)
    city = conninfo_to_dict(to_libpq(database_url(settings)))
    city["dbname"] = f"{city.get('dbname') or settings.database_name}_county_{county}"
    return make_conninfo(**city)


def ensure_substore_database(settings: HubSettings, county: str) -> str:
    """Create the county's database on the city's server when it is ours to create."""
    conninfo = substore_conninfo(settings, county)
    if settings.county_urls.get(county):
        return conninfo
    params = conninfo_to_dict(conninfo)
    name = params["dbname"]
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return conninfo


def connect_substore(conninfo: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_SECONDS, **kwargs)


SUBSTORE_DDL = f"""
create schema if not exists county;

-- Which county this database is; a push to the wrong database is refused.
create table if not exists county.about (
    county text primary key,
    name   text not null
);

-- One row per push that changed something.
create table if not exists county.push_log (
    push_id     bigint generated always as identity primary key,
    received_at timestamptz not null default now(),
    upserted    bigint not null,
    deleted     bigint not null,
    tasks_open  bigint not null
);

-- 核查任务: records that need a gridworker's look, assigned to the grid of the address.
create table if not exists county.task (
    task_id        bigint generated always as identity primary key,
    task_key       text not null unique,
    kind           text not null check (kind in ({values(TaskKind)})),
    subject        text not null,
    record_id      text not null,
    grid_code      text,
    detail         jsonb not null default '{{}}',
    record_version bigint,
    status         text not null default 'open' check (status in ({values(TaskStatus)})),
    created_at     timestamptz not null default now(),
    closed_at      timestamptz
);
create index if not exists task_grid on county.task (grid_code, status);
create index if not exists task_record on county.task (subject, record_id);

-- 纠错 / 核实: what a gridworker reports, stamped with the version it was based on, and the
-- station's review (初核). synced_at is set once the city has it (上报).
create table if not exists county.correction (
    correction_id text primary key,
    subject       text not null,
    record_id     text not null,
    action        text not null check (action in ({values(CorrectionAction)})),
    attribute     text,
    new_value     text,
    seen_value    text,
    base_version  bigint not null,
    gridworker    text not null,
    corrected_at  timestamptz not null default now(),
    note          text,
    review_status text not null default 'pending' check (review_status in ({values(ReviewStatus)})),
    reviewer      text,
    reviewed_at   timestamptz,
    review_note   text,
    synced_at     timestamptz,
    check (action <> 'correct' or attribute is not null)
);
create index if not exists correction_to_sync on county.correction (correction_id)
    where review_status = 'approved' and synced_at is null;
"""


def ensure_substore_tables(conn: psycopg.Connection, county: str) -> None:
    """The sub-store's own tables (the shard tables follow the city's library columns)."""
    conn.execute(SUBSTORE_DDL)
    held = conn.execute("select county from county.about").fetchone()
    if held and held[0] != county:
        raise RuntimeError(f"this sub-store belongs to county {held[0]}, not {county}")
    if not held:
        conn.execute(
            "insert into county.about (county, name) values (%s, %s)",
            [county, city_counties()[county]],
        )
