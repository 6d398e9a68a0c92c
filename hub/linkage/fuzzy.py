"""Fuzzy matching of key-less mentions against anchor records, with the matching engine.

Subject linkage first joins what identifiers can join; what is left (mentions without a usable
key) is compared by ``matching.engine.link`` — link_only between those mentions and one or more
*anchor rows* per known subject (e.g. one per distinct phone / address seen with a valid ID) —
with the subject's settings file (``matching/settings/person.yaml``, ``legal_entity.yaml``).

Per mention the pairs are reduced to one score per candidate subject (its best anchor row), and:

* the best candidate at or above the upper threshold, and no other candidate at or above the
  lower one → linked (``fuzzy``);
* otherwise every candidate at or above the lower threshold goes to the review queue;
* no candidate at or above the lower threshold → not linked here.

A mention joins at most one subject, so two anchors with different valid keys are never merged
through it. ``training`` rows (mentions whose key is known, with the key hidden) may be added to
the engine's frame so that the Fellegi–Sunter m estimates see enough true matches even when few
mentions lack keys; their results are discarded.

A full linkage run keeps the model it trained (``TrainedModel``, stored in ``link.link_basis``);
an incremental run scores its few new mentions with it against the anchors that share a
blocking key with them, instead of estimating u, m and the prior again on a small,
unrepresentative problem (train once, predict on new records, as Splink does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from matching import fellegi_sunter
from matching.comparisons import NULL_LEVEL
from matching.config import LinkageSettings
from matching.engine import LinkResult, link, stack
from matching.fellegi_sunter import ComparisonModel, FellegiSunterModel

MENTION, ANCHOR = "mention", "anchor"


@dataclass(frozen=True)
class TrainedModel:
    """The engine's model as a full run trained it, and how many records its frame held.

    ``records`` puts term frequencies back on the full run's scale: an incremental frame holds
    every anchor sharing a blocking key with its mentions — all holders of a name they carry,
    since the name's pinyin is one of those keys — but far fewer records in all, so a name's
    share of the frame is larger than its share of the city by about ``records / len(frame)``.
    """

    model: FellegiSunterModel
    records: int

    def to_json(self) -> dict:
        return {
            "records": self.records,
            "prior": self.model.prior,
            "comparisons": [
                {
                    "name": c.name,
                    "labels": list(c.labels),
                    "m": [float(x) for x in c.m],
                    "u": [float(x) for x in c.u],
                    "trained_in": list(c.trained_in),
                }
                for c in self.model.comparisons
            ],
        }

    @classmethod
    def from_json(cls, data: dict | None, settings: LinkageSettings) -> TrainedModel | None:
        """The stored model, or None when there is none or it does not fit ``settings`` (other
        comparisons or levels: then it was trained for other settings)."""
        if not data:
            return None
        comparisons = [
            ComparisonModel(
                c["name"], c["labels"], np.array(c["m"]), np.array(c["u"]), c["trained_in"]
            )
            for c in data["comparisons"]
        ]
        expected = [(c.name, len(c.levels) + 1) for c in settings.comparisons]
        if [(c.name, len(c.labels)) for c in comparisons] != expected:
            return None
        return cls(FellegiSunterModel(comparisons, float(data["prior"])), int(data["records"]))


@dataclass
class Matched:
    """Outcome of fuzzy matching: links, review pairs, and the engine's result for inspection."""

    linked: pd.DataFrame  # mention_id, candidate, score
    review: pd.DataFrame  # mention_id, candidate, score, evidence
    result: LinkResult | None = None

    @property
    def trained(self) -> TrainedModel | None:
        """The model this match trained (to store after a full run), with its frame's size."""
        if self.result is None:
            return None
        return TrainedModel(self.result.model, len(self.result.clusters))


def _empty() -> Matched:
    return Matched(
        pd.DataFrame(columns=["mention_id", "candidate", "score"]),
        pd.DataFrame(columns=["mention_id", "candidate", "score", "evidence"]),
    )


