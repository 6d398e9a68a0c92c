"""The status report put together: the database's view plus Dagster's failures."""

from __future__ import annotations

from datetime import UTC, datetime

from data_contracts import load_contracts
from hub.operate.dagster_state import dagster_failures
from hub.operate.status import StatusReport, gather_status
from hub.settings import HubSettings


def status_report(
    settings: HubSettings, conninfo: str, now: datetime | None = None
) -> StatusReport:
    now = now or datetime.now(UTC)
    failures, notes = dagster_failures(settings, now)
    report = gather_status(conninfo, load_contracts(), now=now, failures=failures)
    report.notes.extend(notes)
    return report
