"""The quality run as an asset: scorecards, anomalies and the report, after the libraries.

The asset checks (``checks.py``) guard each table as it is built; this asset is the
stewards' periodic view across departments — department scores with history
(quality.scorecard), cross-department anomalies (quality.anomaly) and the HTML report under
``$HUB_HOME/reports/``.
"""

import dagster as dg

from orchestration.resources import HubResource

GROUP = "quality"


@dg.asset(
    key=dg.AssetKey(["quality", "scorecard"]),
    deps=[
        dg.AssetKey(["hub", "person"]),
        dg.AssetKey(["hub", "legal_entity"]),
        dg.AssetKey(["hub", "house_owner"]),
        dg.AssetKey(["hub", "employment"]),
        dg.AssetKey(["hub", "xref"]),
        dg.AssetKey(["hub", "conflict"]),
    ],
    group_name=GROUP,
    description=(
        "Department scorecards (completeness, validity, uniqueness, timeliness, consistency, "
        "overall) with history, cross-department anomalies, and the HTML report "
        "($HUB_HOME/reports/quality.html). `hub quality` runs the same."
    ),
    owners=["team:data-office"],
    kinds={"python", "postgres"},
)
def quality_scorecard(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    from quality.run import run_quality

    run = run_quality(hub.settings(), report=True)
    by_kind: dict[str, int] = {}
    for anomaly in run.anomalies:
        by_kind[anomaly.kind] = by_kind.get(anomaly.kind, 0) + 1
    context.log.info(f"quality: {len(run.scorecard)} scorecard rows, anomalies {by_kind}")
    return dg.MaterializeResult(
        metadata={
            "scorecard_rows": len(run.scorecard),
            "anomalies": dg.MetadataValue.json(by_kind),
            "failed_expectations": sum(1 for o in run.outcomes if not o.success),
            "report": dg.MetadataValue.path(str(run.report)) if run.report else None,
            "seconds": dg.MetadataValue.json({k: round(v, 2) for k, v in run.seconds.items()}),
        }
    )
