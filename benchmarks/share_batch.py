"""Load benchmark of the share service: single lookups at a fixed rate, 10,000-ID batch checks.

Runs against the hub's database (``HUB_*``), which must hold built subject libraries::

    .venv/bin/python -m benchmarks.share_batch                       # the city in $HUB_HOME
    .venv/bin/python -m benchmarks.share_batch --rate 200 --seconds 30 --workers 2

It refreshes the serving tables (timed; ``--no-refresh`` skips that when they are there), issues a
benchmark key, starts the real service with uvicorn on a free port and then:

1. **Open loop at a fixed rate** (the target's load): `locust <https://locust.io>`_ headless
   (``pip install locust``, the ``bench`` extra) with ``FastHttpUser``. Each of ``--users``
   simulated clients keeps its own fixed schedule — one ``GET /v1/persons/{id}`` every
   ``users / rate`` seconds at a random phase — whatever the answers take, so together they send
   ``--rate`` requests/second and a slow answer does not slow the load down (no coordinated
   omission while an answer is shorter than a client's period, 250 ms at the defaults). Latency
   is reported twice, from the raw timings of every request (exact, not locust's rounded
   histogram): from the moment the request was *sent*, and from the moment it was *due* on its
   schedule (so any lag of the load tool or a late client counts against the service too).
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
import json
import os
import random
import resource
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

from hub.database.connection import database_url, to_libpq
from hub.share.database import ensure_share_database
from hub.share.keys import issue_key
from hub.share.serving import is_refreshed, refresh_serving_tables
from hub.share.settings import DEFAULT_GRANTS, ShareSettings

PURPOSE = "allowance_case_work"

LOCUSTFILE = '''
"""Open-loop lookups: each user sends on its own fixed schedule (written by share_batch.py)."""
import json, os, random, time

import gevent
from locust import FastHttpUser, events, task

RATE = float(os.environ["SHARE_RATE"])
USERS = int(os.environ["SHARE_USERS"])
PERIOD = USERS / RATE
IDS = open(os.environ["SHARE_IDS"]).read().split()
HEADERS = {"X-API-Key": os.environ["SHARE_KEY"], "X-Purpose": os.environ["SHARE_PURPOSE"]}
RECORDS = []  # (due, sent, answered, status) per request, monotonic seconds


class Lookup(FastHttpUser):
    def on_start(self):
        self.rng = random.Random()
        self.due = time.monotonic() + self.rng.random() * PERIOD
        gevent.sleep(max(0.0, self.due - time.monotonic()))

    def wait_time(self):
        return max(0.0, self.due - time.monotonic())

    @task
    def lookup(self):
        due, self.due = self.due, self.due + PERIOD
        cid = IDS[self.rng.randrange(len(IDS))]
        sent = time.monotonic()
        with self.client.get(
            "/v1/persons/" + cid, headers=HEADERS, name="/v1/persons/{citizen_id}",
            catch_response=True,
        ) as r:
            answered = time.monotonic()
            status = r.status_code
            if status != 200:
                r.failure(f"status {status}")
        RECORDS.append((due, sent, answered, status))


@events.quitting.add_listener
def _write(environment, **_):
    with open(os.environ["SHARE_OUT"], "w") as out:
        json.dump(RECORDS, out)
'''

WRK_LUA = """
local ids = {}
for line in io.lines(os.getenv("SHARE_IDS")) do ids[#ids + 1] = line end
wrk.headers["X-API-Key"] = os.getenv("SHARE_KEY")
wrk.headers["X-Purpose"] = os.getenv("SHARE_PURPOSE")
local i = math.random(#ids)
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/persons/" .. ids[(i % #ids) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"seconds\\": %.3f, \\"p50_ms\\": %.2f, \\"p90_ms\\": %.2f, " ..
    "\\"p99_ms\\": %.2f, \\"max_ms\\": %.2f, \\"non2xx\\": %d, \\"errors\\": %d}\\n",
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


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


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


def _percentiles(values: list[float]) -> dict:
    """p50/p90/p99/max of ``values`` (ms), nearest-rank on the exact values."""
    ordered = sorted(values)
    if not ordered:
        return {
            "p50_ms": float("nan"),
            "p90_ms": float("nan"),
            "p99_ms": float("nan"),
            "max_ms": float("nan"),
        }

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))]

    return {"p50_ms": rank(0.50), "p90_ms": rank(0.90), "p99_ms": rank(0.99), "max_ms": ordered[-1]}


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


