"""Person and entity linkage of a big demo city: pairs compared per second, wall time, memory.

    .venv/bin/python -m benchmarks.linkage_city --database-url URL --truth DIR [--json]
    .venv/bin/python -m benchmarks.linkage_city --persons 100000      # builds a city first

Reads the mentions of a built city (``intermediate.int_person_mentions`` /
``int_entity_mentions``) as the link step does and times ``link_persons`` and ``link_entities``
end to end (valid keys, repaired keys, exact rules, then the matching engine with
``matching/settings/person.yaml`` / ``legal_entity.yaml`` on the mentions without a usable key,
training included). Pairs compared are the engine's candidate pairs (mentions and training rows
against anchor rows). Peak memory is the process's maximum resident set size after the run.
With the truth folder the pairwise precision / recall / F1 against the generator's truth are
printed too.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import psycopg
import typer

from hub.linkage.entities import link_entities
from hub.linkage.evaluate_demo import read_mentions, temporary_city
from hub.linkage.persons import link_persons
from matching.evaluate import pairs_from_clusters, pairwise_scores

app = typer.Typer(add_completion=False)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score(members: pd.DataFrame, mentions: pd.DataFrame, truth: pd.DataFrame, subject: str):
    scored = members.merge(
        mentions[["mention_id", "extract", "file_name", "source_row", "role"]], on="mention_id"
    ).merge(truth[truth["subject"] == subject], on=["extract", "file_name", "source_row", "role"])
    s = pairwise_scores(
        pairs_from_clusters(scored["mention_id"], scored["cluster"]),
        pairs_from_clusters(scored["mention_id"], scored["key"]),
    )
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1}


def run(database_url: str, truth_dir: Path | None) -> dict:
    start = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        persons = read_mentions(conn, "person")
        entities = read_mentions(conn, "legal_entity")
    read_seconds = time.perf_counter() - start
    out = {"read_seconds": read_seconds}
    for subject, frame, fn in (
        ("person", persons, link_persons),
        ("legal_entity", entities, link_entities),
    ):
        start = time.perf_counter()
        decisions = fn(frame)
        seconds = time.perf_counter() - start
        stats = getattr(decisions, "stats", {}) or {}
        pairs = stats.get("candidate_pairs", 0)
        engine = sum(v for k, v in stats.items() if k.startswith("seconds_"))
        figures = {
            "mentions": len(frame),
            "wall_seconds": round(seconds, 2),
            "engine_records": stats.get("engine_records", 0),
            "candidate_pairs": pairs,
            "engine_seconds": round(engine, 2),
            "pairs_per_second": round(pairs / engine) if engine else None,
            "clusters": int(decisions.members["cluster"].nunique()),
            "review_mentions": int(decisions.review["mention_id"].nunique())
            if len(decisions.review)
            else 0,
            "by_method": {
                str(k): int(v) for k, v in decisions.members["method"].value_counts().items()
            },
            "peak_rss_mb": round(_peak_mb()),
        }
        if truth_dir is not None:
            truth = pd.read_csv(Path(truth_dir) / "mentions.csv", dtype=str)
            figures.update(_score(decisions.members, frame, truth, subject))
        out[subject] = figures
    return out


@app.command()
def main(
    database_url: Annotated[str | None, typer.Option(help="A built demo city.")] = None,
    truth: Annotated[Path | None, typer.Option(help="Its truth folder (for P/R/F1).")] = None,
    persons: Annotated[
        int, typer.Option(help="Without --database-url: build a city this big.")
    ] = 100_000,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    if database_url is None:
        with temporary_city(persons) as (url, truth_dir):
            figures = run(url, truth_dir)
    else:
        figures = run(database_url, truth)
    print(json.dumps(figures, indent=2) if as_json else json.dumps(figures, indent=1))


if __name__ == "__main__":
    app()
