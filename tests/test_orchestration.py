"""The Dagster definitions: one staging asset per extract, the inbox sensor, and loading through them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dagster as dg

from data_contracts import load_contract, load_contracts
from orchestration.definitions import build_definitions
from orchestration.defs.collect.assets import build_staging_asset
from orchestration.resources import HubResource
from tests.ingest.helpers import fetch, police_rows, write_police

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def _asset_graph(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    return {
        "assets": {
            key.to_user_string(): {
                "group": graph.get(key).group_name,
                "deps": sorted(k.to_user_string() for k in graph.get(key).parent_keys),
            }
            for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
        },
        "checks": sorted(c.to_user_string() for c in graph.asset_check_keys),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_asset_graph_matches_the_committed_snapshot():
    """A change to the graph is deliberate: regenerate with HUB_UPDATE_SNAPSHOTS=1."""
    graph = _asset_graph(build_definitions())
    if os.environ.get("HUB_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(
            json.dumps(graph, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert {f"staging/{e}" for e in load_contracts()} <= set(graph["assets"])
    assert "inbox_sensor" in graph["sensors"]


def test_inbox_sensor_requests_a_load_for_an_extract_with_waiting_files(
    database, settings, tmp_path
):
    from hub.ingest.inbox import ensure_inbox, inbox_folder

    ensure_inbox(settings)
    write_police(inbox_folder(settings, "gaj_rkxx") / "gaj_rkxx_20261101.csv", police_rows(3))
    sensor = build_definitions().resolve_sensor_def("inbox_sensor")

    requests = list(sensor(dg.build_sensor_context()))

    assert [r.asset_selection for r in requests] == [[dg.AssetKey(["staging", "gaj_rkxx"])]]


def test_materializing_a_staging_asset_loads_its_inbox_and_files_the_files(
    database, settings, samples
):
    from hub.ingest.inbox import ensure_inbox, inbox_folder

    ensure_inbox(settings)
    folder = inbox_folder(settings, "gaj_rkxx")
    shutil.copy(samples / "gaj_rkxx" / "gaj_rkxx_20261030.csv", folder)
    asset = build_staging_asset(load_contract("gaj_rkxx"))

    result = dg.materialize(
        [asset], resources={"hub": HubResource(home=str(settings.home), database_url=database)}
    )

    assert result.success
    metadata = result.asset_materializations_for_node(asset.node_def.name)[0].metadata
    assert (
        metadata["rows_read"].value
        == metadata["rows_staged"].value + metadata["rows_quarantined"].value
    )
    assert not list(folder.glob("*.csv")) and (folder / "done" / "gaj_rkxx_20261030.csv").exists()
    assert fetch(database, "select status from staging.delivery") == [("loaded",)]
