"""Candidate pairs: the union of the rules, each pair once, only pairs the link type allows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.blocking import candidate_pairs, possible_pairs, random_pairs
from matching.config import BlockingRule


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "given": ["ann", "ann", "bob", "smith", None],
            "surname": ["smith", "smith", "jones", "ann", "smith"],
            "dob": ["1990", "1991", "1990", "1992", "1990"],
        }
    )


def pairs(rules, source=None, link_type="dedupe") -> set[tuple[int, int]]:
    data = frame()
    source = np.zeros(len(data), "int64") if source is None else np.asarray(source)
    got = candidate_pairs(data, rules, source, link_type)
    return set(zip(got["left"], got["right"], strict=True))


def test_a_rule_pairs_records_equal_on_all_its_columns_and_never_on_null():
    assert pairs([BlockingRule(columns=["given", "surname"])]) == {(0, 1)}
    assert pairs([BlockingRule(columns=["given"])]) == {(0, 1)}


def test_the_union_keeps_each_pair_once_with_the_first_rule_that_found_it():
    data = frame()
    rules = [BlockingRule(columns=["surname"]), BlockingRule(columns=["dob"])]
    got = candidate_pairs(data, rules, np.zeros(5, "int64"), "dedupe")
    assert len(got) == len(set(zip(got["left"], got["right"], strict=True)))
    found = dict(zip(zip(got["left"], got["right"], strict=True), got["match_key"], strict=True))
    assert found[(0, 4)] == 0  # surname and dob both agree: the first rule is recorded
    assert found[(2, 4)] == 1


def test_against_pairs_swapped_columns():
    rule = BlockingRule(columns=["given", "surname"], against=["surname", "given"])
    assert pairs([rule]) == {(0, 3), (1, 3)}


def test_link_only_pairs_across_sources_only():
    rule = BlockingRule(columns=["dob"])
    assert pairs([rule], source=[0, 1, 1, 0, 0], link_type="link_only") == {(0, 2), (2, 4)}
    assert pairs([rule], source=[0, 1, 1, 0, 0], link_type="dedupe") == {(0, 4)}
    assert pairs([rule], source=[0, 1, 1, 0, 0], link_type="link_and_dedupe") == {
        (0, 2),
        (0, 4),
        (2, 4),
    }


def test_random_pairs_respect_the_link_type_and_possible_pairs_counts():
    source = np.array([0] * 30 + [1] * 20)
    sample = random_pairs(source, "link_only", 500, seed=1)
    assert len(sample) == 500
    assert (source[sample["left"]] != source[sample["right"]]).all()
    assert possible_pairs(source, "link_only") == 600
    assert possible_pairs(source, "dedupe") == 435 + 190
