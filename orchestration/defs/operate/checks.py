"""Per staging asset, two checks a steward reads in the UI: is the department on time, and was
its last file accepted.

They read ``staging.delivery`` rather than Dagster's materialization history because deliveries
also arrive through ``hub ingest`` outside Dagster; the cadence comes from the data contract
and "late" means what it means in ``hub status`` (``hub.operate.cadence``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from data_contracts.model import Contract
from hub.database.connection import connect
from hub.operate.status import extract_statuses
from orchestration.defs.collect.assets import staging_asset_key
from orchestration.resources import HubResource

ON_TIME = "delivery_on_time"
ACCEPTED = "last_delivery_accepted"


def _status(hub: HubResource, contract: Contract):
    with connect(hub.conninfo()) as conn:
        return extract_statuses(conn, {contract.extract: contract}, datetime.now(UTC))[0]


def _on_time_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staging_asset_key(contract.extract),
        name=ON_TIME,
        description=(
            f"{contract.department_name} delivers {contract.extract} {contract.cadence} "
            "(data contract); fails when the last accepted delivery is older than that."
        ),
        blocking=False,
    )
    def _check(hub: HubResource) -> dg.AssetCheckResult:
        s = _status(hub, contract)
        return dg.AssetCheckResult(
            passed=not s.overdue,
            severity=dg.AssetCheckSeverity.WARN,
            description=s.timeliness,
            metadata={
                "cadence": contract.cadence,
                "last_file": s.last_file or "",
                "last_accepted_at": s.last_loaded_at.isoformat() if s.last_loaded_at else "",
                "age": s.age or "never",
            },
        )

    return _check


def _accepted_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=staging_asset_key(contract.extract),
        name=ACCEPTED,
        description=(
            f"The newest {contract.extract} file was loaded; fails while a file refused whole "
            "is the latest word from the department (the reason and next step in the result)."
        ),
        blocking=False,
    )
    def _check(hub: HubResource) -> dg.AssetCheckResult:
        s = _status(hub, contract)
        r = s.rejection
        return dg.AssetCheckResult(
            passed=r is None,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{r.file_name} rejected: {r.reason} Next: {r.next_step}" if r else None,
            metadata={
                "rejected_file": r.file_name if r else "",
                "reason": r.reason if r else "",
                "next_step": r.next_step if r else "",
            },
        )

    return _check


def delivery_checks(contracts: dict[str, Contract]) -> list[dg.AssetChecksDefinition]:
    """The on-time and accepted checks of every staging asset."""
    return [check for c in contracts.values() for check in (_on_time_check(c), _accepted_check(c))]


def delivery_check_keys(contracts: dict[str, Contract]) -> list[dg.AssetCheckKey]:
    return [
        dg.AssetCheckKey(staging_asset_key(c.extract), name)
        for c in contracts.values()
        for name in (ON_TIME, ACCEPTED)
    ]
