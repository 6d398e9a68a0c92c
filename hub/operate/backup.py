"""``hub backup FILE`` / ``hub restore FILE``: the hub's database as one pg_dump archive.

Uses the PostgreSQL client binaries beside the server the hub finds (``HUB_PG_BINDIR``,
``pg_config``, ``PATH``), so the dump's format matches the server for the embedded database.
Everything the hub knows is in that one database — staging with every delivery's accounting,
quarantine, the link registry that keeps master ids stable, review decisions, history — so a
restore followed by ``hub build`` gives the same libraries. Files are in ``$HUB_HOME/archive``
and are backed up with the folder, not here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from psycopg import conninfo as pq
from psycopg import sql

from hub.database.embedded import find_bindir
from hub.settings import HubSettings


class BackupError(RuntimeError):
    """pg_dump or pg_restore failed; the message carries its stderr."""


def _tool(settings: HubSettings, name: str) -> str:
    return str(find_bindir(settings) / name)


def _run(args: list[str]) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {proc.stderr.strip()}")


def backup(settings: HubSettings, conninfo: str, target: Path) -> Path:
    """Dump the hub's database to ``target`` (custom format, compressed, restorable in parallel).

    Written to a temporary name first, so a failed dump never leaves a truncated file that
    looks like a backup.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    _run([_tool(settings, "pg_dump"), "--format=custom", f"--file={partial}", conninfo])
    partial.replace(target)
    return target


def ensure_database_exists(conninfo: str) -> bool:
    """Create the target database when it was dropped (or never made); True if created."""
    params = pq.conninfo_to_dict(conninfo)
    name = params.get("dbname")
    admin = pq.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


def restore(settings: HubSettings, conninfo: str, source: Path) -> None:
    """Restore a ``hub backup`` archive into the hub's database, replacing what is there.

    One transaction: a restore that fails part-way leaves the database as it was.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    ensure_database_exists(conninfo)
    _run(
        [
            _tool(settings, "pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(source),
        ]
    )
