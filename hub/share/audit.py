"""The audit trail (全程留痕): one row per request in ``audit.request_log``.

The service writes as a role that may only INSERT and SELECT there (see
:mod:`hub.share.database`), so no bug or intruder in the service can rewrite what was asked.
``hub audit`` reads it with :func:`query_audit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg

_MAX_IDENTIFIER = 64  # a hostile "identifier" must not bloat the log


@dataclass
class AuditEntry:
    """What one request did; routes fill in purpose, identifiers and records returned."""

    method: str
    endpoint: str
    client: str | None = None
    key_id: str | None = None
    department: str | None = None
    purpose: str | None = None
    identifiers: list[str] = field(default_factory=list)
    records_returned: int = 0


COLUMNS = (
    "key_id",
    "department",
    "method",
    "endpoint",
    "purpose",
    "identifiers",
    "records_returned",
    "status",
    "error_code",
    "client",
    "duration_ms",
)
"""The columns of ``audit.request_log`` the service writes, in :func:`audit_row`'s order."""


def audit_row(entry: AuditEntry, status: int, error_code: str | None, duration_ms: float) -> tuple:
    """The values of :data:`COLUMNS` for one request."""
    return (
        entry.key_id,
        entry.department,
        entry.method,
        entry.endpoint,
        entry.purpose[:_MAX_IDENTIFIER] if entry.purpose else None,
        [str(i)[:_MAX_IDENTIFIER] for i in entry.identifiers],
        entry.records_returned,
        status,
        error_code,
        entry.client,
        duration_ms,
    )


def query_audit(
    conn: psycopg.Connection,
    *,
    department: str | None = None,
    since: dt.datetime | None = None,
    identifier: str | None = None,
    limit: int = 100,
) -> list[dict]:
    """The latest requests, newest first, filtered by department, time and identifier asked."""
    cur = conn.execute(
        "select id, at, key_id, department, method, endpoint, purpose, "
        "cardinality(identifiers) as identifiers_asked, identifiers[1:5] as first_identifiers, "
        "records_returned, status, error_code, duration_ms "
        "from audit.request_log "
        "where (%(department)s::text is null or department = %(department)s) "
        "and (%(since)s::timestamptz is null or at >= %(since)s) "
        "and (%(identifier)s::text is null or identifiers @> array[%(identifier)s::text]) "
        "order by id desc limit %(limit)s",
        {"department": department, "since": since, "identifier": identifier, "limit": limit},
    )
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
