"""The run-failure sensor: any failed run calls the notification hook (``hub.operate.notify``)."""

from __future__ import annotations

import dagster as dg

from hub.operate.explain import failed_run_next_step
from hub.operate.notify import FailureEvent, notify
from hub.settings import HubSettings


def failure_event(context: dg.RunFailureSensorContext) -> FailureEvent:
    """The event a steward receives: the failing step's message rather than "steps failed"."""
    run = context.dagster_run
    steps = [e for e in context.get_step_failure_events() if e.step_failure_data.error]
    reason = (
        "; ".join(f"{e.step_key}: {e.step_failure_data.error.message.strip()}" for e in steps)
        if steps
        else (context.failure_event.message or "the run failed")
    )
    settings = HubSettings()
    return FailureEvent(
        event="run_failure",
        job=run.job_name,
        run_id=run.run_id,
        reason=reason,
        next_step=failed_run_next_step(run.job_name),
        hub_home=str(settings.home_dir),
    )


@dg.run_failure_sensor(
    name="notify_on_run_failure",
    description="Calls HUB_NOTIFY_WEBHOOK and/or HUB_NOTIFY_COMMAND when any run fails.",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=True,
)
def notify_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    settings = HubSettings()
    if not (settings.notify_webhook or settings.notify_command):
        context.log.info("no HUB_NOTIFY_WEBHOOK / HUB_NOTIFY_COMMAND set: nobody to tell")
        return
    event = failure_event(context)
    reached = notify(settings, event)
    context.log.info(f"notified {', '.join(reached)}: {event.text}")