def match_to_anchors(
    mentions: pd.DataFrame,
    anchors: pd.DataFrame,
    settings: LinkageSettings,
    training: pd.DataFrame | None = None,
    min_anchor_rows: int = 2,
    must_agree: tuple[str, ...] = (),
    trained: TrainedModel | None = None,
) -> Matched:
    """Link ``mentions`` (column ``mention_id``) to ``anchors`` (column ``candidate``: the
    subject's cluster key; several rows per candidate allowed) with the engine.

    ``must_agree``: comparisons of which at least one must agree at some level (not 'else',
    not null) for a pair to count at all — e.g. a person is never linked on a shared address
    and household alone when the names differ (that is the rest of the family).
    ``trained``: score with this model (no training; ``training`` is not used)."""
    if mentions.empty or len(anchors) < min_anchor_rows:
        return _empty()
    uid = settings.unique_id
    if uid != "mention_id":
        raise ValueError("subject settings use unique_id: mention_id")
    anchor_rows = anchors.assign(**{uid: [f"anchor:{k}" for k in range(len(anchors))]})
    parts = {MENTION: mentions}
    truth = None
    if trained is None and training is not None and not training.empty:
        names = [f"training:{k}" for k in range(len(training))]
        truth = dict(zip(names, training["candidate"], strict=True))
        parts["training"] = training.drop(columns="candidate").assign(**{uid: names})
    parts[ANCHOR] = anchor_rows
    frame = stack(parts, settings.source_column)
    # link_only across sources: the training rows play mentions (they never meet the mentions,
    # since mentions and training rows are different sources and only pairs with an anchor are kept)
    frame[settings.source_column] = np.where(
        frame[settings.source_column] == ANCHOR, ANCHOR, MENTION
    )
    if trained is None:
        result = link(frame, settings)
    else:
        result = link(frame, settings, model=trained.model)
        shift = np.log2(max(trained.records, 1) / len(frame))
        result = _rescored(result, result.model, tf_shift=shift)
    pairs = result.pairs
    if pairs.empty:
        out = _empty()
        out.result = result
        return out
    candidate_of = dict(zip(anchor_rows[uid], anchors["candidate"], strict=True))
    if truth:
        result = _supervised(result, candidate_of, truth)
        pairs = result.pairs
    keep = np.ones(len(pairs), dtype=bool)
    if must_agree:
        keep[:] = False
        for comparison in result.model.comparisons:
            if comparison.name in must_agree:
                level = pairs[f"gamma_{comparison.name}"].to_numpy()
                keep |= (level >= 0) & (level < len(comparison.labels) - 1)
    anchor_ids = pd.Index(anchor_rows[uid])
    left_is_anchor = pairs["left"].isin(anchor_ids).to_numpy()
    mention = np.where(left_is_anchor, pairs["right"], pairs["left"])
    anchor = np.where(left_is_anchor, pairs["left"], pairs["right"])
    scored = pd.DataFrame(
        {
            "mention_id": mention,
            "candidate": pd.Series(anchor).map(candidate_of).to_numpy(),
            "score": pairs["probability"].to_numpy(),
            "row": np.arange(len(pairs)),
        }
    )[keep]
    if truth:
        scored = scored[~scored["mention_id"].isin(pd.Index(list(truth)))]
    scored = scored.sort_values(["mention_id", "score"], ascending=[True, False], kind="stable")
    best = scored.drop_duplicates(["mention_id", "candidate"])  # each candidate's best anchor row
    t = settings.thresholds
    if t.scale != "probability":
        raise ValueError("subject linkage reads thresholds on the probability scale")
    plausible = best[best["score"] >= t.lower]
    rank = plausible.groupby("mention_id").cumcount()
    count = plausible.groupby("mention_id")["candidate"].transform("size")
    sure = (rank == 0) & (count == 1) & (plausible["score"] >= t.upper)
    linked = plausible.loc[sure, ["mention_id", "candidate", "score"]]
    doubtful = plausible[~plausible["mention_id"].isin(linked["mention_id"])]
    review = doubtful[["mention_id", "candidate", "score"]].assign(
        evidence=evidence(result, doubtful["row"].to_numpy())
    )
    return Matched(linked.reset_index(drop=True), review.reset_index(drop=True), result)


def _supervised(result: LinkResult, candidate_of: dict, truth: dict) -> LinkResult:
    """Re-estimate m from the training rows' true pairs (a training row and the anchor rows of
    its own subject), with half a pair added to every level, and rescore every pair; u, the
    prior and the term-frequency adjustments stay the engine's."""
    pairs = result.pairs
    left, right = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    left_is_anchor = pd.Series(left).isin(pd.Index(list(candidate_of))).to_numpy()
    anchor = np.where(left_is_anchor, left, right)
    other = np.where(left_is_anchor, right, left)
    true = pd.Series(other).map(truth).to_numpy() == pd.Series(anchor).map(candidate_of).to_numpy()
    if true.sum() < 10:
        return result
    comparisons = []
    for comparison in result.model.comparisons:
        levels = pairs[f"gamma_{comparison.name}"].to_numpy()[true]
        levels = levels[levels >= 0].astype("int64")
        count = len(comparison.labels)
        if len(levels) < 10:  # no evidence among the training rows: the engine's starting m
            m = fellegi_sunter.initial_m(count)
            comparisons.append(replace(comparison, m=m, trained_in=["initial"]))
            continue
        m = np.bincount(levels, minlength=count)[:count] + 0.5
        comparisons.append(replace(comparison, m=m / m.sum(), trained_in=["training rows"]))
    return _rescored(result, replace(result.model, comparisons=comparisons))


def _rescored(result: LinkResult, model: FellegiSunterModel, tf_shift: float = 0.0) -> LinkResult:
    """Every pair's weight and probability again under ``model``; ``tf_shift`` bits are added
    to each term-frequency adjustment where it applies (exact agreement), see TrainedModel."""
    pairs = result.pairs
    if pairs.empty:
        return replace(result, model=model)
    gamma = np.stack(
        [pairs[f"gamma_{c.name}"].to_numpy() for c in model.comparisons], axis=1
    ).astype("int64")
    weight = model.prior_weight + model.level_weights(gamma).sum(axis=1)
    for c in model.comparisons:
        if f"tf_{c.name}" in pairs.columns:
            tf = pairs[f"tf_{c.name}"].to_numpy()
            if tf_shift:
                tf = tf + np.where(pairs[f"gamma_{c.name}"].to_numpy() == 0, tf_shift, 0.0)
                pairs = pairs.assign(**{f"tf_{c.name}": tf})
            weight = weight + tf
    pairs = pairs.assign(weight=weight, probability=fellegi_sunter.probabilities(weight))
    return replace(result, pairs=pairs, model=model)


def evidence(result: LinkResult, rows: np.ndarray) -> list[dict]:
    """Per pair the level of each comparison (a steward's view of why it scored so)."""
    if len(rows) == 0:
        return []
    columns = {}
    for comparison in result.model.comparisons:
        levels = result.pairs[f"gamma_{comparison.name}"].to_numpy()[rows]
        labels = np.array([*comparison.labels, "null"], dtype=object)
        columns[comparison.name] = labels[np.where(levels == NULL_LEVEL, -1, levels)]
    probability = result.pairs["probability"].to_numpy()[rows]
    out = []
    for k in range(len(rows)):
        item = {name: str(values[k]) for name, values in columns.items()}
        item["probability"] = round(float(probability[k]), 4)
        out.append(item)
    return out
