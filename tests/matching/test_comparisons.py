"""Each comparator gives every pair its level, vectorised; null is -1, 'else' the last."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.comparisons import NULL_LEVEL, comparison_levels, scores
from matching.config import Comparison
from matching.prepare import derive, encode, shared_codes


def levels(spec: dict, values: list, left: list[int], right: list[int], **others) -> list[int]:
    comparison = Comparison.model_validate(spec)
    column = encode(pd.Series(values), comparison.kind, comparison.date_format)
    extra = {}
    if others:
        frame = pd.DataFrame({"main": values, **others})
        for name in others:
            mine, theirs = shared_codes(frame, "main", name)
            column = column.__class__(
                column.strings,
                np.where(column.codes >= 0, mine, -1),
                column.frequency,
                column.days,
                column.numbers,
            )
            extra[name] = encode(frame[name]).__class__(
                encode(frame[name]).strings, theirs, encode(frame[name]).frequency
            )
    return comparison_levels(comparison, column, np.array(left), np.array(right), extra).tolist()


def test_string_levels_exact_then_jaro_winkler_then_else_and_null():
    spec = {
        "name": "n",
        "column": "n",
        "levels": [{"exact": True}, {"scorer": "jaro_winkler", "at_least": 0.9}],
    }
    values = ["martha", "martha", "marhta", "zed", None]
    assert levels(spec, values, [0, 0, 0, 0], [1, 2, 3, 4]) == [0, 1, 2, NULL_LEVEL]


def test_distance_scorer_levels():
    spec = {
        "name": "id",
        "column": "id",
        "levels": [
            {"exact": True},
            {"scorer": "damerau_levenshtein", "at_most": 1},
            {"scorer": "damerau_levenshtein", "at_most": 2},
        ],
    }
    values = ["1234567", "1234576", "1234500", "9999999"]
    assert levels(spec, values, [0, 0, 0], [1, 2, 3]) == [1, 2, 3]


def test_date_levels_transposed_and_within_days():
    spec = {
        "name": "d",
        "column": "d",
        "kind": "date",
        "levels": [
            {"exact": True},
            {"transposed_day_month": True},
            {"within_days": 31},
            {"same_year_month": True},
        ],
    }
    values = ["19900305", "19900503", "19900320", "19900415", "not a date"]
    assert levels(spec, values, [0, 0, 0, 0], [1, 2, 3, 4]) == [1, 2, 4, NULL_LEVEL]


def test_numeric_within():
    spec = {"name": "x", "column": "x", "kind": "numeric", "levels": [{"within": 1.5}]}
    assert levels(spec, ["10", "11", "13"], [0, 0], [1, 2]) == [0, 1]


def test_exact_with_another_column_catches_swapped_names():
    spec = {
        "name": "surname",
        "column": "main",
        "levels": [{"exact": True}, {"exact_with": "given"}],
    }
    got = levels(spec, ["smith", "john", "brown"], [0, 0], [1, 2], given=["john", "smith", "ann"])
    assert got == [1, 2]


def test_scores_use_the_named_scorer_and_processor():
    left = np.array(["Wang Fang", "abc"], dtype=object)
    right = np.array(["wang fang", "abd"], dtype=object)
    assert scores(left, right, "ratio", processor="default")[0] == 100
    assert scores(left, right, "levenshtein").tolist() == [2, 1]


def test_repeated_value_pairs_get_the_same_level_as_computed_alone():
    from matching.comparisons import _levels_of

    spec = {
        "name": "n",
        "column": "n",
        "levels": [{"exact": True}, {"scorer": "jaro_winkler", "at_least": 0.85}],
    }
    comparison = Comparison.model_validate(spec)
    rng = np.random.default_rng(0)
    column = encode(pd.Series(rng.choice(["anna", "anne", "ann", "bob", None], 400)))
    left, right = rng.integers(0, 400, 5000), rng.integers(0, 400, 5000)
    shared = comparison_levels(comparison, column, left, right)
    alone = _levels_of(comparison, column, left, right, {})
    assert (shared == alone).all()


def test_derived_soundex_and_first_letters():
    from matching.config import DerivedKey

    names = pd.Series(["Robert", "Rupert", "  ", None])
    assert derive(names, DerivedKey(name="s", column="n", transform="soundex")).tolist()[:2] == [
        "R163",
        "R163",
    ]
    first = derive(names, DerivedKey(name="f", column="n", transform="first", length=2))
    assert first.tolist() == ["Ro", "Ru", None, None]
