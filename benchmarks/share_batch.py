"""Load benchmark of the share service: single lookups under wrk, 10,000-ID batch checks.

Runs against the hub's database (``HUB_*``), which must hold built subject libraries::

    .venv/bin/python -m benchmarks.share_batch            # the city in $HUB_HOME
    .venv/bin/python -m benchmarks.share_batch --rate 200 --seconds 30

It refreshes the serving tables (timed), issues a benchmark key, starts the real service with
uvicorn on a free port and drives it with ``wrk`` (apt install wrk): one run paced near
``--rate`` requests/second (each connection waits between requests), one run flat out; then
times ``--batches`` batch checks of 10,000 citizen IDs (9 in 10 known, 1 in 10 malformed or
unknown). Prints the figures as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import yaml

from hub.database.connection import database_url, to_libpq
from hub.share.database import ensure_share_database
from hub.share.keys import issue_key
from hub.share.serving import refresh_serving_tables
from hub.share.settings import DEFAULT_GRANTS, ShareSettings

PURPOSE = "allowance_case_work"

LUA = """
local ids = {}
for line in io.lines(os.getenv("SHARE_IDS")) do ids[#ids + 1] = line end
wrk.headers["X-API-Key"] = os.getenv("SHARE_KEY")
wrk.headers["X-Purpose"] = "%(purpose)s"
local i = math.random(#ids)
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/persons/" .. ids[(i %% #ids) + 1])
end
%(delay)s
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %%d, \\"seconds\\": %%.3f, \\"p50_ms\\": %%.2f, \\"p90_ms\\": %%.2f, " ..
    "\\"p99_ms\\": %%.2f, \\"max_ms\\": %%.2f, \\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(url: str, grants_file: Path) -> tuple[str, list[str], dict]:
    settings = ShareSettings(grants_file=grants_file)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_share_database(conn, settings)
        started = time.perf_counter()
        counts = refresh_serving_tables(conn)
        refresh_s = time.perf_counter() - started
        key = issue_key(conn, "bench", label="benchmarks/share_batch.py").key
        ids = [r[0] for r in conn.execute("select citizen_id from share.person_check")]
    return key, ids, {"refresh_s": refresh_s, "persons": counts["person"]}


def _wrk(url: str, env: dict, seconds: int, connections: int, delay_ms: float | None) -> dict:
    delay = f"delay = function() return {delay_ms:.1f} end" if delay_ms else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"purpose": PURPOSE, "delay": delay})
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        script.name,
        url,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    figures = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def _batches(url: str, key: str, ids: list[str], n: int) -> dict:
    rng = random.Random(7)
    times, found = [], 0
    with httpx.Client(
        base_url=url, timeout=60, headers={"X-API-Key": key, "X-Purpose": "allowance_screening"}
    ) as client:
        for _ in range(n):
            batch = rng.sample(ids, min(9_000, len(ids)))
            batch += [f"{rng.randrange(10**17):018d}" for _ in range(500)]
            batch += ["not-an-id"] * (10_000 - len(batch))
            started = time.perf_counter()
            r = client.post("/v1/checks", json={"citizen_ids": batch})
            times.append(time.perf_counter() - started)
            r.raise_for_status()
            found = sum(1 for item in r.json()["results"] if item.get("found"))
    return {"p50_s": statistics.median(times), "max_s": max(times), "found": found, "n": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="paced run: requests/second")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    url = to_libpq(database_url())
    work = Path(tempfile.mkdtemp(prefix="share-bench-"))
    grants = yaml.safe_load(DEFAULT_GRANTS.read_text(encoding="utf-8"))
    bench = dict(
        grants["departments"]["mzj"],
        name="benchmark",
        rate_limit={"per_second": 1e6, "burst": 1_000_000},
    )
    grants["departments"]["bench"] = bench
    grants_file = work / "grants.yaml"
    grants_file.write_text(yaml.safe_dump(grants, allow_unicode=True), encoding="utf-8")
    key, ids, prep = _prepare(url, grants_file)
    (work / "ids.txt").write_text("\n".join(ids[:200_000]) + "\n")
    port = _free_port()
    env = {
        **os.environ,
        "HUB_SHARE_GRANTS_FILE": str(grants_file),
        "SHARE_KEY": key,
        "SHARE_IDS": str(work / "ids.txt"),
        "HUB_DATABASE_URL": url,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.share.app:app_from_environment",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        _wrk(base, env, 3, 4, None)  # warm up: prepared statements, pool
        connections = 4
        paced = _wrk(base, env, args.seconds, connections, 1000 * connections / args.rate)
        flat = _wrk(base, env, args.seconds, 8, None)
        batch = _batches(base, key, ids, args.batches)
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(
        f"city: {prep['persons']:,} persons; serving tables refreshed in {prep['refresh_s']:.1f} s;"
        f" uvicorn workers: {args.workers}; cores: {os.cpu_count()}"
    )
    print("| run | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, f in (("single lookups, paced", paced), ("single lookups, flat out (8 conn.)", flat)):
        print(
            f"| {name} | {f['rps']:.0f} | {f['p50_ms']:.1f} | {f['p90_ms']:.1f} | "
            f"{f['p99_ms']:.1f} | {f['max_ms']:.1f} | {f['non2xx'] + f['errors']} |"
        )
    print(
        f"\n10,000-ID batch check ({batch['n']} runs, {batch['found']:,} found in the last): "
        f"p50 {batch['p50_s']:.3f} s, max {batch['max_s']:.3f} s"
    )


if __name__ == "__main__":
    main()
