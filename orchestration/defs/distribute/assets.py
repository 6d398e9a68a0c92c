"""Distribute (下发) as assets: record versions after each build, one push per county partition.

The push is partitioned by county so that each county is its own run: an unreachable county
fails (and is retried) alone while the others go through. ``distribute/correction`` is the
city's ledger of synced corrections, upstream of survivorship; ``distribute/department_feedback``
closes feedback that a department's new delivery fixed.
"""

import dagster as dg

from hub.database.connection import connect
from hub.distribute.feedback import close_fixed_feedback
from hub.distribute.push import push_county
from hub.distribute.shard import SHARD_TABLES, ensure_city_tables, refresh_record_versions
from hub.distribute.substore import city_counties
from orchestration.resources import HubResource

GROUP = "distribute"
COUNTY_PARTITIONS = dg.StaticPartitionsDefinition(sorted(city_counties()))
# An unreachable county is tried again later; it then catches up from its own last version.
PUSH_RETRY = dg.RetryPolicy(max_retries=6, delay=300, backoff=dg.Backoff.EXPONENTIAL)


@dg.asset(
    key=["distribute", "correction"],
    group_name=GROUP,
    description=(
        "The city's ledger of approved gridworker corrections synced from the counties "
        "(distribute.correction): 'candidate' rows enter survivorship as extract wgy_jz."
    ),
    owners=["team:data-office"],
    kinds={"postgres"},
)
def synced_corrections(hub: HubResource) -> dg.MaterializeResult:
    with connect(hub.conninfo()) as conn:
        ensure_city_tables(conn)
        outcomes = dict(
            conn.execute("select outcome, count(*) from distribute.correction group by 1")
        )
    return dg.MaterializeResult(metadata={"by_outcome": dg.MetadataValue.json(outcomes)})


@dg.asset(
    key=["distribute", "record_versions"],
    deps=[dg.AssetKey(["hub", t.library_table]) for t in SHARD_TABLES]
    + [dg.AssetKey(["hub", "conflict"]), dg.AssetKey(["hub", "person_attribute"])],
    group_name=GROUP,
    description=(
        "A version for every library record a county can hold (distribute.record_version): "
        "moves when the record's content changes, so pushes send only what changed."
    ),
    owners=["team:data-office"],
    kinds={"postgres"},
)
def record_versions(hub: HubResource) -> dg.MaterializeResult:
    with connect(hub.conninfo()) as conn:
        changed = refresh_record_versions(conn)
    return dg.MaterializeResult(metadata={"changed": dg.MetadataValue.json(changed)})


@dg.asset(
    key=["distribute", "department_feedback"],
    deps=[
        dg.AssetKey(["hub", "person_attribute"]),
        dg.AssetKey(["hub", "legal_entity"]),
        dg.AssetKey(["distribute", "correction"]),
    ],
    group_name=GROUP,
    description=(
        "Feedback to departments (反哺, distribute.feedback): closes the items a later "
        "delivery of the owning department fixed."
    ),
    owners=["team:data-office"],
    kinds={"postgres"},
)
def department_feedback(hub: HubResource) -> dg.MaterializeResult:
    with connect(hub.conninfo()) as conn:
        closed = close_fixed_feedback(conn)
        still_open = conn.execute(
            "select count(*) from distribute.feedback where status = 'open'"
        ).fetchone()[0]
    return dg.MaterializeResult(metadata={"closed_now": closed, "open": still_open})


@dg.asset(
    key=["distribute", "county_shard"],
    deps=[dg.AssetKey(["distribute", "record_versions"])],
    partitions_def=COUNTY_PARTITIONS,
    retry_policy=PUSH_RETRY,
    output_required=False,
    group_name=GROUP,
    description=(
        "Push (下发): the county's changed records and verification tasks into its sub-store. "
        "Without a county (a whole-library build) nothing is pushed: `hub push` or a partition."
    ),
    owners=["team:data-office"],
    kinds={"postgres"},
)
def county_shard(context: dg.AssetExecutionContext, hub: HubResource):
    if not context.has_partition_key:
        context.log.info("no county partition selected: nothing pushed")
        return
    report = push_county(hub.settings(), hub.conninfo(), context.partition_key)
    yield dg.MaterializeResult(
        metadata={
            "records_moved": report.records_moved,
            "upserted": dg.MetadataValue.json(report.upserted),
            "deleted": dg.MetadataValue.json(report.deleted),
            "tasks_opened": report.tasks_opened,
            "tasks_resolved": report.tasks_resolved,
            "seconds": round(report.seconds, 3),
        }
    )


def distribute_assets() -> list[dg.AssetsDefinition]:
    return [synced_corrections, record_versions, department_feedback, county_shard]


push_job = dg.define_asset_job(
    "push_counties",
    selection=dg.AssetSelection.assets(county_shard),
    description="Push one county's shard (pick the county partitions to push).",
)