def _audit_since(url: str, key_id: str, mark: int) -> list[tuple[int, float]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select status, duration_ms from audit.request_log "
            "where id > %s and key_id = %s and endpoint = '/v1/persons/{citizen_id}'",
            (mark, key_id),
        ).fetchall()


def _locust(
    base: str,
    env: dict,
    work: Path,
    rate: float,
    users: int,
    seconds: int,
    service: tuple[list[int], list[int]],
    meanwhile=None,
) -> dict:
    """The open-loop run; figures from the raw timings of requests due after the ramp-up.

    ``meanwhile(stop)``, if given, runs in a thread for the length of the run (batch checks).
    """
    locustfile = work / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    out = work / "locust_records.json"
    env = {**env, "SHARE_RATE": str(rate), "SHARE_USERS": str(users), "SHARE_OUT": str(out)}
    ramp = 2  # users start within 1 s (spawn rate = users), each at a random phase
    load_before = _load()
    tool_cpu = _children_cpu()
    service_cpu = _cpu_seconds(service[0])
    db_cpu = _cpu_seconds(service[1])
    started = time.monotonic()
    stop = threading.Event()
    side = threading.Thread(target=meanwhile, args=(stop,)) if meanwhile else None
    if side:
        side.start()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(locustfile),
            "--headless",
            "--host",
            base,
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds + ramp + 1}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    if side:
        stop.set()
        side.join()
    tool_cpu = _children_cpu() - tool_cpu
    service_cpu = _cpu_seconds(service[0]) - service_cpu
    db_cpu = _cpu_seconds(service[1]) - db_cpu
    load_after = _load()
    if not out.exists():
        raise RuntimeError(f"locust wrote no timings:\n{proc.stdout}\n{proc.stderr}")
    records = json.loads(out.read_text())
    start = min(r[0] for r in records) + ramp
    # Requests due in the steady window [start, start + seconds): the schedule's own window.
    steady = [r for r in records if start <= r[0] < start + seconds]
    from_sent = _percentiles([(a - s) * 1000 for _, s, a, _ in steady])
    from_due = _percentiles([(a - d) * 1000 for d, _, a, _ in steady])
    lag = _percentiles([(s - d) * 1000 for d, s, _, _ in steady])
    answered = [a for _, _, a, _ in steady]
    return {
        "requests": len(steady),
        "rps": len(steady) / seconds,
        "answered_rps": len(steady) / (max(answered) - min(answered)) if len(answered) > 1 else 0,
        "non2xx": sum(1 for *_, status in steady if status != 200),
        "from_sent": from_sent,
        "from_due": from_due,
        "tool_lag": lag,
        "all_requests": len(records),
        "load": f"{load_before} → {load_after}",
        # share of one core over the whole locust run (ramp-up and stop included)
        "service_cores": service_cpu / elapsed,
        "db_cores": db_cpu / elapsed,
        "tool_cores": tool_cpu / elapsed,
        "cpu_ms_per_request": 1000 * service_cpu / len(records),
        "db_ms_per_request": 1000 * db_cpu / len(records),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wrk(base: str, env: dict, work: Path, seconds: int, connections: int) -> dict:
    script = work / "lookups.lua"
    script.write_text(WRK_LUA)
    load_before = _load()
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        base,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    figures = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["load"] = f"{load_before} → {_load()}"
    return figures


def _batches(base: str, key: str, ids: list[str], n: int, stop=None, every: float = 0.0) -> dict:
    """``n`` batch checks one after another (or, with ``stop``, one each ``every`` seconds
    until it is set)."""
    rng = random.Random(7)
    times, found = [], 0
    load_before = _load()
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
        "load": f"{load_before} → {_load()}",
    }


