"""Asset checks: the GX suites on the staging and library assets, and the checks that block.

Stewards see every result in the Dagster UI beside the asset. Doubtful values in staging are
expected (they are kept, flagged, for linkage), so contract expectations only warn; a duplicated
master id or citizen ID in a subject library would corrupt everything built on it, so those
checks are ``blocking`` with ERROR severity and stop the downstream assets.
"""

from __future__ import annotations

import dagster as dg

from data_contracts.model import Contract
from hub.database.connection import connect, to_sqlalchemy_url
from orchestration.defs.collect.assets import staging_asset_key
from orchestration.resources import HubResource
from quality.suites import Suite, mart_suites, staging_suite
from quality.validation import run_suites

# Subject libraries whose master id must be unique, and further keys that must be too.
UNIQUE_KEYS = {
    "person": ("master_id", "citizen_id"),
    "legal_entity": ("master_id", "credit_code"),
    "house": ("master_id",),
    "place": ("master_id",),
}


def _suite_check(suite: Suite, asset_key: dg.AssetKey, description: str):
    @dg.asset_check(
        asset=asset_key,
        name=f"{suite.schema}_{suite.table}_expectations",
        description=description,
        blocking=False,
    )
    def _check(hub: HubResource) -> dg.AssetCheckResult:
        outcomes = run_suites(to_sqlalchemy_url(hub.conninfo()), [suite])
        failed = {o.rule: o.unexpected_count for o in outcomes if not o.success}
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations": len(outcomes),
                "failed": dg.MetadataValue.json(failed),
            },
        )

    return _check


def _unique_check(table: str, column: str):
    @dg.asset_check(
        asset=dg.AssetKey(["hub", table]),
        name=f"{column}_is_unique",
        description=f"Critical: no two rows of hub.{table} share a {column} (blocks downstream).",
        blocking=True,
    )
    def _check(hub: HubResource) -> dg.AssetCheckResult:
        with connect(hub.conninfo()) as conn:
            duplicated = conn.execute(
                f"select count(*) from (select {column} from hub.{table} "
                f"where {column} is not null group by {column} having count(*) > 1) as d"
            ).fetchone()[0]
        return dg.AssetCheckResult(
            passed=duplicated == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={f"duplicated_{column}s": duplicated},
        )

    return _check


def quality_checks(contracts: dict[str, Contract]) -> list[dg.AssetChecksDefinition]:
    """Every quality asset check: one GX suite per staging and library table, plus the blockers."""
    checks = [
        _suite_check(
            staging_suite(c),
            staging_asset_key(c.extract),
            f"GX expectations derived from the {c.extract} contract (warn only).",
        )
        for c in contracts.values()
    ]
    checks += [
        _suite_check(
            s, dg.AssetKey(["hub", s.table]), f"GX expectations on hub.{s.table} (warn only)."
        )
        for s in mart_suites()
    ]
    checks += [_unique_check(t, col) for t, cols in UNIQUE_KEYS.items() for col in cols]
    return checks
