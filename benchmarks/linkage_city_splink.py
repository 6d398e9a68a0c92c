"""Splink 5 (DuckDB) on the person mentions of a built demo city, scored like ``linkage_city``.

    .venv/bin/python -m benchmarks.linkage_city_splink --database-url URL --truth DIR
    .venv/bin/python -m benchmarks.linkage_city_splink --persons 100000   # builds a city first

The same mentions ``benchmarks.linkage_city`` links with the hub's engine (all of
``intermediate.int_person_mentions``, read by ``read_mentions``), deduplicated by Splink with
settings comparable to ``matching/settings/person.yaml``: blocking on the ID as read, phone,
pinyin + birth date, address code + surname; comparisons ID (exact / Levenshtein ≤ 1), name
(exact / Jaro-Winkler ≥ 0.85), pinyin, birth date, sex, phone (exact / Levenshtein ≤ 1), address
code; λ from two exact rules, u by random sampling, m by EM on phone and on pinyin + birth date;
predict and cluster at match probability 0.5. Wall time covers training, predict and
clustering; the candidate pairs are Splink's own count for the blocking rules (not timed).
Peak memory is the process's maximum resident set size (DuckDB runs in the process).
Splink is an optional dependency (extra ``bench``).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import psycopg
import typer

from benchmarks.linkage_city import _peak_mb, _score
from hub.linkage.evaluate_demo import read_mentions, temporary_city

app = typer.Typer(add_completion=False)
THRESHOLD = 0.5
COLUMNS = [
    "mention_id",
    "citizen_id",
    "name",
    "surname",
    "name_phonetic_key",
    "birth_date",
    "sex",
    "phone",
    "address_code",
]


def _frame(mentions: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"mention_id": mentions["mention_id"].astype(str)})
    for column in COLUMNS[1:]:
        source = "citizen_id_as_read" if column == "citizen_id" else column
        if column == "surname":
            values = mentions["name"].astype("string").str.strip().str[:1]
        else:
            values = mentions[source].astype("string").str.strip()
        out[column] = values.replace("", pd.NA)
    return out


def _blocking_rules():
    from splink import block_on

    return [
        block_on("citizen_id"),
        block_on("phone"),
        block_on("name_phonetic_key", "birth_date"),
        block_on("address_code", "surname"),
    ]


def count_pairs(frame: pd.DataFrame) -> int:
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    counts = count_comparisons_from_blocking_rules(
        DuckDBAPI().register(frame),
        blocking_rules=_blocking_rules(),
        link_type="dedupe_only",
        unique_id_column_name="mention_id",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])


def link(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Train, predict, cluster; (members with mention_id/cluster, timings)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    settings = SettingsCreator(
        unique_id_column_name="mention_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=_blocking_rules(),
        comparisons=[
            cl.LevenshteinAtThresholds("citizen_id", [1]),
            cl.JaroWinklerAtThresholds("name", [0.85]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("name_phonetic_key"),
            cl.DateOfBirthComparison(
                "birth_date",
                input_is_string=True,
                datetime_format="%Y-%m-%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("phone", [1]),
            cl.ExactMatch("address_code"),
        ],
    )
    times: dict[str, float] = {}
    start = time.perf_counter()
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("citizen_id"), block_on("name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in (block_on("phone"), block_on("name_phonetic_key", "birth_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    times["train_seconds"] = time.perf_counter() - start
    mark = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    times["predict_seconds"] = time.perf_counter() - mark
    mark = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD
    )
    members = clusters.as_pandas_dataframe()[["mention_id", "cluster_id"]]
    times["cluster_seconds"] = time.perf_counter() - mark
    times["wall_seconds"] = time.perf_counter() - start
    times["predicted_pairs"] = (
        predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    )
    return members.rename(columns={"cluster_id": "cluster"}), times


def run(database_url: str, truth_dir: Path | None, count_only: bool = False) -> dict:
    start = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        mentions = read_mentions(conn, "person")
    out: dict = {"mentions": len(mentions), "read_seconds": round(time.perf_counter() - start, 1)}
    frame = _frame(mentions)
    mark = time.perf_counter()
    out["candidate_pairs"] = count_pairs(frame)
    out["count_seconds"] = round(time.perf_counter() - mark, 1)
    out["peak_rss_mb_after_count"] = round(_peak_mb())
    if count_only:
        return out
    members, times = link(frame)
    out.update({k: round(v, 2) if isinstance(v, float) else v for k, v in times.items()})
    out["pairs_per_second"] = round(out["candidate_pairs"] / times["wall_seconds"])
    out["clusters"] = int(members["cluster"].nunique())
    out["peak_rss_mb"] = round(_peak_mb())
    if truth_dir is not None:
        truth = pd.read_csv(Path(truth_dir) / "mentions.csv", dtype=str)
        out.update(_score(members, mentions, truth, "person"))
    return out


@app.command()
def main(
    database_url: Annotated[str | None, typer.Option(help="A built demo city.")] = None,
    truth: Annotated[Path | None, typer.Option(help="Its truth folder (for P/R/F1).")] = None,
    persons: Annotated[
        int, typer.Option(help="Without --database-url: build a city this big.")
    ] = 100_000,
    count_only: Annotated[bool, typer.Option(help="Only count Splink's candidate pairs.")] = False,
) -> None:
    if database_url is None:
        with temporary_city(persons) as (url, truth_dir):
            figures = run(url, truth_dir, count_only)
    else:
        figures = run(database_url, truth, count_only)
    print(json.dumps(figures, indent=1), flush=True)


if __name__ == "__main__":
    app()
