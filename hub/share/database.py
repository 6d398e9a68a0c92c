"""The service's place in PostgreSQL: its own role, the ``audit`` and ``share`` schemas, and the
privileges that make the audit log append-only for the service (enforced by the server, not by
code: the role holds INSERT and SELECT on ``audit.request_log`` and nothing else there).

:func:`ensure_share_database` runs as the hub's owner role (``hub serve`` and ``hub grant`` call
it; it is idempotent). :class:`Pool` hands out the service role's connections.
"""

from __future__ import annotations

import queue
import select
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from hub.share.settings import ShareSettings

_SCHEMA = """
create schema if not exists audit;
create schema if not exists share;

create table if not exists audit.request_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default clock_timestamp(),
    key_id text,
    department text,
    method text not null,
    endpoint text not null,
    purpose text,
    identifiers text[] not null default '{}',
    records_returned integer not null default 0,
    status integer not null,
    error_code text,
    client text,
    duration_ms real
);
create index if not exists request_log_department_at on audit.request_log (department, at);
create index if not exists request_log_at on audit.request_log (at);
create index if not exists request_log_identifiers on audit.request_log using gin (identifiers)
    with (fastupdate = off);
-- Without the pending list, no insert ever has to merge it into the index: with it, one audit
-- insert in a few (after ~10 batch checks of 10,000 identifiers) stalled ~0.5 s doing so.
do $$ begin
    if not exists (
        select from pg_class where oid = 'audit.request_log_identifiers'::regclass
        and 'fastupdate=off' = any(reloptions)
    ) then
        alter index audit.request_log_identifiers set (fastupdate = off);
    end if;
end $$;

-- Belt and braces: even the owner cannot rewrite history without first dropping these.
create or replace function audit.refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit.request_log is append-only (%)', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create or replace trigger request_log_no_update_delete
    before update or delete on audit.request_log
    for each statement execute function audit.refuse_change();
create or replace trigger request_log_no_truncate
    before truncate on audit.request_log
    for each statement execute function audit.refuse_change();

create table if not exists share.api_key (
    key_id text primary key,
    department text not null,
    label text,
    purposes text[] not null default '{}',
    salt bytea not null,
    secret_hash bytea not null,
    issued_at timestamptz not null default now(),
    expires_at timestamptz,
    revoked_at timestamptz
);
"""

_PRIVILEGES = """
revoke all on schema audit from public;
revoke all on schema share from public;
revoke all on all tables in schema audit from {role};
grant usage on schema audit to {role};
grant select, insert on audit.request_log to {role};
grant usage on schema share to {role};
grant select on all tables in schema share to {role};
alter default privileges in schema share grant select on tables to {role};
"""


def ensure_share_database(conn: psycopg.Connection, settings: ShareSettings) -> None:
    """Create (idempotently) the service role, schemas, audit log, key table and privileges."""
    role = sql.Identifier(settings.service_role)
    with conn.transaction():
        # Roles are cluster-wide; two databases of one cluster may race to create it.
        conn.execute("select pg_advisory_xact_lock(hashtext('hub.share.ensure'))")
        exists = conn.execute(
            "select 1 from pg_roles where rolname = %s", (settings.service_role,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("create role {} login").format(role))
        if settings.service_password:
            conn.execute(
                sql.SQL("alter role {} password {}").format(
                    role, sql.Literal(settings.service_password)
                )
            )
        conn.execute(_SCHEMA)
        conn.execute(sql.SQL(_PRIVILEGES).format(role=role))


def service_conninfo(owner_url: str, settings: ShareSettings) -> str:
    """The owner's connection string with the service role (and its password) in its place."""
    extra = {"user": settings.service_role}
    if settings.service_password:
        extra["password"] = settings.service_password
    return make_conninfo(owner_url, **extra)


def usable(conn: psycopg.Connection | None) -> bool:
    """Whether an idle connection can take a statement, without a round trip.

    An idle autocommit connection has nothing to read; if its socket is readable the server has
    closed it (restarted, or the backend was terminated) or said something unasked, and the
    connection is replaced rather than failing the request that would use it next.
    """
    if conn is None or conn.closed or conn.broken:
        return False
    if conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return False
    return not readable


class Pool:
    """A few autocommit connections of the service role, reused across requests (threads).

    At most ``size`` are open; a request beyond that waits for one to come back. A connection
    that failed, or that the server closed while it was idle (:func:`usable`), is closed and
    replaced, so a restarted server heals the pool without failing a request.
    """

    def __init__(self, conninfo: str, size: int):
        self._conninfo = conninfo
        self._idle: queue.LifoQueue[psycopg.Connection] = queue.LifoQueue()
        self._slots = queue.Queue(maxsize=size)
        for _ in range(size):
            self._slots.put(None)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        self._slots.get()
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = None
        try:
            if not usable(conn):
                if conn is not None:
                    conn.close()
                conn = psycopg.connect(self._conninfo, autocommit=True)
            yield conn
        finally:
            # Reused only when idle: a failed server leaves it in another state.
            if conn is not None and conn.info.transaction_status == TransactionStatus.IDLE:
                self._idle.put(conn)
            elif conn is not None:
                conn.close()
            self._slots.put(None)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
