"""What a subject's links were computed from, so that a run with nothing new can keep them.

A linkage run's result depends only on:

* the subject's mentions — the columns linkage reads of them, mention ids included;
* the steward decisions on its review pairs (accepted / rejected);
* the linkage code and the subject's settings file (``hub/linkage``, ``matching``);
* the master-id registry and the previous links, which the run itself wrote.

``link.link_basis`` (created in ``hub/linkage/tables.py``) keeps a fingerprint of the first
three after each run. When the next run finds the same fingerprint, and the link table still
holds one row per mention, it keeps the links instead of computing them again: after a delivery
to the enterprise register, person linkage (two minutes at a million persons) is not redone,
nor either linkage when a build is simply run again. Any change to a mention, a decision or the
code links everything again, as before. The mentions' fingerprint is their count and two sums
of 64-bit row hashes (an order-independent multiset fingerprint, computed by the server in one
scan).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parents[2]
# the code a link decision depends on: the subject linkage and the matching engine
CODE = (ROOT / "hub" / "linkage", ROOT / "matching")


def files_digest(root: Path, folders: tuple[Path, ...], suffixes: set[str]) -> str:
    """A hash of the files under ``folders`` with these suffixes (their names relative to
    ``root``, and their bytes): the version of the code a stored result was computed with."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in suffixes:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def linkage_version() -> str:
    """A hash of the linkage code and settings files: changed code links everything again."""
    return files_digest(ROOT, CODE, {".py", ".yaml"})


def link_basis(conn: psycopg.Connection, subject: str, mentions: str, columns: str) -> str:
    """The fingerprint of what linking ``subject`` reads now, as one text."""
    count, first, second = conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(hashtextextended(r, 0)), 0), "
            "coalesce(sum(hashtextextended(r, 1)), 0) "
            "from (select row({})::text as r from {}) as m"
        ).format(sql.SQL(columns), sql.Identifier(*mentions.split(".")))
    ).fetchone()
    (decisions,) = conn.execute(
        "select coalesce(md5(string_agg(mention_key || '|' || candidate || '|' || status, "
        "',' order by mention_key, candidate)), '') "
        "from link.review_queue where subject = %s and status <> 'open'",
        [subject],
    ).fetchone()
    return f"mentions:{count}:{first}:{second};decisions:{decisions};code:{linkage_version()}"


def unchanged(conn: psycopg.Connection, subject: str, basis: str, links: str) -> dict | None:
    """The stored run summary when the stored basis equals ``basis`` and ``links`` still has
    one row per mention; else None."""
    stored = conn.execute(
        "select basis, summary from link.link_basis where subject = %s", [subject]
    ).fetchone()
    if stored is None or stored[0] != basis or not stored[1]:
        return None
    (rows,) = conn.execute(
        sql.SQL("select count(*) from {}").format(sql.Identifier(*links.split(".")))
    ).fetchone()
    # the basis begins with the mention count
    return stored[1] if basis.startswith(f"mentions:{rows}:") else None


def record_basis(conn: psycopg.Connection, subject: str, basis: str, summary: dict) -> None:
    """Remember what this run linked and reported (in the run's transaction, with the links)."""
    conn.execute(
        "insert into link.link_basis (subject, basis, summary) values (%s, %s, %s) "
        "on conflict (subject) do update set basis = excluded.basis, "
        "summary = excluded.summary, linked_at = now()",
        [subject, basis, Jsonb(summary)],
    )
