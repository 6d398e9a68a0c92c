"""``hub build``: materialize everything after collect — standardize, link, libraries, history."""

from __future__ import annotations

import dagster as dg


def build_selection() -> dg.AssetSelection:
    return dg.AssetSelection.all() - dg.AssetSelection.groups("collect")


def build_libraries(instance: dg.DagsterInstance | None = None) -> dg.ExecuteInJobResult:
    """Run the stages after collect in-process; raises on failure with the failing step."""
    from orchestration.definitions import defs

    assets = list(defs.assets or [])
    resources = dict(defs.resources or {})
    return dg.materialize(
        assets,
        selection=build_selection(),
        resources=resources,
        instance=instance,
        raise_on_error=True,
    )
