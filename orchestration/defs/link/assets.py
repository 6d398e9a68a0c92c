"""The link stage as assets: person and legal-entity links between the mentions and the marts."""

import dagster as dg

from hub.database.connection import connect
from hub.linkage.run import link_subject
from orchestration.resources import HubResource

GROUP = "link"


def build_link_asset(subject: str, table: str, mentions: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["link", table]),
        deps=[dg.AssetKey(["intermediate", mentions])],
        group_name=GROUP,
        description=(
            f"Which {subject.replace('_', ' ')} each mention is about: valid keys, repaired "
            "keys, fuzzy matches (doubtful pairs to link.review_queue), stable master ids "
            "(link.master_registry). Written to link." + table + "."
        ),
        owners=["team:data-office"],
        kinds={"python", "postgres"},
    )
    def _link(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
        with connect(hub.conninfo()) as conn:
            summary = link_subject(conn, subject)
        context.log.info(f"{subject}: {summary.to_dict()}")
        return dg.MaterializeResult(
            metadata={
                "mentions": summary.mentions,
                "master_records": summary.masters,
                "review_open": summary.review_open,
                # nothing linkage reads had changed since the last run: its links were kept
                "kept_unchanged": summary.kept,
                # only new and changed mentions were linked (and gone ones unlinked), the
                # other links kept; else why every mention was linked again
                "incremental": summary.incremental,
                "linked_now": summary.linked_now,
                "links_of_gone_mentions_removed": summary.gone,
                "full_relink_reason": summary.full_reason,
                "by_method": dg.MetadataValue.json(summary.by_method),
            }
        )

    return _link


@dg.asset(
    key=dg.AssetKey(["link", "address_match"]),
    deps=[
        dg.AssetKey(["intermediate", "int_address_texts"]),
        dg.AssetKey(["stg", "stg_zrzyj_bzdz__standard_addresses"]),
    ],
    group_name=GROUP,
    description=(
        "Each distinct address text delivered by any department matched to the standard "
        "address register (code, score, method, level); written to link.address_match. "
        "While the register and the matcher are unchanged, only texts not seen before are "
        "matched (link.address_match_basis records what they were matched against)."
    ),
    owners=["team:data-office"],
    kinds={"python", "postgres"},
)
def address_match(context: dg.AssetExecutionContext, hub: HubResource) -> dg.MaterializeResult:
    from hub.linkage.addresses import match_addresses

    with connect(hub.conninfo()) as conn:
        counts = match_addresses(conn)
    context.log.info(f"addresses: {counts}")
    return dg.MaterializeResult(metadata={"by_method": dg.MetadataValue.json(counts)})


def link_assets() -> list[dg.AssetsDefinition]:
    return [
        address_match,
        build_link_asset("person", "person_link", "int_person_mentions"),
        build_link_asset("legal_entity", "entity_link", "int_entity_mentions"),
    ]
