"""What a county's shard is (区县分库的数据范围), and the version of every record the city holds.

A county receives the persons and legal entities whose ``counties`` name it (household
registration, residence, registered address), and the households, houses and places located in
it — never another county's records. Each record carries a version: a city-wide change number
that moves when the record's content (an md5 of the whole library row) changes, so a push sends
only what changed since the county's last acknowledged version.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class ShardTable:
    """One library table as a county receives it."""

    subject: str  # also the sub-store table name: county.<subject>
    library_table: str  # hub.<library_table>
    record_id: str  # SQL expression of the record's key over alias t
    in_county: str  # SQL condition over alias t, with %(county)s

    def rows_sql(self) -> str:
        """The county's rows: ``record_id`` then the library columns."""
        return (
            f"select {self.record_id} as record_id, t.* from hub.{self.library_table} as t "
            f"where {self.in_county}"
        )


SHARD_TABLES: tuple[ShardTable, ...] = (
    ShardTable("person", "person", "t.master_id", "%(county)s = any(t.counties)"),
    ShardTable("legal_entity", "legal_entity", "t.master_id", "%(county)s = any(t.counties)"),
    ShardTable(
        "household_membership",
        "household_membership",
        "t.household_number || '/' || t.person_master_id",
        "t.county = %(county)s",
    ),
    ShardTable("house", "house", "t.master_id", "t.county = %(county)s"),
    ShardTable("place", "place", "t.master_id", "t.county = %(county)s"),
)
SHARD_BY_SUBJECT = {t.subject: t for t in SHARD_TABLES}

CITY_DDL = """
create schema if not exists distribute;

-- The version of each library record: a city-wide change number, moved when its content changes.
create sequence if not exists distribute.change_number;
create table if not exists distribute.record_version (
    subject      text not null,
    record_id    text not null,
    content_hash text not null,
    version      bigint not null,
    changed_at   timestamptz not null default now(),
    primary key (subject, record_id)
);
create index if not exists record_version_version on distribute.record_version (version);

-- What each county acknowledged holding: the record and the version it has.
create table if not exists distribute.county_record (
    county    text not null,
    subject   text not null,
    record_id text not null,
    version   bigint not null,
    primary key (county, subject, record_id)
);

-- Every push attempt, delivered or not.
create table if not exists distribute.county_push (
    push_id      bigint generated always as identity primary key,
    county       text not null,
    started_at   timestamptz not null,
    finished_at  timestamptz not null default now(),
    status       text not null,
    upserted     bigint not null default 0,
    deleted      bigint not null default 0,
    tasks_opened bigint not null default 0,
    error        text
);
create index if not exists county_push_county on distribute.county_push (county, push_id);
"""


def ensure_city_tables(conn: psycopg.Connection) -> None:
    """Create the city-side ``distribute`` schema (idempotent)."""
    from hub.distribute.upstream_tables import UPSTREAM_DDL

    conn.execute(CITY_DDL)
    conn.execute(UPSTREAM_DDL)


def refresh_record_versions(conn: psycopg.Connection) -> dict[str, int]:
    """Give a new version to every record whose content changed; forget records that left.

    Returns the number of records versioned anew per subject. Run after each build (the asset
    ``distribute/record_versions``) and at the start of each push, so versions are never behind.
    """
    ensure_city_tables(conn)
    changed: dict[str, int] = {}
    for table in SHARD_TABLES:
        current = (
            f"select distinct on (record_id) record_id, md5(t::text) as content_hash "
            f"from (select {table.record_id} as record_id, t from hub.{table.library_table} as t)"
            f" as x(record_id, t) order by record_id"
        )
        cur = conn.execute(
            f"""
            with current_ as ({current}),
            moved as (
                select c.record_id, c.content_hash
                from current_ as c
                left join distribute.record_version as v
                    on v.subject = %(subject)s and v.record_id = c.record_id
                where v.content_hash is distinct from c.content_hash
            )
            insert into distribute.record_version (subject, record_id, content_hash, version)
            select %(subject)s, record_id, content_hash, nextval('distribute.change_number')
            from moved
            on conflict (subject, record_id) do update
                set content_hash = excluded.content_hash,
                    version = excluded.version,
                    changed_at = now()
            """,
            {"subject": table.subject},
        )
        changed[table.subject] = cur.rowcount
        conn.execute(
            f"""
            delete from distribute.record_version as v
            where v.subject = %(subject)s
              and not exists (
                select 1 from hub.{table.library_table} as t
                where {table.record_id} = v.record_id
              )
            """,
            {"subject": table.subject},
        )
    return changed
