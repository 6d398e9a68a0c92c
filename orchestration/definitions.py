"""The hub's one Dagster ``Definitions``: every asset, check, sensor and resource, gathered here."""

from __future__ import annotations

import dagster as dg

from data_contracts import load_contracts
from orchestration.defs.collect.assets import build_staging_asset
from orchestration.defs.collect.sensors import build_inbox_sensor
from orchestration.defs.distribute.assets import distribute_assets, push_job
from orchestration.defs.distribute.sensors import county_corrections_sensor, sync_corrections_job
from orchestration.defs.libraries.assets import build_dbt_assets, dbt_resource
from orchestration.defs.link.assets import link_assets
from orchestration.defs.operate.checks import delivery_checks
from orchestration.defs.operate.schedules import schedules
from orchestration.defs.operate.sensors import notify_on_run_failure
from orchestration.defs.quality.assets import quality_scorecard
from orchestration.defs.quality.checks import quality_checks
from orchestration.resources import HubResource


def build_definitions() -> dg.Definitions:
    contracts = load_contracts()
    return dg.Definitions(
        assets=[
            *(build_staging_asset(c) for c in contracts.values()),
            *build_dbt_assets(),
            *link_assets(),
            *distribute_assets(),
            quality_scorecard,
        ],
        asset_checks=[*quality_checks(contracts), *delivery_checks(contracts)],
        schedules=schedules(contracts),
        sensors=[
            build_inbox_sensor(list(contracts)),
            county_corrections_sensor,
            notify_on_run_failure,
        ],
        jobs=[push_job, sync_corrections_job],
        resources={"hub": HubResource(), "dbt": dbt_resource()},
    )


defs = build_definitions()
