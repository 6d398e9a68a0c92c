"""The link stage as assets: person and legal-entity links, and address matches, between the
mentions and the marts — three assets of one step, computed side by side
(``hub/linkage/stage.py``); each can be materialized alone."""

import dagster as dg

from hub.linkage.run import LinkSummary
from hub.linkage.stage import LinkStageFailed, run_link_stage
from orchestration.resources import HubResource

GROUP = "link"
OWNERS = ["team:data-office"]


def _link_spec(subject: str, table: str, mentions: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=dg.AssetKey(["link", table]),
        deps=[dg.AssetKey(["intermediate", mentions])],
        group_name=GROUP,
        description=(
            f"Which {subject.replace('_', ' ')} each mention is about: valid keys, repaired "
            "keys, fuzzy matches (doubtful pairs to link.review_queue), stable master ids "
            "(link.master_registry). Written to link." + table + "."
        ),
        owners=OWNERS,
        kinds={"python", "postgres"},
    )


# link step (hub.linkage.stage.STEPS) → its asset
LINK_SPECS = {
    "person": _link_spec("person", "person_link", "int_person_mentions"),
    "legal_entity": _link_spec("legal_entity", "entity_link", "int_entity_mentions"),
    "address": dg.AssetSpec(
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
        owners=OWNERS,
        kinds={"python", "postgres"},
    ),
}


def _link_metadata(summary: LinkSummary) -> dict:
    return {
        "mentions": summary.mentions,
        "master_records": summary.masters,
        "review_open": summary.review_open,
        # nothing linkage reads had changed since the last run: its links were kept
        "kept_unchanged": summary.kept,
        # only new and changed mentions were linked (and gone ones unlinked), the other links
        # kept; else why every mention was linked again
        "incremental": summary.incremental,
        "linked_now": summary.linked_now,
        "links_of_gone_mentions_removed": summary.gone,
        "full_relink_reason": summary.full_reason,
        "by_method": dg.MetadataValue.json(summary.by_method),
    }


@dg.multi_asset(name="link", specs=list(LINK_SPECS.values()), can_subset=True)
def link_stage(context: dg.AssetExecutionContext, hub: HubResource):
    """Person linkage in the step's process, entity linkage and address matching beside it;
    a failed step fails the run after the others' results are recorded."""
    wanted = [step for step, spec in LINK_SPECS.items() if spec.key in context.selected_asset_keys]
    failed = []
    for step, outcome in run_link_stage(hub.conninfo(), wanted).items():
        if not outcome.ok:
            context.log.error(f"{step}: failed after {outcome.seconds:.1f} s\n{outcome.error}")
            failed.append(f"{step}:\n{outcome.error}")
            continue
        context.log.info(f"{step} ({outcome.seconds:.1f} s): {_as_dict(outcome.result)}")
        metadata = (
            _link_metadata(outcome.result)
            if isinstance(outcome.result, LinkSummary)
            else {"by_method": dg.MetadataValue.json(outcome.result)}
        )
        metadata["seconds"] = round(outcome.seconds, 1)
        yield dg.MaterializeResult(asset_key=LINK_SPECS[step].key, metadata=metadata)
    if failed:
        raise LinkStageFailed(
            "link step(s) failed (the other steps' results are committed): " + "\n".join(failed)
        )


def _as_dict(result) -> dict:
    return result.to_dict() if isinstance(result, LinkSummary) else result


def link_assets() -> list[dg.AssetsDefinition]:
    return [link_stage]
