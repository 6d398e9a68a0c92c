"""Comparators: the level of every pair for one comparison, vectorised over pair arrays.

A comparison's levels are tried top to bottom; a pair takes the first level it satisfies,
else the 'else' level (index ``len(levels)``), and -1 when either value is null (no evidence
either way). String similarities are computed by ``rapidfuzz.process.cpdist`` (element-wise
over the paired arrays, in C++, on all cores) with an explicit scorer, processor and
score_cutoff, and only for the pairs that no earlier level has already decided.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import (
    OSA,
    DamerauLevenshtein,
    Hamming,
    Jaro,
    JaroWinkler,
    LCSseq,
    Levenshtein,
)

from matching.config import Comparison, Level
from matching.prepare import Column

NULL_LEVEL = -1

SCORERS: dict[str, Callable] = {
    "jaro_winkler": JaroWinkler.similarity,
    "jaro": Jaro.similarity,
    "ratio": fuzz.ratio,
    "partial_ratio": fuzz.partial_ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "wratio": fuzz.WRatio,
    "levenshtein": Levenshtein.distance,
    "damerau_levenshtein": DamerauLevenshtein.distance,
    "hamming": Hamming.distance,
    "osa": OSA.distance,
    "lcs_distance": LCSseq.distance,
}
PROCESSORS = {"none": None, "default": utils.default_process}


def scores(
    left: np.ndarray,
    right: np.ndarray,
    scorer: str,
    processor: str = "none",
    score_cutoff: float | None = None,
) -> np.ndarray:
    """Element-wise scores of two equally long string arrays (no None) with one rapidfuzz scorer.

    Similarities below ``score_cutoff`` come back as 0, distances above it as cutoff + 1:
    rapidfuzz stops early on hopeless pairs, and the levels only ask "at least / at most".
    """
    if len(left) == 0:
        return np.empty(0, dtype="float64")
    return process.cpdist(
        left,
        right,
        scorer=SCORERS[scorer],
        processor=PROCESSORS[processor],
        score_cutoff=score_cutoff,
        dtype=np.float64,
        workers=-1,
    )


def _cutoffs(comparison: Comparison) -> dict[str, float]:
    """The loosest bound asked of each scorer: the score_cutoff that loses no level."""
    out: dict[str, float] = {}
    for level in comparison.levels:
        if level.scorer is None:
            continue
        if level.at_least is not None:
            out[level.scorer] = min(out.get(level.scorer, level.at_least), level.at_least)
        else:
            out[level.scorer] = max(out.get(level.scorer, level.at_most), level.at_most)
    return out


def _test(
    level: Level,
    column: Column,
    others: dict[str, Column],
    li: np.ndarray,
    ri: np.ndarray,
    got: np.ndarray | None,
) -> np.ndarray:
    """Boolean per pair (over the undecided pairs li, ri) for one level; ``got`` the scores."""
    if level.exact:
        return column.codes[li] == column.codes[ri]
    if level.scorer is not None:
        return got >= level.at_least if level.at_least is not None else got <= level.at_most
    if level.within_days is not None:
        return np.abs(column.days[li] - column.days[ri]) <= level.within_days
    if level.same_year_month:
        months = column.days.astype("datetime64[D]").astype("datetime64[M]")
        return months[li] == months[ri]
    if level.transposed_day_month:
        dates = column.days.astype("datetime64[D]")
        years = dates.astype("datetime64[Y]")
        months = dates.astype("datetime64[M]")
        month = (months - years).astype("int64") + 1
        day = (dates - months).astype("int64") + 1
        return (
            (years[li] == years[ri])
            & (month[li] == day[ri])
            & (day[li] == month[ri])
            & (month[li] != day[li])
        )
    if level.within is not None:
        return np.abs(column.numbers[li] - column.numbers[ri]) <= level.within
    if level.exact_with is not None:
        other = others[level.exact_with]
        return (column.codes[li] >= 0) & (column.codes[li] == other.codes[ri]) | (
            (column.codes[ri] >= 0) & (column.codes[ri] == other.codes[li])
        )
    raise AssertionError(level)


def _levels_of(
    comparison: Comparison,
    column: Column,
    left: np.ndarray,
    right: np.ndarray,
    others: dict[str, Column],
) -> np.ndarray:
    cutoffs = _cutoffs(comparison)
    out = np.full(len(left), len(comparison.levels), dtype="int8")
    null = (column.codes[left] < 0) | (column.codes[right] < 0)
    out[null] = NULL_LEVEL
    undecided = np.flatnonzero(~null)
    # a scorer's scores are computed once, at its first level, over the pairs still undecided
    # then; its later (looser) levels only ever look at a subset of those
    scored: dict[str, np.ndarray] = {}
    for number, level in enumerate(comparison.levels):
        if len(undecided) == 0:
            break
        li, ri = left[undecided], right[undecided]
        got = None
        if level.scorer is not None:
            if level.scorer not in scored:
                scored[level.scorer] = np.full(len(left), np.nan)
                scored[level.scorer][undecided] = scores(
                    column.strings[li],
                    column.strings[ri],
                    level.scorer,
                    comparison.processor,
                    cutoffs[level.scorer],
                )
            got = scored[level.scorer][undecided]
        hit = _test(level, column, others, li, ri, got)
        out[undecided[hit]] = number
        undecided = undecided[~hit]
    return out


def comparison_levels(
    comparison: Comparison,
    column: Column,
    left: np.ndarray,
    right: np.ndarray,
    others: dict[str, Column] | None = None,
) -> np.ndarray:
    """The level (int8) of each pair (left[k], right[k]) for one comparison.

    Pairs of records holding the same two values get the same level, so levels are computed
    once per distinct (unordered) pair of values and spread back. ``others`` holds the columns
    named by ``exact_with`` levels, with codes shared with ``column`` (``prepare.shared_codes``);
    those levels look beyond the compared value, so they are computed per record pair.
    """
    others = others or {}
    if others or len(left) == 0:
        return _levels_of(comparison, column, left, right, others)
    a, b = column.codes[left], column.codes[right]
    width = int(column.codes.max(initial=0)) + 2
    key = (np.minimum(a, b) + 1) * width + (np.maximum(a, b) + 1)
    distinct, uniques = pd.factorize(key)  # hashing: O(pairs), no sort
    if len(uniques) > 0.7 * len(key):
        return _levels_of(comparison, column, left, right, others)
    # one record holding each value stands for all records holding it
    holder = np.zeros(width, dtype="int64")
    holder[column.codes + 1] = np.arange(len(column.codes))
    lo, hi = uniques // width, uniques % width
    levels = _levels_of(comparison, column, holder[lo], holder[hi], others)
    return levels[distinct]
