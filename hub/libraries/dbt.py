"""Running the dbt project against the hub's database.

dbt reads its connection from ``HUB_DBT_*`` variables (``dbt_project/profiles.yml``), filled
here from the same settings every other stage uses, so ``HUB_DATABASE_URL`` or the embedded
server is the one truth. The manifest Dagster needs is parsed when the project changed.
"""

from __future__ import annotations

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
