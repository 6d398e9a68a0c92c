"""A full snapshot staged as its change set: what is new goes in, what is gone goes out.

A department's snapshot lists every record again, and most of them did not change since the
last one. Staging only the difference keeps the staged row — and with it the delivery, file and
row number that first brought it — of every record delivered again unchanged. The lineage the
hub shows stays true (the named delivery's archived file holds exactly that row), and what is
built from staging sees the change, not a million renumbered rows: mentions, links, golden
values and history of the unchanged records stay as they are (docs/libraries.md §7).

Rows are compared on everything staged from them except their lineage (``delivery_id``,
``source_row``): canonical values, raw values, derived columns, flags and unknown columns. So a
row delivered again under a changed standardizer or contract counts as changed, and is staged
again. A delivery never stages two identical rows (the second is quarantined as
``duplicate_row``), so each content is one row on either side, and the comparison is one hash
join; should that ever not hold, the load stops with an error instead of miscounting.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

LINEAGE = ("delivery_id", "source_row")
INCOMING = "_incoming"  # this delivery's checked rows, in a temporary table of the load


@dataclass(frozen=True)
class ChangeSet:
    """What a snapshot did to its extract's staged rows."""

    new: int  # staged under this delivery: new records, or records whose row changed
    unchanged: int  # identical to a staged row, which stays under its earlier delivery
    removed: int  # staged rows of earlier snapshots this one no longer lists


def has_staged_rows(conn: psycopg.Connection, table: sql.Identifier) -> bool:
    """Whether the extract has rows staged (a first snapshot is simply copied in)."""
    return conn.execute(sql.SQL("select exists (select 1 from {})").format(table)).fetchone()[0]


def create_incoming(conn: psycopg.Connection, table: sql.Identifier) -> sql.Identifier:
    """A temporary table shaped like ``table`` for the snapshot's rows; it goes with the load's
    transaction (committed or not)."""
    conn.execute(
        sql.SQL("create temporary table {} (like {}) on commit drop").format(
            sql.Identifier(INCOMING), table
        )
    )
    return sql.Identifier(INCOMING)


def apply_change_set(
    conn: psycopg.Connection,
    table: sql.Identifier,
    columns: list[str],
    delivery_id: int,
    extract: str,
) -> ChangeSet:
    """Make ``table`` hold exactly the incoming snapshot's rows, moving only the difference.

    ``columns``: the staging columns of the current contract, lineage first. Rows are matched
    on an md5 of the other columns' text (one in 2^128 that two different rows collide). The
    rows taken out are listed in ``staging.removed_row`` under ``delivery_id``, the snapshot's.
    """
    content = sql.SQL("md5(row({})::text)").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns if c not in LINEAGE)
    )
    incoming = sql.Identifier(INCOMING)
    (staged,) = conn.execute(sql.SQL("select count(*) from {}").format(table)).fetchone()
    (delivered,) = conn.execute(sql.SQL("select count(*) from {}").format(incoming)).fetchone()
    conn.execute(
        sql.SQL(
            """
            create temporary table _change on commit drop as
            select s.delivery_id as staged_delivery, s.source_row as staged_row,
                d.source_row as delivered_row
            from (select delivery_id, source_row, {content} as content from {table}) as s
            full join (select source_row, {content} as content from {incoming}) as d
                using (content)
            where s.source_row is null or d.source_row is null
            """
        ).format(content=content, table=table, incoming=incoming)
    )
    removed = conn.execute(
        sql.SQL(
            "delete from {} as s using _change as c where c.staged_row is not null "
            "and s.delivery_id = c.staged_delivery and s.source_row = c.staged_row"
        ).format(table)
    ).rowcount
    conn.execute(
        "insert into staging.removed_row (removed_by, extract, delivery_id, source_row) "
        "select %s, %s, staged_delivery, staged_row::text from _change "
        "where staged_row is not null",
        [delivery_id, extract],
    )
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    new = conn.execute(
        sql.SQL(
            "insert into {table} ({names}) select {names} from {incoming} "
            "where source_row in (select delivered_row from _change where delivered_row is not null) "
            "order by source_row"
        ).format(table=table, names=names, incoming=incoming)
    ).rowcount
    conn.execute("drop table _change")
    if staged - removed + new != delivered:  # two identical rows on one side
        raise RuntimeError(
            f"{table.as_string(conn)}: the snapshot's change set does not add up ({staged} staged "
            f"- {removed} removed + {new} new <> {delivered} delivered): identical rows are "
            "staged twice. Nothing was loaded; tell the hub's maintainers."
        )
    return ChangeSet(new=new, unchanged=delivered - new, removed=removed)
