"""Running the dbt project against the hub's database.

dbt reads its connection from ``HUB_DBT_*`` variables (``dbt_project/profiles.yml``), filled
here from the same settings every other stage uses, so ``HUB_DATABASE_URL`` or the embedded
server is the one truth. The manifest Dagster needs is parsed when the project changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from data_contracts import load_contracts
from hub.database.connection import database_url
from hub.database.schema import ensure_core_schema, ensure_staging_table
from hub.linkage.tables import ensure_link_tables
from hub.settings import HubSettings

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The ``dbt`` beside the running interpreter (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else "dbt"


def dbt_env(settings: HubSettings) -> dict[str, str]:
    """``HUB_DBT_*`` connection variables for the database in use."""
    url = make_url(database_url(settings))
    return {
        "HUB_DBT_HOST": url.host or "127.0.0.1",
        "HUB_DBT_PORT": str(url.port or 5432),
        "HUB_DBT_USER": url.username or "hub",
        "HUB_DBT_PASSWORD": url.password or "",
        "HUB_DBT_DBNAME": url.database or "hub",
    }


def apply_dbt_env(settings: HubSettings) -> None:
    """Point dbt (run as a subprocess by dagster-dbt) at the hub's database."""
    os.environ.update(dbt_env(settings))


def prepare_database(conn: psycopg.Connection) -> None:
    """Every table the dbt sources name exists, even for an extract never delivered yet (and
    the county corrections table, even before any county synced)."""
    from hub.distribute.shard import ensure_city_tables

    ensure_core_schema(conn)
    for contract in load_contracts().values():
        ensure_staging_table(conn, contract)
    ensure_link_tables(conn)
    ensure_city_tables(conn)


# Incremental models (the mention tables) add only what new deliveries brought. What they
# hold was computed by the project's SQL as it was then, so when any project file changes the
# stage is built once from scratch (``--full-refresh``). The version is recorded per stage
# after a successful build, in the schema of the tables it describes: a dropped schema takes
# its record with it, and the next build is full.
BASIS_DDL = """
create schema if not exists intermediate;
create table if not exists intermediate.dbt_project_basis (
    stage           text primary key,
    project_version text not null,
    built_at        timestamptz not null default now()
);
"""


def project_version() -> str:
    """A hash of the dbt project's files (models, macros, seeds, snapshots, tests, settings)."""
    from hub.linkage.basis import files_digest

    folders = tuple(PROJECT_DIR / f for f in ("models", "macros", "seeds", "snapshots", "tests"))
    suffixes = {".sql", ".yml", ".yaml", ".csv", ".md"}
    project = hashlib.sha256((PROJECT_DIR / "dbt_project.yml").read_bytes()).hexdigest()[:16]
    return f"{project}:{files_digest(PROJECT_DIR, folders, suffixes)}"


def build_arguments(conn: psycopg.Connection, stage: str) -> list[str]:
    """``["--full-refresh"]`` when ``stage`` was last built by other project files (or never),
    else nothing: the incremental models then add only what is new."""
    conn.execute(BASIS_DDL)
    stored = conn.execute(
        "select project_version from intermediate.dbt_project_basis where stage = %s", [stage]
    ).fetchone()
    return [] if stored and stored[0] == project_version() else ["--full-refresh"]


def record_build(conn: psycopg.Connection, stage: str) -> None:
    """Remember the project version ``stage`` was just built with (after a successful build)."""
    conn.execute(BASIS_DDL)
    conn.execute(
        "insert into intermediate.dbt_project_basis (stage, project_version) values (%s, %s) "
        "on conflict (stage) do update set project_version = excluded.project_version, "
        "built_at = now()",
        [stage, project_version()],
    )


def _newest_source_file() -> float:
    newest = 0.0
    for folder in ("models", "seeds", "snapshots", "macros", "tests"):
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return max(newest, (PROJECT_DIR / "dbt_project.yml").stat().st_mtime)


def ensure_manifest(settings: HubSettings | None = None) -> Path:
    """``target/manifest.json``, parsed again when a project file is newer or the database in
    use changed: relation names in the manifest carry the database, and dagster-dbt reads row
    counts through them."""
    from hub.settings import get_settings

    env = dbt_env(settings or get_settings())
    stamp = MANIFEST.parent / ".hub_database"
    if (
        MANIFEST.exists()
        and MANIFEST.stat().st_mtime >= _newest_source_file()
        and stamp.exists()
        and stamp.read_text(encoding="utf-8") == env["HUB_DBT_DBNAME"]
    ):
        return MANIFEST
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env={**os.environ, **env},
    )
    if result.returncode != 0 or not MANIFEST.exists():
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    stamp.write_text(env["HUB_DBT_DBNAME"], encoding="utf-8")
    return MANIFEST
