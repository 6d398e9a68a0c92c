"""Load benchmark of the share service: single lookups at a fixed rate, 10,000-ID batch checks.

Runs against the hub's database (``HUB_*``), which must hold built subject libraries::

    .venv/bin/python -m benchmarks.share_batch                       # the city in $HUB_HOME
    .venv/bin/python -m benchmarks.share_batch --rate 200 --seconds 30 --workers 2

It refreshes the serving tables (timed; ``--no-refresh`` skips that when they are there), issues a
benchmark key, starts the real service with uvicorn on a free port and then:

1. **Open loop at a fixed rate** (the target's load), with ``--tool``: ``wrk2`` (C, latency from
   each request's due time, built from github.com/giltene/wrk2; the default when it is on
   ``PATH``) or `locust <https://locust.io>`_ headless (``pip install locust``, the ``bench``
   extra) with ``FastHttpUser``, each of ``--users`` simulated clients on its own fixed schedule,
   latency from the raw timings of every request, from the moment it was *sent* and from the
   moment it was *due* (so the tool's own lag counts against the service too); ``both`` runs
   one after the other on the same service, to see what the load tool itself adds. See
   :mod:`benchmarks.share_load`.
2. **Flat out** (capacity): ``wrk`` (``apt-get install wrk``), 8 connections, closed loop.
3. ``--batches`` batch checks of 10,000 citizen IDs (9,000 known, 500 unknown, 500 malformed).

It also reads the audit rows of the open-loop run back (``duration_ms``: the service's time
until the answer was ready, before its audit row was committed), checks that every request
left one, and prints the load average (``/proc/loadavg``) next to every figure: the machine
has two cores, and the load tool runs on them too. Figures print as Markdown for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg
import yaml

from benchmarks import share_load
from hub.database.connection import database_url, to_libpq
from hub.share.audit_writer import SLOW_COMMIT_S
from hub.share.database import ensure_share_database
from hub.share.keys import issue_key
from hub.share.serving import is_refreshed, refresh_serving_tables
from hub.share.settings import DEFAULT_GRANTS, ShareSettings

PURPOSE = "allowance_case_work"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_pids(server: subprocess.Popen) -> tuple[list[int], list[int]]:
    """The uvicorn process and its workers; the local PostgreSQL backends of the service role."""
    pids, backends = [server.pid], []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.pid:
            pids.append(int(proc.name))
        elif cmdline.startswith("postgres: hub_share "):
            backends.append(int(proc.name))
    return pids, backends


def _prepare(url: str, grants_file: Path, refresh: bool) -> tuple[str, str, list[str], dict]:
    settings = ShareSettings(grants_file=grants_file)
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_share_database(conn, settings)
        refresh_s = None
        if refresh or not is_refreshed(conn):
            started = time.perf_counter()
            refresh_serving_tables(conn)
            refresh_s = time.perf_counter() - started
        persons = conn.execute("select count(*) from share.person").fetchone()[0]
        issued = issue_key(conn, "bench", label="benchmarks/share_batch.py")
        ids = [r[0] for r in conn.execute("select citizen_id from share.person_check")]
    return issued.key, issued.key_id, ids, {"refresh_s": refresh_s, "persons": persons}


def _audit_mark(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("select coalesce(max(id), 0) from audit.request_log").fetchone()[0]


def _audit_between(url: str, key_id: str, marks: tuple[int, int]) -> list[tuple[int, float]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select status, duration_ms from audit.request_log "
            "where id > %s and id <= %s and key_id = %s "
            "and endpoint = '/v1/persons/{citizen_id}'",
            (*marks, key_id),
        ).fetchall()


def _batches(base: str, key: str, ids: list[str], n: int, stop=None, every: float = 0.0) -> dict:
    """``n`` batch checks one after another (or, with ``stop``, one each ``every`` seconds
    until it is set)."""
    rng = random.Random(7)
    times, found = [], 0
    load_before = share_load.load()
    with httpx.Client(
        base_url=base, timeout=60, headers={"X-API-Key": key, "X-Purpose": "allowance_screening"}
    ) as client:
        while len(times) < n if stop is None else not stop.wait(every):
            batch = rng.sample(ids, min(9_000, len(ids)))
            batch += [f"{rng.randrange(10**17):018d}" for _ in range(500)]
            batch += ["not-an-id"] * (10_000 - len(batch))
            started = time.perf_counter()
            r = client.post("/v1/checks", json={"citizen_ids": batch})
            times.append(time.perf_counter() - started)
            r.raise_for_status()
            found = sum(1 for item in r.json()["results"] if item.get("found"))
    return {
        "p50_s": statistics.median(times) if times else float("nan"),
        "max_s": max(times, default=float("nan")),
        "found": found,
        "n": len(times),
        "load": f"{load_before} → {share_load.load()}",
    }


def _row(name: str, rps: float, f: dict, non2xx: int, load: str) -> str:
    return (
        f"| {name} | {rps:.1f} | {f['p50_ms']:.1f} | {f['p90_ms']:.1f} | {f['p99_ms']:.1f} | "
        f"{f['max_ms']:.1f} | {non2xx} | {load} |"
    )


def _open_loop(tool: str, base, env, work, args, service, meanwhile=None) -> dict:
    """One open-loop run with ``tool``; ``meanwhile(stop)`` runs in a thread alongside."""
    stop = threading.Event()
    side = threading.Thread(target=meanwhile, args=(stop,)) if meanwhile else None
    if side:
        side.start()
    try:
        if tool == "wrk2":
            return share_load.wrk2(
                base, env, work, args.rate, args.connections, args.seconds, service, args.tool_nice
            )
        return share_load.locust(base, env, work, args.rate, args.users, args.seconds, service)
    finally:
        if side:
            stop.set()
            side.join()


def _tools(choice: str) -> list[str]:
    has_wrk2 = shutil.which("wrk2") is not None
    if choice in ("wrk2", "both") and not has_wrk2:
        sys.exit("wrk2 is not on PATH: build it from github.com/giltene/wrk2 (make; wrk → wrk2)")
    if choice in ("locust", "both") or (choice == "auto" and not has_wrk2):
        try:
            import locust  # noqa: F401
        except ImportError:
            sys.exit("locust is needed: pip install 'locust>=2.47' (the bench extra)")
    if choice == "auto":
        return ["wrk2"] if has_wrk2 else ["locust"]
    return ["wrk2", "locust"] if choice == "both" else [choice]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="open-loop requests/second")
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk2", "locust", "both"),
        default="auto",
        help="open-loop load tool (auto: wrk2 if on PATH, else locust; both: one after the other)",
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk2 connections")
    parser.add_argument(
        "--tool-nice",
        type=int,
        default=0,
        help="niceness of wrk2 (e.g. -10 as root: its own sending lag out of the figures)",
    )
    parser.add_argument("--users", type=int, default=50, help="locust users sharing the rate")
    parser.add_argument("--seconds", type=int, default=30, help="length of each run")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--no-flat", action="store_true", help="skip the flat-out wrk run")
    parser.add_argument("--no-refresh", action="store_true", help="keep the serving tables")
    parser.add_argument("--runs", type=int, default=1, help="open-loop runs per tool")
    parser.add_argument(
        "--mixed",
        type=float,
        default=0,
        metavar="SECONDS",
        help="one more open-loop run with a 10,000-ID batch check every SECONDS meanwhile",
    )
    args = parser.parse_args()
    if not args.no_flat and not shutil.which("wrk"):
        sys.exit("wrk is needed for the flat-out run: apt-get install wrk (or --no-flat)")
    tools = _tools(args.tool)
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
    key, key_id, ids, prep = _prepare(url, grants_file, refresh=not args.no_refresh)
    (work / "ids.txt").write_text("\n".join(ids[:200_000]) + "\n")
    port = _free_port()
    env = {
        **os.environ,
        "HUB_SHARE_GRANTS_FILE": str(grants_file),
        "SHARE_KEY": key,
        "SHARE_PURPOSE": PURPOSE,
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
        stderr=(work / "service.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    runs, flat, batch = [], None, None  # runs: (name, tool, figures, audit rows)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # Warm up every worker: prepared statements, pools, first-call imports.
        if shutil.which("wrk"):
            share_load.wrk(base, env, work, 3, 8)
        else:
            share_load.locust(base, env, work, args.rate, args.users, 3, ([server.pid], []))
        service = _service_pids(server)  # after the warm-up: the pools' backends are open
        for tool in tools:
            for _ in range(args.runs):
                mark = _audit_mark(url)
                figures = _open_loop(tool, base, env, work, args, service)
                time.sleep(0.5)
                marks = (mark, _audit_mark(url))
                runs.append((f"lookups, open loop ({tool})", tool, figures, marks))
        if args.mixed:
            mixed_batches: dict = {}

            def checking(stop):
                mixed_batches.update(_batches(base, key, ids, 0, stop, args.mixed))

            mark = _audit_mark(url)
            figures = _open_loop(tools[0], base, env, work, args, service, checking)
            figures["batches"] = mixed_batches
            time.sleep(0.5)
            name = f"lookups, open loop ({tools[0]}), a batch check every {args.mixed:g} s"
            runs.append((name, tools[0], figures, (mark, _audit_mark(url))))
        if not args.no_flat:
            flat = share_load.wrk(base, env, work, args.seconds, 8)
        if args.batches:
            batch = _batches(base, key, ids, args.batches)
    finally:
        server.terminate()
        server.wait(timeout=30)
    refreshed = (
        f"serving tables refreshed in {prep['refresh_s']:.1f} s"
        if prep["refresh_s"] is not None
        else "serving tables kept"
    )
    print(
        f"city: {prep['persons']:,} persons; {refreshed}; uvicorn workers: {args.workers}; "
        f"cores: {os.cpu_count()}; open loop: {args.rate:g}/s, {args.seconds} s recorded "
        f"(wrk2: {args.connections} connections; locust: {args.users} users)"
    )
    print("| run | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, tool, o, _ in runs:
        if tool == "wrk2":
            bad = o["non2xx"] + o["errors"]
            print(_row(f"{name}, from send", o["rps"], o["from_sent"], bad, o["load"]))
            print(_row(f"{name}, from due time", o["rps"], o, bad, o["load"]))
            continue
        for since, figures in (("from send", o["from_sent"]), ("from due time", o["from_due"])):
            print(_row(f"{name}, {since}", o["rps"], figures, o["non2xx"], o["load"]))
    if flat:
        print(
            _row(
                "lookups, flat out (wrk, 8 connections)",
                flat["rps"],
                flat,
                flat["non2xx"] + flat["errors"],
                flat["load"],
            )
        )
    for name, tool, o, marks in runs:
        rows = _audit_between(url, key_id, marks)
        server_ms = share_load.percentiles([d for _, d in rows])
        sent = o["requests"] if tool == "wrk2" else o["all_requests"]
        if tool == "wrk2":
            what = f"{sent:,} requests answered ({o['p999_ms']:.1f} ms at p99.9)"
        else:
            lag = o["tool_lag"]
            what = (
                f"{o['requests']:,} requests due in the window ({sent:,} in all); load tool lag "
                f"(sent − due) p50 {lag['p50_ms']:.2f} ms, p99 {lag['p99_ms']:.2f} ms, "
                f"max {lag['max_ms']:.1f} ms"
            )
        print(
            f"\n{name}: {what}; {len(rows):,} audit rows of the run; in the service before the "
            f"audit commit (audit duration_ms) p50 {server_ms['p50_ms']:.2f} ms, p99 "
            f"{server_ms['p99_ms']:.2f} ms, max {server_ms['max_ms']:.1f} ms; CPU: uvicorn "
            f"{o['service_cores']:.2f} cores ({o['cpu_ms_per_request']:.2f} ms per request), its "
            f"PostgreSQL backends {o['db_cores']:.2f} cores ({o['db_ms_per_request']:.2f} ms per "
            f"request; local server only), {tool} {o['tool_cores']:.2f} cores"
        )
        # wrk2 does not count the requests still in flight when it stops; the service logs them.
        if not sent <= len(rows) <= sent + (args.connections if tool == "wrk2" else 0):
            print(f"WARNING: {sent:,} requests answered but {len(rows):,} audit rows")
        if "batches" in o:
            b = o["batches"]
            print(
                f"batch checks during that run: {b['n']}, p50 {b['p50_s']:.3f} s, "
                f"max {b['max_s']:.3f} s"
            )
    slow = [
        float(m.group(1))
        for m in re.finditer(
            r"audit commit of \d+ rows took (\d+) ms", (work / "service.log").read_text()
        )
    ]
    print(
        f"\naudit group commits over {SLOW_COMMIT_S * 1000:.0f} ms (whole benchmark, from the "
        f"service's log {work / 'service.log'}): {len(slow)}"
        + (f", max {max(slow):.0f} ms" if slow else "")
    )
    if batch:
        print(
            f"\n10,000-ID batch check ({batch['n']} runs, {batch['found']:,} found in the last): "
            f"p50 {batch['p50_s']:.3f} s, max {batch['max_s']:.3f} s; load avg {batch['load']}"
        )


if __name__ == "__main__":
    main()
