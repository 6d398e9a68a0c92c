"""What Dagster recorded as failing: failed runs and failed asset checks, for ``hub status``.

Read from the hub's own Dagster instance (``$HUB_HOME/dagster``, storage on the hub's
PostgreSQL) without loading the definitions, so the status screen stays quick. A failure that
a later run or evaluation has since resolved is not listed: the steward sees what is broken now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.events import DagsterEventType

from hub.operate.explain import failed_check_next_step, failed_run_next_step
from hub.operate.status import Failure
from hub.settings import HubSettings

LOOKBACK = timedelta(days=7)


def open_instance(settings: HubSettings) -> dg.DagsterInstance | None:
    """The hub's Dagster instance, or None when Dagster has never run on this hub."""
    if not (settings.dagster_home / "dagster.yaml").exists():
        return None
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def run_failure_reason(instance: dg.DagsterInstance, run_id: str) -> str:
    """The first step failure's message (the run failure's own message says only "steps failed")."""
    for kind in (DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE):
        for entry in instance.all_logs(run_id, of_type=kind):
            event = entry.dagster_event
            data = getattr(event, "event_specific_data", None)
            error = getattr(data, "error", None)
            if error is not None:
                return f"{event.step_key or 'run'}: {error.message.strip()}"
            if event and event.message:
                return event.message
    return "no failure message recorded"


def failed_runs(instance: dg.DagsterInstance, now: datetime) -> list[Failure]:
    """The latest run of each job and selection, when it failed (within the look-back)."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(created_after=now - LOOKBACK), limit=200
    )  # newest first
    seen: set[tuple] = set()
    out = []
    for run in runs:
        # Runs launched in-process (``hub build``) carry their steps, not an asset selection.
        what = tuple(
            sorted(k.to_user_string() for k in run.asset_selection or ())
            or sorted(run.step_keys_to_execute or ())
        )
        key = (run.job_name, what)
        if key in seen:
            continue
        seen.add(key)
        if run.status != dg.DagsterRunStatus.FAILURE:
            continue
        record = instance.get_run_record_by_id(run.run_id)
        when = record.end_time or record.create_timestamp.timestamp() if record else None
        label = ", ".join(what[:3]) + (" …" if len(what) > 3 else "") if what else run.job_name
        out.append(
            Failure(
                kind="run",
                what=f"run {run.run_id[:8]} ({label})",
                when=datetime.fromtimestamp(when, UTC) if when else None,
                reason=run_failure_reason(instance, run.run_id),
                next_step=failed_run_next_step(run.job_name),
            )
        )
    return out


def failed_checks(instance: dg.DagsterInstance, now: datetime) -> list[Failure]:
    """Asset checks whose latest evaluation failed."""
    records = instance.get_event_records(
        dg.EventRecordsFilter(
            event_type=DagsterEventType.ASSET_CHECK_EVALUATION,
            after_timestamp=(now - LOOKBACK).timestamp(),
        ),
        limit=5000,
        ascending=False,
    )
    seen: set[tuple] = set()
    out = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        key = (evaluation.asset_key, evaluation.check_name)
        if key in seen:
            continue
        seen.add(key)
        if evaluation.passed:
            continue
        meta = evaluation.metadata or {}
        reason = evaluation.description or "; ".join(
            f"{k}: {getattr(v, 'value', v)}" for k, v in meta.items()
        )
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        out.append(
            Failure(
                kind="check",
                what=name,
                when=datetime.fromtimestamp(record.timestamp, UTC),
                reason=reason or "failed",
                next_step=failed_check_next_step(evaluation.check_name),
            )
        )
    return out


def dagster_failures(settings: HubSettings, now: datetime) -> tuple[list[Failure], list[str]]:
    """Failed runs and checks, and a note when Dagster's storage could not be read."""
    try:
        instance = open_instance(settings)
        if instance is None:
            return [], ["Dagster has not run on this hub yet: no runs or checks to report"]
        with instance:
            return failed_runs(instance, now) + failed_checks(instance, now), []
    except Exception as exc:  # status must show the rest even when Dagster's storage is down
        return [], [f"Dagster's run storage could not be read: {exc}"]
