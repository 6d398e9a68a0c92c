"""Sync upstream (上报) as a job and a sensor: approved corrections in a county start its sync."""

import dagster as dg

from hub.distribute.substore import city_counties
from hub.distribute.sync import corrections_waiting, sync_county
from orchestration.resources import HubResource


class SyncConfig(dg.Config):
    county: str
    batch_size: int = 1000


@dg.op(description="Bring one county's approved corrections to the city, exactly once.")
def sync_county_corrections(context: dg.OpExecutionContext, config: SyncConfig, hub: HubResource):
    report = sync_county(
        hub.settings(), hub.conninfo(), config.county, batch_size=config.batch_size
    )
    context.log.info(f"sync {config.county}: {report.to_dict()}")
    return report.to_dict()


@dg.job(name="sync_corrections", description="上报: one county's approved corrections to the city.")
def sync_corrections_job():
    sync_county_corrections()


@dg.sensor(
    name="county_corrections_sensor",
    job=sync_corrections_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a sync for every county with approved corrections not yet at the city.",
)
def county_corrections_sensor(context: dg.SensorEvaluationContext):
    settings = HubResource().settings()
    for county in sorted(city_counties()):
        waiting, last_id = corrections_waiting(settings, county)
        if not waiting:
            continue
        yield dg.RunRequest(
            run_key=f"{county}:{waiting}:{last_id}",
            run_config={"ops": {"sync_county_corrections": {"config": {"county": county}}}},
            tags={"county": county, "corrections": str(waiting)},
        )
