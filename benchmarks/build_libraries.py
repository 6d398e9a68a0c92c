"""Benchmark: build the subject libraries for a demo city; time per layer and in total.

    .venv/bin/python -m benchmarks.build_libraries --persons 1000000

Generates the city (or reuses one with --reuse), ingests it into a fresh database on the
embedded server (or HUB_DATABASE_URL's server), then runs the layers as the Dagster assets do —
dbt standardize + mentions, linkage, dbt libraries + history + tests — timing each from dbt's
own run_results.json. ``--change 0.01`` then delivers a police snapshot in which 1% of persons
changed name and times the rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg

from hub.database.connection import connect, database_url, to_libpq
from hub.demo import generate_city
from hub.ingest.load import ingest_file
from hub.libraries.dbt import (
    PROJECT_DIR,
    apply_dbt_env,
    build_arguments,
    dbt_executable,
    prepare_database,
    record_build,
)
from hub.linkage.run import LinkSummary, link_subject
from hub.linkage.stage import LinkStageFailed, run_link_stage
from hub.settings import get_settings

MENTIONS = ["--select", "tag:standardize", "tag:mentions"]
LIBRARIES = ["--exclude", "tag:standardize", "tag:mentions"]


def dbt(args: list[str]) -> dict[str, float]:
    """Run dbt; seconds per layer (folder or resource type) from run_results.json."""
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--quiet",
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=PROJECT_DIR, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dbt failed:\n{done.stdout}\n{done.stderr}")
    results = json.loads((PROJECT_DIR / "target" / "run_results.json").read_text())
    layers: dict[str, float] = defaultdict(float)
    for r in results["results"]:
        uid = r["unique_id"]
        kind = uid.split(".")[0]
        if kind == "operation":  # the on-run-start hook (creates the basis tables): in the wall
            continue
        if kind == "model":
            layer = "marts" if ".marts." in uid or uid.count(".") == 2 else "?"
            for name in ("staging", "intermediate", "marts"):
                if f"model.hub.{name}" in uid or "stg_" in uid and name == "staging":
                    layer = name
            if uid.split(".")[-1].startswith("stg_"):
                layer = "staging"
            elif uid.split(".")[-1].startswith("int_"):
                layer = "intermediate"
            else:
                layer = "marts"
        else:
            layer = {"test": "dbt tests", "snapshot": "history (snapshots)", "seed": "seeds"}.get(
                kind, kind
            )
        layers[layer] += r["execution_time"]
    layers["(dbt wall, incl. start-up)"] = wall
    return dict(layers)


def timed(label: str, fn, figures: dict):
    started = time.perf_counter()
    out = fn()
    figures[label] = time.perf_counter() - started
    print(f"  {label}: {figures[label]:.1f} s", flush=True)
    return out


def staged_dbt(stage: str, selection: list[str]) -> dict[str, float]:
    """``dbt build`` of one stage as the Dagster asset runs it: from scratch when the project
    changed since the stage was last built (``build_arguments``), else incrementally."""
    url = to_libpq(database_url(get_settings()))
    with connect(url) as conn:
        arguments = build_arguments(conn, stage)
    if arguments:
        print(f"  {stage}: dbt project changed since the last build: full refresh", flush=True)
    layers = dbt(["build", *selection, *arguments])
    with connect(url) as conn:
        record_build(conn, stage)
    return layers


def build(figures: dict) -> float:
    started = time.perf_counter()
    for layer, seconds in staged_dbt("mentions", MENTIONS).items():
        figures[f"standardize+mentions: {layer}"] = seconds
    # the link stage as the Dagster asset runs it: persons here, entities and addresses beside
    url = to_libpq(database_url(get_settings()))
    timed("link stage (wall)", lambda: link_stage(url, figures), figures)
    for layer, seconds in staged_dbt("libraries", LIBRARIES).items():
        figures[f"libraries: {layer}"] = seconds
    return time.perf_counter() - started


STEP_LABELS = {
    "person": "link persons",
    "legal_entity": "link entities",
    "address": "address match",
}


def link_stage(url: str, figures: dict) -> None:
    """``run_link_stage``, each step's seconds recorded under its label (they overlap: the
    stage's wall time is about the longest of them, not their sum)."""
    for step, outcome in run_link_stage(url).items():
        if not outcome.ok:
            raise LinkStageFailed(f"{step}:\n{outcome.error}")
        label = f"link stage: {STEP_LABELS[step]}"
        figures[label] = outcome.seconds
        print(f"    {label}: {outcome.seconds:.1f} s", flush=True)
        if isinstance(outcome.result, LinkSummary) and outcome.result.kept:
            print("      nothing linkage reads had changed: the links were kept", flush=True)


def linkage_again(url: str) -> None:
    """Both linkages run again with nothing changed since the rebuild: the links are kept
    (``link.link_basis``); prints what that costs (mostly the fingerprint's scan)."""
    print("linkage again, nothing changed:")
    for subject in ("person", "legal_entity"):
        with connect(url) as conn:
            started = time.perf_counter()
            summary = link_subject(conn, subject)
        kept = "links kept" if summary.kept else "LINKED AGAIN"
        print(f"  {subject:55s} {time.perf_counter() - started:8.1f} s  ({kept})", flush=True)


