"""One asset per extract's staging table; materializing it loads what waits in its inbox."""

import dagster as dg

from data_contracts.model import Contract
from hub.ingest.inbox import ingest_inbox
from orchestration.resources import HubResource

GROUP = "collect"


def staging_asset_key(extract: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", extract])


def build_staging_asset(contract: Contract) -> dg.AssetsDefinition:
    @dg.asset(
        key=staging_asset_key(contract.extract),
        group_name=GROUP,
        description=(
            f"{contract.department_name} — {contract.title}. {contract.description.strip()} "
            f"Loaded from $HUB_HOME/inbox/{contract.extract}/ into staging.{contract.extract}; "
            "rows failing the contract go to staging.quarantine."
        ),
        owners=[f"team:{contract.department}"],
        tags={"department": contract.department, "mode": contract.mode, "format": contract.format},
        kinds={"postgres"},
    )
    def _staging(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
        settings = hub.settings()
        results = ingest_inbox(settings, contract.extract, hub.conninfo())
        for r in results:
            context.log.info(
                f"{r.file_name}: {r.status}, read {r.rows_read}, staged {r.rows_staged}, "
                f"quarantined {r.rows_quarantined}{' — ' + r.error if r.error else ''}"
            )
        rejected = [r for r in results if r.status == "rejected"]
        if rejected and len(rejected) == len(results):
            raise dg.Failure(
                description="; ".join(r.error or r.file_name for r in rejected),
                metadata={"files": dg.MetadataValue.json([r.to_dict() for r in rejected])},
            )
        return dg.MaterializeResult(
            metadata={
                "files": len(results),
                "rows_read": sum(r.rows_read for r in results),
                "rows_staged": sum(r.rows_staged for r in results),
                "rows_quarantined": sum(r.rows_quarantined for r in results),
                "rejected_files": len(rejected),
                "deliveries": dg.MetadataValue.json([r.to_dict() for r in results]),
            }
        )

    return _staging
