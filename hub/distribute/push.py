"""Push (下发): send a county the records of its shard that changed since its last acknowledged version.

Incremental and idempotent: the city remembers per county which version of each record the
county acknowledged (``distribute.county_record``); a push sends the records whose version
differs, deletes the ones that left the shard, and refreshes the verification tasks — all in one
transaction in the sub-store — then records the acknowledgement at the city. A crash between the
two resends the same versions next time, which changes nothing. A county that cannot be reached
is logged as unreachable and catches up on its next push from what it acknowledged.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from hub.distribute.shard import SHARD_TABLES, ShardTable, ensure_city_tables
from hub.distribute.substore import (
    connect_substore,
    ensure_substore_database,
    ensure_substore_tables,
)
from hub.distribute.tasks import merge_tasks, stage_county_tasks
from hub.distribute.vocabulary import PushStatus
from hub.settings import HubSettings


class CountyUnreachableError(RuntimeError):
    """The county's sub-store could not be reached; the push is retried later."""


@dataclass
class PushReport:
    county: str
    status: str
    upserted: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    tasks_opened: int = 0
    tasks_resolved: int = 0
    seconds: float = 0.0
    error: str | None = None

    @property
    def records_moved(self) -> int:
        return sum(self.upserted.values()) + sum(self.deleted.values())

    def to_dict(self) -> dict:
        return {**asdict(self), "records_moved": self.records_moved}


def _library_columns(city: psycopg.Connection, table: ShardTable) -> list[tuple[str, str]]:
    return city.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a "
        "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped "
        "order by a.attnum",
        [f"hub.{table.library_table}"],
    ).fetchall()


def _ensure_shard_table(
    sub: psycopg.Connection, table: ShardTable, columns: list[tuple[str, str]]
) -> None:
    """county.<subject>: record_id, the library's columns (same types), record_version."""
    name = sql.Identifier("county", table.subject)
    sub.execute(
        sql.SQL(
            "create table if not exists {} (record_id text primary key, "
            "record_version bigint not null, received_at timestamptz not null default now())"
        ).format(name)
    )
    for column, type_ in columns:
        sub.execute(
            sql.SQL("alter table {} add column if not exists {} {}").format(
                name, sql.Identifier(column), sql.SQL(type_)
            )
        )


def _plan(city: psycopg.Connection, county: str, table: ShardTable) -> None:
    """Temp tables send_/gone_<subject>: what changed since the county's acknowledged versions."""
    send, gone = f"send_{table.subject}", f"gone_{table.subject}"
    city.execute(f"drop table if exists {send}, {gone}")
    city.execute(
        f"""
        create temp table {send} as
        with want as (
            select r.record_id, v.version
            from ({table.rows_sql()}) as r
            join distribute.record_version as v
                on v.subject = %(subject)s and v.record_id = r.record_id
        )
        select w.record_id, w.version
        from want as w
        left join distribute.county_record as a
            on a.county = %(county)s and a.subject = %(subject)s and a.record_id = w.record_id
        where a.version is distinct from w.version
        """,
        {"county": county, "subject": table.subject},
    )
    city.execute(f"create index on {send} (record_id)")
    city.execute(
        f"""
        create temp table {gone} as
        select a.record_id
        from distribute.county_record as a
        where a.county = %(county)s and a.subject = %(subject)s
          and not exists (
            select 1 from ({table.rows_sql()}) as r where r.record_id = a.record_id
          )
        """,
        {"county": county, "subject": table.subject},
    )