def change_names(police: Path, share: float, out: Path, seed: int = 1) -> int:
    lines = police.read_text(encoding="gb18030").splitlines()
    rng = random.Random(seed)
    changed = 0
    for i in range(1, len(lines)):
        if rng.random() < share:
            cols = lines[i].split(",")
            cols[1] = cols[1] + "新"
            lines[i] = ",".join(cols)
            changed += 1
    out.write_text("\n".join(lines) + "\n", encoding="gb18030")
    return changed


def machine_probe() -> float:
    """Seconds for a fixed single-core Python loop, best of three: this machine's speed at the
    moment, printed with the figures. The same code ran 1.7× slower on one day than on another
    here, so figures from different runs compare only with their probes."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(50_000_000))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--reuse", type=Path, help="an already generated city folder")
    parser.add_argument(
        "--change", type=float, default=0.01, help="share of persons renamed; 0: no rebuild"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--rebuild",
        metavar="DATABASE",
        help="only the rebuild: deliver the changed snapshot into this database, which a "
        "--keep run built from the same --reuse city, and time the build after it",
    )
    args = parser.parse_args()
    settings = get_settings()
    admin = psycopg.connect(
        to_libpq(database_url(settings)).rsplit("/", 1)[0] + "/postgres", autocommit=True
    )
    name = args.rebuild or f"bench_{uuid.uuid4().hex[:8]}"
    if not args.rebuild:
        admin.execute(f'create database "{name}"')
    url = to_libpq(database_url(settings)).rsplit("/", 1)[0] + "/" + name
    os.environ["HUB_DATABASE_URL"] = url
    get_settings.cache_clear()
    settings = get_settings()
    apply_dbt_env(settings)
    figures: dict[str, float] = {}
    out = args.reuse or Path(f"/tmp/bench_city_{args.persons}")
    print(f"city of {args.persons:,} persons in {out}; database {name}", flush=True)
    print(f"machine probe (50M-step Python loop, best of 3): {machine_probe():.2f} s", flush=True)
    if args.reuse:
        files = sorted((p.parent.name, p) for p in out.glob("*/*") if p.parent.name != "truth")
    else:
        manifest = timed("generate", lambda: generate_city(out, args.persons), figures)
        files = manifest.files
    if args.rebuild:
        rebuild(args, files, url, settings, admin)
        return

    def ingest_all():
        return [ingest_file(p, e, url, settings) for e, p in files]

    results = timed("ingest (all extracts)", ingest_all, figures)
    print(f"  staged rows: {sum(r.rows_staged for r in results):,}", flush=True)
    with connect(url, autocommit=True) as conn:
        prepare_database(conn)
    total = build(figures)
    with connect(url) as conn:
        persons = conn.execute("select count(*) from hub.person").fetchone()[0]
    print(f"\nmachine probe after the build: {machine_probe():.2f} s")
    print(f"full build: {total:.1f} s for {persons:,} golden persons")
    for k, v in figures.items():
        print(f"  {k:55s} {v:8.1f} s")
    if args.change <= 0:
        if args.keep:
            print(f"kept database {name}")
        return
    rebuild(args, files, url, settings, admin)


def rebuild(args, files, url: str, settings, admin) -> None:
    """Deliver a police snapshot in which ``--change`` of persons changed name; time the build.

    The new snapshot is the database's current police snapshot (the city's, or the one an
    earlier ``--rebuild`` delivered) with the names changed, written to ``<city>_changes/``
    beside the city folder, so a city reused later does not deliver it again."""
    name = url.rsplit("/", 1)[1]
    changes = files[0][1].parent.parent.with_name(files[0][1].parent.parent.name + "_changes")
    changes.mkdir(exist_ok=True)
    with connect(url) as conn:
        current = conn.execute(
            "select file_name from staging.delivery where extract = 'gaj_rkxx' "
            "and status = 'loaded' order by delivery_id desc limit 1"
        ).fetchone()
        (seq,) = conn.execute(
            "select count(*) from staging.delivery where extract = 'gaj_rkxx'"
        ).fetchone()
    city_police = next(p for e, p in files if e == "gaj_rkxx")
    police = changes / current[0] if current and (changes / current[0]).exists() else city_police
    # a file name no earlier rebuild wrote (the snapshot read above may be one of them)
    while (changed_file := changes / f"gaj_rkxx_202612{seq % 100:02d}.csv").exists():
        seq += 1
    n = change_names(police, args.change, changed_file, seed=seq)
    re_figures: dict[str, float] = {}
    timed(
        "ingest changed police snapshot",
        lambda: ingest_file(changed_file, "gaj_rkxx", url, settings),
        re_figures,
    )
    retotal = build(re_figures)
    print(f"\nmachine probe after the rebuild: {machine_probe():.2f} s")
    print(f"rebuild after {n:,} changed names ({args.change:.0%}): {retotal:.1f} s")
    for k, v in re_figures.items():
        print(f"  {k:55s} {v:8.1f} s")
    linkage_again(url)
    if args.keep or args.rebuild:
        print(f"kept database {name}")
    else:
        admin.execute(f'drop database "{name}" with (force)')


if __name__ == "__main__":
    main()
