"""The Dagster definitions: one staging asset per extract, the inbox sensor, and loading through them."""

from __future__ import annotations

import shutil

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.resources import HubResource
from tests.ingest.helpers import fetch, police_rows, write_police


def test_definitions_have_one_staging_asset_per_extract_and_the_inbox_sensor():
    defs = build_definitions()
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {
        f"staging/{e}"
        for e in [
            "bdc_djxx",
            "gaj_rkxx",
            "mzj_dbdx",
            "mzj_hydj",
            "rsj_cbxx",
            "scjgj_qydj",
            "wgy_cj",
            "wjw_csyxzm",
            "wjw_swyxzm",
            "zrzyj_bzdz",
        ]
    }
    assert defs.resolve_sensor_def("inbox_sensor") is not None


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
    defs = build_definitions()
    asset = defs.resolve_assets_def(dg.AssetKey(["staging", "gaj_rkxx"]))

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