def _copy_rows(
    city: psycopg.Connection,
    sub: psycopg.Connection,
    county: str,
    table: ShardTable,
    columns: list[tuple[str, str]],
) -> tuple[int, int]:
    """Replace the changed records in the sub-store and delete the departed ones."""
    names = ["record_id", *(c for c, _ in columns), "record_version"]
    column_list = sql.SQL(", ").join(map(sql.Identifier, names))
    target = sql.Identifier("county", table.subject)
    incoming = sql.Identifier(f"incoming_{table.subject}")
    sub.execute(sql.SQL("drop table if exists {}").format(incoming))
    sub.execute(
        sql.SQL("create temp table {} (like {} including defaults)").format(incoming, target)
    )
    source = (
        f"copy (select r.*, s.version from ({table.rows_sql()}) as r "
        f"join send_{table.subject} as s using (record_id)) to stdout (format binary)"
    )
    with (
        city.cursor().copy(source, {"county": county}) as reader,
        sub.cursor().copy(
            sql.SQL("copy {} ({}) from stdin (format binary)").format(incoming, column_list)
        ) as writer,
    ):
        for chunk in reader:
            writer.write(chunk)
    sub.execute(
        sql.SQL("delete from {} as t using {} as i where t.record_id = i.record_id").format(
            target, incoming
        )
    )
    upserted = sub.execute(
        sql.SQL("insert into {} ({}) select {} from {}").format(
            target, column_list, column_list, incoming
        )
    ).rowcount
    gone_ids = [
        r[0] for r in city.execute(f"select record_id from gone_{table.subject}").fetchall()
    ]
    deleted = 0
    if gone_ids:
        deleted = sub.execute(
            sql.SQL("delete from {} where record_id = any(%s)").format(target), [gone_ids]
        ).rowcount
    return upserted, deleted


def _acknowledge(city: psycopg.Connection, county: str, table: ShardTable) -> None:
    city.execute(
        f"""
        insert into distribute.county_record (county, subject, record_id, version)
        select %(county)s, %(subject)s, record_id, version from send_{table.subject}
        on conflict (county, subject, record_id) do update set version = excluded.version
        """,
        {"county": county, "subject": table.subject},
    )
    city.execute(
        f"delete from distribute.county_record as a using gone_{table.subject} as g "
        "where a.county = %(county)s and a.subject = %(subject)s and a.record_id = g.record_id",
        {"county": county, "subject": table.subject},
    )


def _log_attempt(city: psycopg.Connection, report: PushReport, started: datetime) -> None:
    city.execute(
        "insert into distribute.county_push (county, started_at, status, upserted, deleted, "
        "tasks_opened, error) values (%s, %s, %s, %s, %s, %s, %s)",
        [
            report.county,
            started,
            report.status,
            sum(report.upserted.values()),
            sum(report.deleted.values()),
            report.tasks_opened,
            report.error,
        ],
    )


def push_county(settings: HubSettings, city_conninfo: str, county: str) -> PushReport:
    """Push one county's changed records and tasks; raises CountyUnreachableError when offline.

    Record versions must be current (``refresh_record_versions``, done after each build).
    """
    clock = time.perf_counter()
    started = datetime.now(UTC)
    report = PushReport(county, PushStatus.DELIVERED.value)
    with psycopg.connect(city_conninfo) as city:
        ensure_city_tables(city)
        city.commit()
        try:
            sub = connect_substore(ensure_substore_database(settings, county))
        except psycopg.OperationalError as exc:
            report.status = PushStatus.UNREACHABLE.value
            report.error = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            report.seconds = time.perf_counter() - clock
            _log_attempt(city, report, started)
            city.commit()
            raise CountyUnreachableError(f"county {county}: {report.error}") from exc
        with sub:
            ensure_substore_tables(sub, county)
            for table in SHARD_TABLES:
                columns = _library_columns(city, table)
                _ensure_shard_table(sub, table, columns)
                _plan(city, county, table)
                up, down = _copy_rows(city, sub, county, table, columns)
                report.upserted[table.subject] = up
                report.deleted[table.subject] = down
            stage_county_tasks(city, county)
            report.tasks_opened, report.tasks_resolved, tasks_open = merge_tasks(city, sub)
            if report.records_moved or report.tasks_opened or report.tasks_resolved:
                sub.execute(
                    "insert into county.push_log (upserted, deleted, tasks_open) "
                    "values (%s, %s, %s)",
                    [sum(report.upserted.values()), sum(report.deleted.values()), tasks_open],
                )
            sub.commit()
        # The county has it: acknowledge. A crash before this line only resends the same versions.
        for table in SHARD_TABLES:
            _acknowledge(city, county, table)
        report.seconds = time.perf_counter() - clock
        _log_attempt(city, report, started)
        city.commit()
    return report
