"""Load tools for the share benchmark: open loop at a fixed rate (wrk2 or locust), flat out (wrk).

:func:`wrk2` is the preferred open-loop tool: a C event loop (one thread, a few milliseconds of CPU
per second at 200 requests/s) that sends on a fixed timetable per connection and measures each
request's latency **from the moment it was due** (its intended start), so an answer that arrives
late delays nothing it does not also count (no coordinated omission). It is not packaged by
Debian: build it from https://github.com/giltene/wrk2 (``make``) and put the binary on ``PATH``
as ``wrk2``. Its first ten seconds calibrate and are not recorded, a built-in warm-up.

:func:`locust` (``pip install locust``, the ``bench`` extra) does the same in Python with
``FastHttpUser`` and raw timings per request; it takes ten times the CPU of wrk2 on the two cores
it shares with the service, and its own scheduling lag is part of what it reports (measured and
printed as the load tool lag). :func:`wrk` runs flat out (closed loop) for the capacity.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

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

# wrk and wrk2 run one script: random known IDs in turn (one file of IDs), the department's
# key and purpose; at the end one JSON line of figures (wrk's percentile takes 99.9 too).
_LUA_REQUESTS = """
local ids = {}
for line in io.lines(os.getenv("SHARE_IDS")) do ids[#ids + 1] = line end
wrk.headers["X-API-Key"] = os.getenv("SHARE_KEY")
wrk.headers["X-Purpose"] = os.getenv("SHARE_PURPOSE")
local i = 0
init = function(args) i = math.random(#ids) end
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/persons/" .. ids[(i % #ids) + 1])
end
"""

WRK_LUA = (
    _LUA_REQUESTS
    + """
done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"seconds\\": %.3f, \\"p50_ms\\": %.2f, \\"p90_ms\\": %.2f, " ..
    "\\"p99_ms\\": %.2f, \\"p999_ms\\": %.2f, \\"max_ms\\": %.2f, \\"non2xx\\": %d, " ..
    "\\"errors\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""
)

WRK2_CALIBRATION_S = 10
"""wrk2 records nothing for its first 10 s (+5 ms per connection): it calibrates."""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pids: list[int]) -> float:
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentiles(values: list[float]) -> dict:
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


def locust(
    base: str,
    env: dict,
    work: Path,
    rate: float,
    users: int,
    seconds: int,
    service: tuple[list[int], list[int]],
) -> dict:
    """The open-loop run; figures from the raw timings of requests due after the ramp-up."""
    locustfile = work / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    out = work / "locust_records.json"
    env = {**env, "SHARE_RATE": str(rate), "SHARE_USERS": str(users), "SHARE_OUT": str(out)}
    ramp = 2  # users start within 1 s (spawn rate = users), each at a random phase
    load_before = load()
    tool_cpu = _children_cpu()
    service_cpu = cpu_seconds(service[0])
    db_cpu = cpu_seconds(service[1])
    started = time.monotonic()
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
    tool_cpu = _children_cpu() - tool_cpu
    service_cpu = cpu_seconds(service[0]) - service_cpu
    db_cpu = cpu_seconds(service[1]) - db_cpu
    load_after = load()
    if not out.exists():
        raise RuntimeError(f"locust wrote no timings:\n{proc.stdout}\n{proc.stderr}")
    records = json.loads(out.read_text())
    start = min(r[0] for r in records) + ramp
    # Requests due in the steady window [start, start + seconds): the schedule's own window.
    steady = [r for r in records if start <= r[0] < start + seconds]
    from_sent = percentiles([(a - s) * 1000 for _, s, a, _ in steady])
    from_due = percentiles([(a - d) * 1000 for d, _, a, _ in steady])
    lag = percentiles([(s - d) * 1000 for d, s, _, _ in steady])
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


def wrk(base: str, env: dict, work: Path, seconds: int, connections: int) -> dict:
    script = work / "lookups.lua"
    script.write_text(WRK_LUA)
    load_before = load()
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
    figures["load"] = f"{load_before} → {load()}"
    return figures


def wrk2(
    base: str,
    env: dict,
    work: Path,
    rate: float,
    connections: int,
    seconds: int,
    service: tuple[list[int], list[int]],
    nice: int = 0,
) -> dict:
    """Open loop at ``rate`` with wrk2 over ``connections``; ``seconds`` recorded after its
    calibration. Latency from each request's due time (wrk2's corrected histogram: the headline
    figures) and from when it was sent (``from_sent``: without wrk2's own delays in sending)."""
    script = work / "lookups_wrk2.lua"
    script.write_text(WRK_LUA)
    warm = WRK2_CALIBRATION_S + connections * 0.005
    cmd = ["nice", "-n", str(nice), "wrk2", "-t1", f"-c{connections}"]
    cmd += [f"-d{round(seconds + warm + 0.5)}s", f"-R{rate:g}", "--latency", "-U"]
    cmd += ["--timeout", "5s", "-s", str(script), base]
    load_before = load()
    tool_cpu, service_cpu, db_cpu = (
        _children_cpu(),
        cpu_seconds(service[0]),
        cpu_seconds(service[1]),
    )
    started = time.monotonic()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    elapsed = time.monotonic() - started
    figures = json.loads(next(line[5:] for line in out.splitlines() if line.startswith("JSON ")))
    requests = figures["requests"]
    return {
        **figures,
        "from_sent": _wrk2_uncorrected(out),
        "rps": requests / figures["seconds"],
        "load": f"{load_before} → {load()}",
        "service_cores": (cpu_seconds(service[0]) - service_cpu) / elapsed,
        "db_cores": (cpu_seconds(service[1]) - db_cpu) / elapsed,
        "tool_cores": (_children_cpu() - tool_cpu) / elapsed,
        "cpu_ms_per_request": 1000 * (cpu_seconds(service[0]) - service_cpu) / requests,
        "db_ms_per_request": 1000 * (cpu_seconds(service[1]) - db_cpu) / requests,
    }


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk2_uncorrected(out: str) -> dict:
    """p50/p90/p99/max of wrk2's ``-U`` histogram (latency from the actual send) in its output."""
    section = out.split("Uncorrected Latency", 1)[1]
    wanted = {"50.000%": "p50_ms", "90.000%": "p90_ms", "99.000%": "p99_ms", "100.000%": "max_ms"}
    figures = {}
    for line in section.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in wanted and parts[0] not in figures:
            value = parts[1]
            unit = next(u for u in ("us", "ms", "s", "m") if value.endswith(u))
            figures[parts[0]] = float(value[: -len(unit)]) * _UNIT_MS[unit]
    return {name: figures[pct] for pct, name in wanted.items()}
