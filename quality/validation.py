"""Run GX suites inside PostgreSQL and keep the outcome: one row per expectation, plus Data Docs.

GX Core 1.x runs each expectation as SQL through its PostgreSQL data source (nothing is pulled
into pandas). The context is ephemeral — suites are code (:mod:`quality.suites`), not a ``gx/``
folder to keep in sync — and its Data Docs site is written under ``$HUB_HOME/reports/gx``.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import great_expectations as gx
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from quality.suites import Suite

DOCS_SITE = "hub_quality"


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result on one table: what a steward reads in the report."""

    table: str
    rule: str
    expectation: str
    column: str | None
    success: bool
    element_count: int | None
    unexpected_count: int | None
    description: str

    def to_dict(self) -> dict:
        return asdict(self)


def _context(docs_dir: Path | None):
    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,  # the machine is offline; GX must not phone home
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(
    sqlalchemy_url: str, suites: list[Suite], docs_dir: Path | None = None
) -> list[ExpectationOutcome]:
    """Validate every suite against its whole table; write Data Docs to ``docs_dir`` if given."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = _context(docs_dir)
    source = context.data_sources.add_postgres("hub", connection_string=sqlalchemy_url)
    definitions = []
    for s in suites:
        asset = source.add_table_asset(s.name, table_name=s.table, schema_name=s.schema)
        batch = asset.add_batch_definition_whole_table("whole_table")
        # copies: GX binds an expectation to the first suite (and context) it joins, and the
        # same suite definitions are run again by every build in a long-lived process
        suite = context.suites.add(
            gx.ExpectationSuite(name=s.name, expectations=[copy.copy(e) for e in s.expectations])
        )
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=s.name, data=batch, suite=suite)
            )
        )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="hub_quality",
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="data_docs")] if docs_dir is not None else [],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    )
    result = checkpoint.run()
    outcomes = []
    for run in result.run_results.values():
        table = run.suite_name
        for r in run.results:
            config = r.expectation_config
            outcomes.append(
                ExpectationOutcome(
                    table=table,
                    rule=(config.meta or {}).get("rule", config.type),
                    expectation=config.type,
                    column=config.kwargs.get("column") or config.kwargs.get("column_A"),
                    success=bool(r.success),
                    element_count=r.result.get("element_count"),
                    unexpected_count=_unexpected(r.result),
                    description=config.description or "",
                )
            )
    return outcomes


def _unexpected(result: dict) -> int | None:
    if result.get("unexpected_count") is not None:
        return int(result["unexpected_count"])
    observed = result.get("observed_value")  # UnexpectedRowsExpectation reports a row count
    return int(observed) if isinstance(observed, int | float) else None
