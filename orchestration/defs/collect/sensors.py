"""The inbox sensor: a file landing in ``$HUB_HOME/inbox/<extract>/`` starts its load."""

import hashlib

import dagster as dg

from hub.ingest.inbox import waiting_files
from hub.settings import HubSettings
from orchestration.defs.collect.assets import staging_asset_key


def build_inbox_sensor(extracts: list[str]) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        asset_selection=[staging_asset_key(e) for e in extracts],
        description="Starts a load for every extract with files waiting in its inbox folder.",
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        settings = HubSettings()
        for extract in extracts:
            files = waiting_files(settings, extract)
            if not files:
                continue
            fingerprint = hashlib.sha256(
                "|".join(
                    f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files
                ).encode()
            ).hexdigest()[:16]
            yield dg.RunRequest(
                run_key=f"{extract}:{fingerprint}",
                asset_selection=[staging_asset_key(extract)],
                tags={"extract": extract, "files": str(len(files))},
            )

    return inbox_sensor
