"""Which mentions changed since the last linkage run: new, re-derived and gone ones.

A re-delivered snapshot keeps the staged rows, and so the mention ids, of the rows it did not
change; only changed and new rows bring new mention ids, and rows no longer delivered leave.
Each link row keeps ``mention_hash``, a hash of what linkage read of its mention (the row hash
the basis sums, ``hub/linkage/basis.py``). One full join of the mentions with the link
table, in the server, then finds:

* ``new`` — a mention id without a link (a new or changed row of a delivery);
* ``changed`` — a linked mention whose hash differs (a standardizer re-derived a column);
* ``gone`` — a link whose mention is no longer delivered.

Their ids go to the temporary table ``_changes`` (mention_id, change), dropped by
``drop_changes`` or at the end of the session; only those mentions are read into Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

WORK_MEM = "256MB"  # a hash join of three million mention ids in one batch


@dataclass(frozen=True)
class MentionChanges:
    mentions: int  # the subject's mentions now
    new: int  # mention ids without a link
    changed: int  # linked, but what linkage reads of them differs
    gone: int  # links whose mention is no longer delivered

    @property
    def relink(self) -> int:
        """Mentions to link now (new and changed)."""
        return self.new + self.changed

    @property
    def share(self) -> float:
        """Changed, new and gone mentions against the mentions now (what decides a full run)."""
        return (self.relink + self.gone) / max(self.mentions, 1)


def mention_hash(columns: str) -> sql.Composable:
    """The hash of a mention's ``columns`` (``PERSON_COLUMNS``, ``ENTITY_COLUMNS``) as stored in
    the link table: the first of the two row hashes the basis sums (PostgreSQL 14 or later)."""
    return sql.SQL("hash_record_extended(row({}), 0)").format(sql.SQL(columns))


def links_without_hash(conn: psycopg.Connection, links: str) -> bool:
    """Does the link table hold links written before mention hashes were (a full run is due)?"""
    (found,) = conn.execute(
        sql.SQL("select exists (select 1 from {} where mention_hash is null)").format(_table(links))
    ).fetchone()
    return bool(found)


def find_changes(
    conn: psycopg.Connection, mentions: str, columns: str, links: str, count: int
) -> MentionChanges:
    """Fill ``_changes`` with the new, changed and gone mentions of ``mentions`` against the
    link table ``links``, and count them (``count``: the mentions now, known from the basis)."""
    drop_changes(conn)
    with whole_table_scans(conn):
        conn.execute(
            sql.SQL(
                """
                create temporary table _changes as
                with now_delivered as (select mention_id, {hash} as mention_hash from {mentions})
                select
                    coalesce(m.mention_id, l.mention_id) as mention_id,
                    case
                        when l.mention_id is null then 'new'
                        when m.mention_id is null then 'gone'
                        else 'changed'
                    end as change
                from now_delivered as m
                full join {links} as l on l.mention_id = m.mention_id
                where l.mention_id is null
                    or m.mention_id is null
                    or l.mention_hash is distinct from m.mention_hash
                """
            ).format(hash=mention_hash(columns), mentions=_table(mentions), links=_table(links))
        )
    conn.execute("alter table _changes add primary key (mention_id)")
    conn.execute("analyze _changes")
    counts = dict(conn.execute("select change, count(*) from _changes group by change").fetchall())
    return MentionChanges(
        mentions=count,
        new=int(counts.get("new", 0)),
        changed=int(counts.get("changed", 0)),
        gone=int(counts.get("gone", 0)),
    )


@contextmanager
def whole_table_scans(conn: psycopg.Connection) -> Iterator[None]:
    """Server settings, for the statements inside, that suit one pass over all mentions: no
    JIT (compiling the hash expressions took 2.5 s of a 9 s join at a million persons) and
    work memory for a hash join in one batch. Set for the transaction and put back after (an
    error rolls the transaction, and so the settings, back)."""
    before = conn.execute("select current_setting('jit'), current_setting('work_mem')").fetchone()
    conn.execute(
        "select set_config('jit', 'off', true), set_config('work_mem', %s, true)", [WORK_MEM]
    )
    yield
    conn.execute("select set_config('jit', %s, true), set_config('work_mem', %s, true)", before)


def drop_changes(conn: psycopg.Connection) -> None:
    conn.execute("drop table if exists _changes")


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))
