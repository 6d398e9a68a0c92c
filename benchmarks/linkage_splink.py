"""Splink 5 (DuckDB) on FEBRL3 and FEBRL4 with its own published example settings.

Kept apart from the hub's engine so that the comparison in ``linkage_febrl`` runs both tools
on the same frames, in the same process, with Splink configured as its authors demonstrate
(``docs/demos/examples/duckdb/febrl3`` and ``febrl4``), predicting at match probability 0.5.
Splink is an optional dependency (extra ``bench``); nothing in the hub imports this module.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pandas as pd

THRESHOLD = 0.5


@dataclass(frozen=True)
class SplinkRun:
    """Splink's predicted pairs (record ids, unordered) and what it took to get them."""

    pairs: pd.DataFrame
    seconds: float
    candidate_pairs: int | None


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index().copy()
    for column in out.columns:
        out[column] = out[column].astype("string").str.strip()
    return out


def run_febrl4(left: pd.DataFrame, right: pd.DataFrame) -> SplinkRun:
    """Splink's FEBRL4 example, detailed model: link_only, EM on date of birth and postcode."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    start = time.perf_counter()
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    )
    db_api = DuckDBAPI()
    frames = [db_api.register(_prepared(left)), db_api.register(_prepared(right))]
    linker = Linker(frames, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in ("date_of_birth", "postcode"):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(rule), estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    pairs = predictions.as_pandas_dataframe()[["rec_id_l", "rec_id_r"]]
    seconds = time.perf_counter() - start
    return SplinkRun(
        pairs, seconds, _count_comparisons(db_api, frames, blocking_rules, "link_only")
    )


def run_febrl3(frame: pd.DataFrame) -> SplinkRun:
    """Splink's FEBRL3 example: dedupe_only, EM on date of birth and postcode."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    start = time.perf_counter()
    blocking_rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
    )
    db_api = DuckDBAPI()
    data = db_api.register(_prepared(frame))
    linker = Linker(data, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in ("date_of_birth", "postcode"):
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(rule))
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    pairs = predictions.as_pandas_dataframe()[["rec_id_l", "rec_id_r"]]
    seconds = time.perf_counter() - start
    return SplinkRun(
        pairs, seconds, _count_comparisons(db_api, [data], blocking_rules, "dedupe_only")
    )


def _count_comparisons(db_api, frames, blocking_rules, link_type: str) -> int | None:
    """Splink's own exact count of candidate pairs (outside the timed section)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    del db_api
    counts = count_comparisons_from_blocking_rules(
        frames,
        blocking_rules=blocking_rules,
        link_type=link_type,
        unique_id_column_name="rec_id",
        record_sample_proportion=1.0,
    )
    return int(counts[-1]["cumulative_comparison_count"])