def _row(name: str, rps: float, f: dict, non2xx: int, load: str) -> str:
    return (
        f"| {name} | {rps:.1f} | {f['p50_ms']:.1f} | {f['p90_ms']:.1f} | {f['p99_ms']:.1f} | "
        f"{f['max_ms']:.1f} | {non2xx} | {load} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="open-loop requests/second")
    parser.add_argument("--users", type=int, default=50, help="locust users sharing the rate")
    parser.add_argument("--seconds", type=int, default=30, help="length of each run")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--no-flat", action="store_true", help="skip the flat-out wrk run")
    parser.add_argument("--no-refresh", action="store_true", help="keep the serving tables")
    parser.add_argument("--runs", type=int, default=1, help="open-loop runs (one after another)")
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
    try:
        import locust  # noqa: F401
    except ImportError:
        sys.exit("locust is needed: pip install 'locust>=2.47' (the bench extra)")
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
    )
    base = f"http://127.0.0.1:{port}"
    opens, flat, batch, audits, mixed = [], None, None, [], None
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # Warm up every worker: prepared statements, pools, first-call imports.
        _locust(base, env, work, args.rate, args.users, 3, ([server.pid], []))
        service = _service_pids(server)  # after the warm-up: the pools' backends are open
        for _ in range(args.runs):
            mark = _audit_mark(url)
            opens.append(_locust(base, env, work, args.rate, args.users, args.seconds, service))
            time.sleep(0.5)
            audits.append(_audit_since(url, key_id, mark))
        if args.mixed:
            mixed_batches: dict = {}

            def checking(stop):
                mixed_batches.update(_batches(base, key, ids, 0, stop, args.mixed))

            mark = _audit_mark(url)
            mixed = _locust(base, env, work, args.rate, args.users, args.seconds, service, checking)
            mixed["batches"] = mixed_batches
            time.sleep(0.5)
            mixed_audit = _audit_since(url, key_id, mark)
        if not args.no_flat:
            flat = _wrk(base, env, work, args.seconds, 8)
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
        f"cores: {os.cpu_count()}; open loop: {args.rate:g}/s over {args.users} locust users, "
        f"{args.seconds} s"
    )
    print("| run | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    named = [("lookups, open loop (locust)", o) for o in opens]
    if mixed:
        named.append((f"lookups, open loop, a batch check every {args.mixed:g} s meanwhile", mixed))
    for name, o in named:
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
    runs = list(zip(opens, audits, strict=True)) + ([(mixed, mixed_audit)] if mixed else [])
    for o, rows in runs:
        server_ms = _percentiles([d for _, d in rows])
        lag = o["tool_lag"]
        print(
            f"\nopen loop: {o['requests']:,} requests due in the window ({o['all_requests']:,} "
            f"in all, {len(rows):,} audit rows of the run); load tool lag (sent − due) "
            f"p50 {lag['p50_ms']:.2f} ms, p99 {lag['p99_ms']:.2f} ms, max {lag['max_ms']:.1f} ms;"
            f" in the service before the audit commit (audit duration_ms) p50 "
            f"{server_ms['p50_ms']:.2f} ms, p99 {server_ms['p99_ms']:.2f} ms, "
            f"max {server_ms['max_ms']:.1f} ms; CPU: uvicorn {o['service_cores']:.2f} cores "
            f"({o['cpu_ms_per_request']:.2f} ms per request), its PostgreSQL backends "
            f"{o['db_cores']:.2f} cores ({o['db_ms_per_request']:.2f} ms per request; local "
            f"server only), locust {o['tool_cores']:.2f} cores"
        )
        if len(rows) != o["all_requests"]:
            print(f"WARNING: {o['all_requests']:,} requests sent but {len(rows):,} audit rows")
    if mixed:
        b = mixed["batches"]
        print(
            f"\nbatch checks during the mixed run: {b['n']}, p50 {b['p50_s']:.3f} s, "
            f"max {b['max_s']:.3f} s"
        )
    if batch:
        print(
            f"\n10,000-ID batch check ({batch['n']} runs, {batch['found']:,} found in the last): "
            f"p50 {batch['p50_s']:.3f} s, max {batch['max_s']:.3f} s; load avg {batch['load']}"
        )


if __name__ == "__main__":
    main()
