"""The dbt project as Dagster assets: staging views, mentions, golden records, marts.

Two ``@dbt_assets`` because the link stage (Python) sits between them: the first builds the
staging models and the mention tables linkage reads, the second everything downstream of the
links. Keys follow the schema (``hub/person``, ``intermediate/int_person_mentions``) so the UI
reads like the database.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from hub.database.connection import connect
from hub.libraries.dbt import (
    PROJECT_DIR,
    apply_dbt_env,
    build_arguments,
    ensure_manifest,
    prepare_database,
    record_build,
)
from orchestration.resources import HubResource

MENTION_MODELS = "tag:standardize tag:mentions"

GROUPS = {"stg": "standardize", "intermediate": "libraries", "hub": "libraries"}


class HubDbtTranslator(DagsterDbtTranslator):
    """Asset keys ``<schema>/<model>``; groups by stage; the owning team on each mart."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["name"] in ("int_person_mentions", "int_entity_mentions"):
            return "link"
        return GROUPS.get(dbt_resource_props.get("schema", ""), "libraries")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        return ["team:data-office"]


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=PROJECT_DIR, profiles_dir=PROJECT_DIR)


def _run(context: dg.AssetExecutionContext, dbt: DbtCliResource, hub: HubResource, stage: str):
    settings = hub.settings()
    conninfo = hub.conninfo()
    apply_dbt_env(settings)
    with connect(conninfo, autocommit=True) as conn:
        prepare_database(conn)
        # from scratch when the project's files changed since this stage was last built
        arguments = build_arguments(conn, stage)
    if arguments:
        context.log.info(f"{stage}: the dbt project changed since the last build: full refresh")
    # row counts on every model's materialization: conflicts, persons, links at a glance
    yield from dbt.cli(["build", *arguments], context=context).stream().fetch_row_counts()
    # only a build of the whole stage brought every incremental model up to this version
    if not context.is_subset:
        with connect(conninfo, autocommit=True) as conn:
            record_build(conn, stage)


def build_dbt_assets() -> list[dg.AssetsDefinition]:
    manifest = ensure_manifest()
    translator = HubDbtTranslator()

    @dbt_assets(
        manifest=manifest,
        select=MENTION_MODELS,
        name="dbt_standardize_and_mentions",
        dagster_dbt_translator=translator,
    )
    def mentions(context: dg.AssetExecutionContext, dbt: DbtCliResource, hub: HubResource):
        yield from _run(context, dbt, hub, "mentions")

    @dbt_assets(
        manifest=manifest,
        exclude=MENTION_MODELS,
        name="dbt_subject_libraries",
        dagster_dbt_translator=translator,
    )
    def libraries(context: dg.AssetExecutionContext, dbt: DbtCliResource, hub: HubResource):
        yield from _run(context, dbt, hub, "libraries")

    return [mentions, libraries]


def dbt_resource() -> DbtCliResource:
    from hub.libraries.dbt import dbt_executable

    return DbtCliResource(
        project_dir=str(PROJECT_DIR), profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )
