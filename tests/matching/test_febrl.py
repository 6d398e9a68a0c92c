"""The engine on the public FEBRL benchmarks, configured only through settings files."""

from __future__ import annotations

import pytest

from matching.evaluate import evaluate_dataset, pairs_from_clusters, pairwise_scores


def test_febrl4_links_almost_all_true_pairs_and_nothing_else():
    figures, _ = evaluate_dataset("febrl4")
    assert figures.f1 >= 0.999
    assert figures.false_positives <= 2


@pytest.mark.slow
def test_febrl3_deduplicates_with_high_f1():
    figures, _ = evaluate_dataset("febrl3")
    assert figures.f1 >= 0.995


def test_pairwise_scores_ignore_the_order_within_a_pair():
    import pandas as pd

    truth = pairs_from_clusters(["a", "b", "c", "d"], [1, 1, 1, None])
    assert len(truth) == 3
    predicted = pd.DataFrame({"left": ["b", "a", "d"], "right": ["a", "c", "a"]})
    scores = pairwise_scores(predicted, truth)
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (2, 1, 1)
