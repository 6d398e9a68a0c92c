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
code used to link everything again; now changed mentions are linked incrementally
(``hub/linkage/run.py``), and a change of decisions or code still links everything. The
mentions' fingerprint is their count and two sums of 64-bit row hashes (an order-independent
multiset fingerprint, computed by the server in one scan).
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
    # hash_record_extended hashes each column's value with its type's hash function: three
    # times faster than hashing the row's text (no date or text output per column)
    count, first, second = conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(hash_record_extended(row({columns}), 0)), 0), "
            "coalesce(sum(hash_record_extended(row({columns}), 1)), 0) from {mentions}"
        ).format(columns=sql.SQL(columns), mentions=sql.Identifier(*mentions.split(".")))
    ).fetchone()
    (decisions,) = conn.execute(
        "select coalesce(md5(string_agg(mention_key || '|' || candidate || '|' || status, "
        "',' order by mention_key, candidate)), '') "
        "from link.review_queue where subject = %s and status <> 'open'",
        [subject],
    ).fetchone()
    return f"mentions:{count}:{first}:{second};decisions:{decisions};code:{linkage_version()}"


def basis_part(basis: str, name: str) -> str:
    """One part of a basis text (``mentions``, ``decisions``, ``code``), without its name."""
    for part in basis.split(";"):
        key, _, value = part.partition(":")
        if key == name:
            return value
    return ""


def mention_count(basis: str) -> int:
    """The number of mentions the basis was taken over (its first figure)."""
    return int(basis_part(basis, "mentions").split(":")[0])


def full_relink_reason(conn: psycopg.Connection, subject: str, basis: str) -> str | None:
    """Why the changed mentions cannot simply be linked on top of the stored links: no previous
    run; changed linkage code or settings; changed steward decisions (a decision may move
    mentions that did not change). None when they can."""
    stored = conn.execute(
        "select basis, summary from link.link_basis where subject = %s", [subject]
    ).fetchone()
    if stored is None or not stored[1]:
        return "no previous run"
    if basis_part(stored[0], "code") != basis_part(basis, "code"):
        return "linkage code or settings changed"
    if basis_part(stored[0], "decisions") != basis_part(basis, "decisions"):
        return "steward decisions changed"
    return None


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


def record_basis(
    conn: psycopg.Connection, subject: str, basis: str, summary: dict, model: dict | None
) -> None:
    """Remember what this run linked and reported, and the engine's model for incremental runs
    (in the run's transaction, with the links)."""
    conn.execute(
        "insert into link.link_basis (subject, basis, summary, model) values (%s, %s, %s, %s) "
        "on conflict (subject) do update set basis = excluded.basis, "
        "summary = excluded.summary, model = excluded.model, linked_at = now()",
        [subject, basis, Jsonb(summary), None if model is None else Jsonb(model)],
    )


def stored_model(conn: psycopg.Connection, subject: str) -> dict | None:
    """The engine's model the last full run kept, as stored."""
    row = conn.execute("select model from link.link_basis where subject = %s", [subject]).fetchone()
    return None if row is None else row[0]
