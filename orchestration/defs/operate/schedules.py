"""When things run without a steward: the daily build, and the hourly delivery checks.

The build runs once the morning deliveries are in (``HUB_BUILD_CRON``, default 07:00 in
``HUB_TIMEZONE``); collect is left to the inbox sensor, so the build never waits on a file. The
delivery checks run every hour so a department that misses its cadence turns red in the UI
even on a day nothing arrives.
"""

from __future__ import annotations

import dagster as dg

from data_contracts.model import Contract
from hub.libraries.build import build_selection
from hub.settings import HubSettings
from orchestration.defs.operate.checks import delivery_check_keys

BUILD_JOB = "build_libraries"
CHECKS_JOB = "delivery_checks"


def build_job() -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        BUILD_JOB,
        selection=build_selection(with_quality=True),
        description="Everything after collect: standardize, link, libraries (what `hub build` runs).",
    )


def delivery_checks_job(contracts: dict[str, Contract]) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        CHECKS_JOB,
        selection=dg.AssetSelection.checks(*delivery_check_keys(contracts)),
        description="Is each department on time, and was its last file accepted.",
    )


def schedules(contracts: dict[str, Contract]) -> list[dg.ScheduleDefinition]:
    settings = HubSettings()
    return [
        dg.ScheduleDefinition(
            name="daily_build",
            job=build_job(),
            cron_schedule=settings.build_cron,
            execution_timezone=settings.timezone,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="Builds the subject libraries after the morning deliveries.",
        ),
        dg.ScheduleDefinition(
            name="hourly_delivery_checks",
            job=delivery_checks_job(contracts),
            cron_schedule="0 * * * *",
            execution_timezone=settings.timezone,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="Flags overdue and rejected deliveries in the UI.",
        ),
    ]
