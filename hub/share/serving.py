"""The serving copy of the subject libraries (schema ``share``): indexed, with search keys and
precomputed batch-check answers.

The marts in schema ``hub`` are rebuilt by dbt without the indexes a front door needs (a
citizen-ID lookup on a million persons must not scan). :func:`refresh_serving_tables` copies them
into ``share`` in one transaction — readers see the old copy or the new, never half — adds each
person's canonical name and phonetic key (from the standardizer, so ``劉偉`` and ``刘玮`` find
``刘伟``), and precomputes per citizen ID what batch checks ask. ``hub serve`` refreshes on start.
"""

from __future__ import annotations

import time

import pandas as pd
import psycopg
from psycopg.types.json import Jsonb

from hub.share.vocabulary import Subject

INTERNAL_COLUMNS = {"name_key", "phonetic_key"}
"""Columns of ``share.person`` that exist for search, not for granting."""

SERVING_TABLE = {
    Subject.PERSON: "share.person",
    Subject.LEGAL_ENTITY: "share.legal_entity",
    Subject.HOUSE: "share.house",
}

_COPIES = {
    "legal_entity": ["master_id", "credit_code", "organization_code", "legal_rep_master_id"],
    "house": ["master_id", "unit_number"],
    "house_owner": ["owner_master_id", "house_master_id"],
    "household_membership": ["household_number", "person_master_id"],
    "employment": ["person_master_id"],
    "legal_representative": ["person_master_id", "entity_master_id"],
}

_PERSON = """
create table share.person as
select p.*, n.name_key, n.phonetic_key
from hub.person as p
left join pg_temp.person_name_key as n using (master_id);
create index on share.person (citizen_id);
create index on share.person (master_id);
create index on share.person (name_key);
create index on share.person (phonetic_key);
create index on share.person (household_number);
"""

_PERSON_CHECK = """
create table share.person_check as
with dwellings as (
    select o.owner_master_id as master_id, count(distinct h.master_id) as n
    from hub.house_owner as o
    join hub.house as h on h.master_id = o.house_master_id
    where o.owner_subject = 'person' and h.is_dwelling
    group by 1
),
represented as (
    select person_master_id as master_id, entity_master_id from hub.legal_representative
    union
    select legal_rep_master_id, master_id from hub.legal_entity
    where legal_rep_master_id is not null
),
active_enterprises as (
    select r.master_id, count(distinct r.entity_master_id) as n
    from represented as r
    join hub.legal_entity as e on e.master_id = r.entity_master_id
    where e.active
    group by 1
),
insured as (
    select person_master_id as master_id, bool_or(paying) as paying
    from hub.employment
    group by 1
)
select
    p.citizen_id,
    p.master_id,
    p.counties,
    p.alive,
    p.allowance_status,
    coalesce(d.n, 0)::int as dwellings_owned,
    coalesce(a.n, 0)::int as active_enterprises_represented,
    coalesce(i.paying, false) as insured
from hub.person as p
left join dwellings as d using (master_id)
left join active_enterprises as a using (master_id)
left join insured as i using (master_id)
where p.citizen_id is not null;
create index on share.person_check (citizen_id);
"""


def _name_keys(conn: psycopg.Connection) -> None:
    """Canonical simplified name and pinyin key of every person, into a temporary table."""
    from hub.standardize.registry import standardize

    rows = conn.execute("select master_id, name from hub.person").fetchall()
    frame = pd.DataFrame(rows, columns=["master_id", "name"])
    result = standardize("person_name", frame["name"])
    conn.execute(
        "create temporary table person_name_key "
        "(master_id text, name_key text, phonetic_key text) on commit drop"
    )
    with conn.cursor().copy("copy pg_temp.person_name_key from stdin") as copy:
        for master_id, key, phonetic in zip(
            frame["master_id"], result.value, result.extra["phonetic_key"], strict=True
        ):
            copy.write_row((master_id, key, phonetic))


def refresh_serving_tables(conn: psycopg.Connection) -> dict[str, int]:
    """Rebuild schema ``share``'s copies of the libraries in one transaction; rows per table."""
    started = time.perf_counter()
    with conn.transaction():
        missing = conn.execute(
            "select count(*) from (values ('person'), ('legal_entity'), ('house')) as t(name) "
            "where to_regclass('hub.' || name) is null"
        ).fetchone()[0]
        if missing:
            raise RuntimeError("the subject libraries are not built (run `hub build` first)")
        _name_keys(conn)
        conn.execute("drop table if exists share.person, share.person_check")
        conn.execute(_PERSON)
        conn.execute(_PERSON_CHECK)
        for table, indexed in _COPIES.items():
            conn.execute(f"drop table if exists share.{table}")
            conn.execute(f"create table share.{table} as select * from hub.{table}")
            for column in indexed:
                conn.execute(f"create index on share.{table} ({column})")
        tables = ["person", "person_check", *_COPIES]
        counts = {t: conn.execute(f"select count(*) from share.{t}").fetchone()[0] for t in tables}
        conn.execute(
            "create table if not exists share.serving_state "
            "(refreshed_at timestamptz not null, seconds real not null, counts jsonb not null)"
        )
        conn.execute("delete from share.serving_state")
        conn.execute(
            "insert into share.serving_state values (now(), %s, %s)",
            (time.perf_counter() - started, Jsonb(counts)),
        )
    for t in tables:
        conn.execute(f"analyze share.{t}")
    return counts


def serving_columns(conn: psycopg.Connection) -> dict[Subject, set[str]]:
    """The grantable columns of each subject's serving table, from information_schema."""
    rows = conn.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'share' and table_name = any(%s)",
        ([t.split(".")[1] for t in SERVING_TABLE.values()],),
    ).fetchall()
    out: dict[Subject, set[str]] = {s: set() for s in Subject}
    for table, column in rows:
        if column not in INTERNAL_COLUMNS:
            out[Subject(table)].add(column)
    return out


def is_refreshed(conn: psycopg.Connection) -> bool:
    return conn.execute("select to_regclass('share.serving_state') is not null").fetchone()[0]
