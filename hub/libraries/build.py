"""``hub build``: materialize everything after collect — standardize, link, libraries, history.

Runs the same Dagster assets the UI shows, in-process, recorded in the hub's Dagster storage
(so the stewards see the run), or in an ephemeral instance when asked (tests).
"""

from __future__ import annotations

import os

import dagster as dg

from hub.database.connection import connect
from hub.libraries.schema_doc import ORDER
from hub.settings import HubSettings, get_settings

LIBRARY_TABLES = tuple(name for name in ORDER if name != "person_attribute")


def build_selection(*, with_quality: bool = False) -> dg.AssetSelection:
    """Everything but collect (the inbox) and the county push (``hub push`` pushes counties);
    the city-side bookkeeping of distribute (record versions, feedback a new delivery fixed)
    runs with the libraries. The quality run (scorecards, anomalies, report) only when asked —
    the daily job asks, ``hub build`` leaves it to ``hub quality``."""
    excluded = dg.AssetSelection.groups("collect") | dg.AssetSelection.assets(
        dg.AssetKey(["distribute", "county_shard"])
    )
    if not with_quality:
        excluded = excluded | dg.AssetSelection.groups("quality")
    return dg.AssetSelection.all() - excluded


def _instance(settings: HubSettings) -> dg.DagsterInstance:
    from orchestration.instance import prepare_dagster_home

    os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(settings))
    return dg.DagsterInstance.get()


def build_libraries(
    settings: HubSettings | None = None, *, ephemeral: bool = False, log_level: str = "WARNING"
) -> dg.ExecuteInJobResult:
    """Run the stages after collect; raises on failure naming the failing step."""
    from orchestration.definitions import build_definitions

    settings = settings or get_settings()
    # Pin the hub's home as an absolute path: a library may change the working directory
    # mid-run (GX does), and a relative ./.hub would then point at another, empty cluster.
    os.environ["HUB_HOME"] = str(settings.home_dir)
    # built for this database: the dbt manifest names it in every relation
    defs = build_definitions()
    instance = dg.DagsterInstance.ephemeral() if ephemeral else _instance(settings)
    # Asset checks run with their assets: a failing blocking check (duplicate master ids)
    # stops what is downstream of it, a warning does not.
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        selection=build_selection(),
        resources=dict(defs.resources or {}),
        instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        raise_on_error=True,
    )


def library_counts(conninfo: str) -> dict[str, int]:
    """Rows per table of the public schema ``hub``."""
    with connect(conninfo) as conn:
        return {
            name: conn.execute(f"select count(*) from hub.{name}").fetchone()[0]
            for name in LIBRARY_TABLES
        }
