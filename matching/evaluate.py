"""Pairwise precision, recall and F1 of a linkage against labelled truth, and cluster counts.

Truth comes as true pairs or as a true cluster label per record (every two records of a
cluster are a true pair). A predicted pair is one the engine decided to link; pairs sent to
review count as not linked, so the figures are what the hub does without a steward.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from matching.engine import LinkResult, link


@dataclass(frozen=True)
class PairwiseScores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else 1.0


def _keys(left, right) -> pd.Index:
    """Unordered pair keys: the same two ids in either order give one key."""
    left = pd.Series(left, dtype=object).astype(str).to_numpy()
    right = pd.Series(right, dtype=object).astype(str).to_numpy()
    low = np.where(left <= right, left, right)
    high = np.where(left <= right, right, left)
    return pd.Index(pd.Series(low, dtype=object) + "\x1f" + pd.Series(high, dtype=object)).unique()


def pairs_from_clusters(ids, labels) -> pd.DataFrame:
    """Every pair of records sharing a (non-null) cluster label, each pair once."""
    frame = pd.DataFrame({"id": np.asarray(ids, dtype=object), "label": labels}).dropna()
    frame["order"] = np.arange(len(frame))
    joined = frame.merge(frame, on="label", suffixes=("_l", "_r"))
    joined = joined[joined["order_l"] < joined["order_r"]]
    return pd.DataFrame({"left": joined["id_l"].to_numpy(), "right": joined["id_r"].to_numpy()})


def pairwise_scores(predicted: pd.DataFrame, truth: pd.DataFrame) -> PairwiseScores:
    """Compare predicted and true pairs (columns ``left``, ``right``; order within a pair free)."""
    found = _keys(predicted["left"], predicted["right"])
    real = _keys(truth["left"], truth["right"])
    hits = int(found.isin(real).sum())
    return PairwiseScores(hits, len(found) - hits, len(real) - hits)


@dataclass(frozen=True)
class Evaluation:
    """What ``hub evaluate-linkage`` prints for one labelled dataset."""

    dataset: str
    records: int
    candidate_pairs: int
    links: int
    review: int
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    clusters: int
    true_clusters: int
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


def evaluate(
    result: LinkResult, truth: pd.DataFrame, true_clusters: int, dataset: str, seconds: float
) -> Evaluation:
    """Score a finished linkage against true pairs."""
    scores = pairwise_scores(result.links, truth)
    decisions = result.pairs["decision"].value_counts()
    return Evaluation(
        dataset=dataset,
        records=len(result.clusters),
        candidate_pairs=len(result.pairs),
        links=int(decisions.get("link", 0)),
        review=int(decisions.get("review", 0)),
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        true_positives=scores.true_positives,
        false_positives=scores.false_positives,
        false_negatives=scores.false_negatives,
        clusters=int(result.clusters["cluster"].nunique()),
        true_clusters=true_clusters,
        seconds=seconds,
    )


def evaluate_dataset(name: str) -> tuple[Evaluation, LinkResult]:
    """Load a labelled dataset, link it with its settings file, and score the result."""
    from matching.datasets import load_labelled

    data = load_labelled(name)
    start = time.perf_counter()
    result = link(data.frame, data.settings)
    seconds = time.perf_counter() - start
    return evaluate(result, data.true_pairs, data.true_clusters, name, seconds), result
