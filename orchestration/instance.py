"""Dagster's own storage (runs, events, schedules) lives in the hub's PostgreSQL too."""

from __future__ import annotations

from pathlib import Path

import yaml

from hub.database.connection import database_url
from hub.database.embedded import EmbeddedPostgres
from hub.settings import HubSettings

DAGSTER_DATABASE = "dagster"


def dagster_storage_url(settings: HubSettings) -> str:
    """psycopg2 URL of Dagster's database: dagster-postgres is built and tested on psycopg2."""
    if settings.database_url:
        url = database_url(settings)
    else:
        embedded = EmbeddedPostgres(settings)
        embedded.ensure_database(DAGSTER_DATABASE)
        url = embedded.url(DAGSTER_DATABASE)
    return url.replace("postgresql+psycopg://", "postgresql+psycopg2://", 1)


def prepare_dagster_home(settings: HubSettings) -> Path:
    """Write ``$HUB_HOME/dagster/dagster.yaml`` pointing Dagster's storage at PostgreSQL."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = {
        "storage": {"postgres": {"postgres_url": dagster_storage_url(settings)}},
        "telemetry": {"enabled": False},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": 4},
        },
    }
    (home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return home
