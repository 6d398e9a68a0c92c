"""The hub's one Dagster ``Definitions``: every asset, check, sensor and resource, gathered here."""

from __future__ import annotations

import dagster as dg

from data_contracts import load_contracts
from orchestration.defs.collect.assets import build_staging_asset
from orchestration.defs.collect.sensors import build_inbox_sensor
from orchestration.defs.libraries.assets import build_dbt_assets, dbt_resource
from orchestration.defs.link.assets import link_assets
from orchestration.resources import HubResource


def build_definitions() -> dg.Definitions:
    contracts = load_contracts()
    return dg.Definitions(
        assets=[
            *(build_staging_asset(c) for c in contracts.values()),
            *build_dbt_assets(),
            *link_assets(),
        ],
        sensors=[build_inbox_sensor(list(contracts))],
        resources={"hub": HubResource(), "dbt": dbt_resource()},
    )


defs = build_definitions()
