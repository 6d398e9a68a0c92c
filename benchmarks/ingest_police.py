"""Benchmark: stage the police register of a demo city, next to a bare ``psql \\copy``.

    .venv/bin/python -m benchmarks.ingest_police --persons 1000000

Prints rows/second for parse+validate alone, for the whole delivery (read, decode, validate,
quarantine, COPY, commit), and for a bare ``psql \\copy`` of the same rows into a plain table of
text columns, with the peak memory of each. Each measurement runs in its own process so that
peak memory is that step's own. Uses the embedded database of a throwaway hub home unless
HUB_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_LABEL = "bare psql \\copy, same rows"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_parse_validate(path: str) -> dict:
    from data_contracts import load_contract
    from hub.ingest.mapping import map_columns
    from hub.ingest.readers import open_delivery
    from hub.ingest.validate import ChunkValidator
    from hub.settings import get_settings

    contract = load_contract("gaj_rkxx")
    started = time.perf_counter()
    reader = open_delivery(Path(path), contract)
    mapping = map_columns(reader.columns, contract, Path(path).name)
    from hub.database.schema import staging_columns

    columns = [name for name, _ in staging_columns(contract)]
    validator = ChunkValidator(contract, mapping, reader.columns, columns, 1)
    staged = quarantined = 0
    for chunk in reader.chunks(get_settings().ingest_chunk_rows):
        checked = validator.validate(chunk)
        staged += checked.staged.num_rows
        quarantined += len(checked.quarantined)
    seconds = time.perf_counter() - started
    return {
        "rows": staged + quarantined,
        "staged": staged,
        "quarantined": quarantined,
        "seconds": seconds,
        "peak_mb": _peak_mb(),
    }


def step_ingest(path: str, conninfo: str) -> dict:
    from hub.ingest.load import ingest_file
    from hub.settings import get_settings

    started = time.perf_counter()
    result = ingest_file(Path(path), "gaj_rkxx", conninfo, get_settings())
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker processes
    return {
        "rows": result.rows_read,
        "staged": result.rows_staged,
        "quarantined": result.rows_quarantined,
        "status": result.status,
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "cpu_main": own.ru_utime + own.ru_stime,
        "cpu_workers": children.ru_utime + children.ru_stime,
    }


def step_bare_copy(path: str, conninfo: str, psql: str) -> dict:
    utf8 = Path(path).with_suffix(".utf8.csv")
    utf8.write_text(Path(path).read_bytes().decode("gb18030"), encoding="utf-8")
    header = utf8.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{c.lower()}" text' for c in header)
    subprocess.run(
        [
            psql,
            conninfo,
            "-qc",
            f"drop table if exists bench_bare_copy; create table bench_bare_copy ({columns})",
        ],
        check=True,
    )
    started = time.perf_counter()
    subprocess.run(
        [
            psql,
            conninfo,
            "-qc",
            f"\\copy bench_bare_copy from '{utf8}' with (format csv, header true)",
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    rows = int(
        subprocess.run(
            [psql, conninfo, "-tAc", "select count(*) from bench_bare_copy"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    subprocess.run([psql, conninfo, "-qc", "drop table bench_bare_copy"], check=True)
    return {"rows": rows, "seconds": seconds}


def _run_step(name: str, *args: str, home: Path) -> dict:
    env = {**os.environ, "HUB_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_police", "--step", name, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--file", help="Use this police-register file instead of generating one.")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        steps = {
            "parse_validate": step_parse_validate,
            "ingest": step_ingest,
            "bare_copy": step_bare_copy,
        }
        print(json.dumps(steps[options.step](*options.args)))
        return

    from hub.database.connection import to_libpq
    from hub.database.embedded import EmbeddedPostgres, find_bindir
    from hub.demo import generate_city
    from hub.settings import get_settings

    settings = get_settings()
    work = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    work.chmod(0o755)
    try:
        started = time.perf_counter()
        if options.file:
            path = options.file
        else:
            manifest = generate_city(work / "city", options.persons, extracts={"gaj_rkxx"})
            path = str(next(p for e, p in manifest.files if e == "gaj_rkxx"))
        generated = time.perf_counter() - started
        if settings.database_url:
            conninfo = to_libpq(settings.database_url)
            server = None
        else:
            bench_settings = settings.model_copy(
                update={"home": work / "home", "pg_port": settings.pg_port + 1}
            )
            server = EmbeddedPostgres(bench_settings)
            server.start()
            conninfo = server.conninfo()
        psql = (
            str(find_bindir(settings) / "psql")
            if (find_bindir(settings) / "psql").exists()
            else "psql"
        )
        try:
            home = work / "home"
            load_before = os.getloadavg()
            parse = _run_step("parse_validate", path, home=home)
            ingest = _run_step("ingest", path, conninfo, home=home)
            bare = _run_step("bare_copy", path, conninfo, psql, home=home)
            load_after = os.getloadavg()
        finally:
            if server:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = ingest["rows"]
    print(
        f"police register of a {options.persons:,}-person demo city: {rows:,} rows (generated in {generated:.1f} s)"
    )
    print(f"{'step':<34}{'seconds':>9}{'rows/s':>12}{'peak MB':>10}")
    print(
        f"{'parse + validate (no database)':<34}{parse['seconds']:>9.2f}{parse['rows'] / parse['seconds']:>12,.0f}{parse['peak_mb']:>10.0f}"
    )
    print(
        f"{'whole delivery staged (hub ingest)':<34}{ingest['seconds']:>9.2f}{rows / ingest['seconds']:>12,.0f}{ingest['peak_mb']:>10.0f}"
    )
    print(
        f"{BARE_LABEL:<34}{bare['seconds']:>9.2f}{bare['rows'] / bare['seconds']:>12,.0f}{'':>10}"
    )
    print(
        f"hub ingest CPU seconds: loading process {ingest['cpu_main']:.1f} (imports included), "
        f"worker processes {ingest['cpu_workers']:.1f}"
    )
    print(
        f"staged {ingest['staged']:,}, quarantined {ingest['quarantined']:,}; hub ingest speed = {bare['seconds'] / ingest['seconds']:.2f} × bare COPY"
    )
    # The machine may be shared: timings mean little when other work keeps the cores busy.
    print(
        f"load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
