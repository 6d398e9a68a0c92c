"""Corrections in the county (纠错 / 核实) and the station's review (初核), in the sub-store.

A gridworker confirms a record, corrects one attribute, or flags the record (moved away,
deceased, unknown at address). Each correction is stamped with the version of the record the
gridworker saw, the value shown for the attribute, the gridworker and the time — so the city
can tell later whether the record changed underneath it. A reviewer other than the gridworker
approves or rejects it; only approved corrections leave the county.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from hub.distribute.shard import SHARD_BY_SUBJECT
from hub.distribute.vocabulary import CorrectionAction, ReviewStatus, TaskStatus

# Columns a gridworker cannot correct: keys and bookkeeping.
NOT_CORRECTABLE = {"record_id", "record_version", "received_at", "master_id", "counties"}
NOT_CORRECTABLE |= {"last_delivery_id", "delivery_id", "source_row"}


class CorrectionError(ValueError):
    """The correction or review is not possible; the message says why."""


@dataclass(frozen=True)
class Correction:
    correction_id: str
    subject: str
    record_id: str
    action: str
    attribute: str | None
    new_value: str | None
    seen_value: str | None
    base_version: int


def _record(conn: psycopg.Connection, subject: str, record_id: str) -> dict:
    if subject not in SHARD_BY_SUBJECT:
        raise CorrectionError(f"unknown subject {subject!r}; one of {', '.join(SHARD_BY_SUBJECT)}")
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            sql.SQL("select * from {} where record_id = %s").format(
                sql.Identifier("county", subject)
            ),
            [record_id],
        )
        .fetchone()
    )
    if row is None:
        raise CorrectionError(f"{subject} {record_id} is not in this county's shard")
    return row


def record_correction(
    conn: psycopg.Connection,
    county: str,
    *,
    subject: str,
    record_id: str,
    action: CorrectionAction | str,
    gridworker: str,
    attribute: str | None = None,
    value: str | None = None,
    note: str | None = None,
) -> Correction:
    """Store a gridworker's report on a record; answers the record's open tasks."""
    action = CorrectionAction(action)
    record = _record(conn, subject, record_id)
    if action is CorrectionAction.CORRECT:
        if not attribute or attribute not in record or attribute in NOT_CORRECTABLE:
            allowed = sorted(set(record) - NOT_CORRECTABLE)
            raise CorrectionError(f"attribute {attribute!r} cannot be corrected; one of {allowed}")
        if value is None or value == "":
            raise CorrectionError("a correction needs the new value")
    elif attribute or value:
        raise CorrectionError(f"{action.value} takes no attribute or value")
    seen = record.get(attribute) if attribute else None
    correction = Correction(
        correction_id=f"{county}-{uuid.uuid4().hex}",
        subject=subject,
        record_id=record_id,
        action=action.value,
        attribute=attribute,
        new_value=value,
        seen_value=None if seen is None else str(seen),
        base_version=record["record_version"],
    )
    conn.execute(
        "insert into county.correction (correction_id, subject, record_id, action, attribute, "
        "new_value, seen_value, base_version, gridworker, note) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            correction.correction_id,
            subject,
            record_id,
            correction.action,
            attribute,
            value,
            correction.seen_value,
            correction.base_version,
            gridworker,
            note,
        ],
    )
    conn.execute(
        "update county.task set status = %s, closed_at = now() "
        "where subject = %s and record_id = %s and status = 'open'",
        [TaskStatus.DONE.value, subject, record_id],
    )
    conn.commit()
    return correction


def review_correction(
    conn: psycopg.Connection,
    correction_id: str,
    *,
    reviewer: str,
    approve: bool,
    note: str | None = None,
) -> str:
    """初核: approve or reject a pending correction; the reviewer is not its gridworker."""
    row = conn.execute(
        "select gridworker, review_status from county.correction where correction_id = %s "
        "for update",
        [correction_id],
    ).fetchone()
    if row is None:
        raise CorrectionError(f"no correction {correction_id}")
    gridworker, status = row
    if status != ReviewStatus.PENDING:
        raise CorrectionError(f"correction {correction_id} is already {status}")
    if reviewer == gridworker:
        raise CorrectionError("a gridworker cannot review their own correction")
    decision = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    conn.execute(
        "update county.correction set review_status = %s, reviewer = %s, reviewed_at = now(), "
        "review_note = %s where correction_id = %s",
        [decision.value, reviewer, note, correction_id],
    )
    conn.commit()
    return decision.value


def open_tasks(conn: psycopg.Connection, *, grid: str | None = None, limit: int = 50) -> list[dict]:
    """Open tasks, optionally of one grid, oldest first."""
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            "select task_id, kind, subject, record_id, grid_code, detail, created_at "
            "from county.task where status = 'open' and (%(grid)s::text is null "
            "or grid_code = %(grid)s) order by created_at, task_id limit %(limit)s",
            {"grid": grid, "limit": limit},
        )
        .fetchall()
    )


def pending_corrections(conn: psycopg.Connection, *, limit: int = 50) -> list[dict]:
    """Corrections waiting for the station's review."""
    return (
        conn.cursor(row_factory=dict_row)
        .execute(
            "select correction_id, subject, record_id, action, attribute, seen_value, new_value, "
            "gridworker, corrected_at from county.correction where review_status = 'pending' "
            "order by corrected_at limit %s",
            [limit],
        )
        .fetchall()
    )
