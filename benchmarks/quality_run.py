"""Benchmark: the quality run on a demo city, next to the dbt build it checks.

    .venv/bin/python -m benchmarks.quality_run --persons 100000

Generates and ingests a demo city in a throwaway hub home (embedded PostgreSQL unless
HUB_DATABASE_URL is set), times ``hub build`` (dbt + linkage), then ``run_quality`` without and
with the HTML report / GX Data Docs, and prints the figures as JSON. Target: checking takes less
than a quarter of the build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--keep", action="store_true", help="keep the hub home afterwards")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="hub-bench-quality-"))
    home.chmod(0o755)
    os.environ["HUB_HOME"] = str(home)
    os.environ.setdefault("HUB_PG_PORT", str(_free_port()))
    from hub.database.connection import database_url, to_libpq
    from hub.database.embedded import EmbeddedPostgres
    from hub.demo.load import load_demo_city
    from hub.libraries.build import build_libraries
    from hub.settings import get_settings
    from quality.run import run_quality

    settings = get_settings()
    server = None if settings.database_url else EmbeddedPostgres(settings)
    try:
        if server:
            server.start()
        url = to_libpq(database_url(settings))
        started = time.perf_counter()
        load_demo_city(settings, url, persons=args.persons, seed=args.seed, build=False)
        generate_ingest = time.perf_counter() - started
        started = time.perf_counter()
        build_libraries(settings, ephemeral=True)
        build = time.perf_counter() - started
        started = time.perf_counter()
        checks = run_quality(settings, report=False)
        quality = time.perf_counter() - started
        started = time.perf_counter()
        with_report = run_quality(settings, report=True)
        quality_report = time.perf_counter() - started
        figures = {
            "persons": args.persons,
            "generate_and_ingest_s": round(generate_ingest, 1),
            "build_s": round(build, 1),
            "quality_s": round(quality, 1),
            "quality_stages_s": {k: round(v, 1) for k, v in checks.seconds.items()},
            "quality_with_report_s": round(quality_report, 1),
            "report_stages_s": {k: round(v, 1) for k, v in with_report.seconds.items()},
            "quality_over_build": round(quality / build, 3),
            "quality_with_report_over_build": round(quality_report / build, 3),
            "expectations": len(checks.outcomes),
            "anomalies": len(checks.anomalies),
        }
        print(json.dumps(figures, indent=2))
    finally:
        if server:
            server.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
