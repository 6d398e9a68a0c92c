"""The stewards' view: the Dagster UI of a demo hub, opened in headless Chromium, shows the asset
graph with every group and the checks on a staging asset.

Needs Debian's ``chromium`` (skipped without it) and about two minutes: the webserver loads the
definitions (dbt manifest included) before it answers, hence ``slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hub.demo.load import load_demo_city
from orchestration.instance import prepare_dagster_home

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "asset_graph.json"
# Without the background-networking flags Chromium keeps calling out of this closed network.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,1000",
    "--virtual-time-budget=30000",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def webserver(database, settings, tmp_path):
    """dagster-webserver on the demo hub's definitions and Dagster storage."""
    load_demo_city(settings, database, persons=200, build=False)
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(prepare_dagster_home(settings))}
    log = (tmp_path / "webserver.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-m", "orchestration.definitions"]
        + ["-h", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "webserver.log").read_text()
            try:
                if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(2)
        else:
            pytest.fail("the Dagster webserver did not answer within 4 minutes")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / f"chromium-{time.monotonic_ns()}"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)")
def test_the_ui_shows_every_group_of_the_asset_graph_and_the_delivery_checks(webserver, tmp_path):
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    # "default" is Dagster's name for no group (a dbt source read but not defined as an asset).
    groups = {a["group"] for a in snapshot["assets"].values()} - {"default"}
    checks = {c.split(":")[1] for c in snapshot["checks"] if c.startswith("staging/gaj_rkxx:")}

    lineage = _chromium(tmp_path, "--dump-dom", f"{webserver}/asset-groups")
    police = _chromium(tmp_path, "--dump-dom", f"{webserver}/assets/staging/gaj_rkxx?view=checks")
    screenshot = tmp_path / "lineage.png"
    _chromium(tmp_path, f"--screenshot={screenshot}", f"{webserver}/asset-groups")

    assert {"collect", "standardize", "link", "libraries"} <= groups
    assert all(f">{group}<" in lineage for group in groups), groups
    assert {"delivery_on_time", "last_delivery_accepted"} <= checks
    assert all(check in police for check in checks), checks
    assert screenshot.stat().st_size > 10_000
