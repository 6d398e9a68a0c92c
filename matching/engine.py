"""``link(frame, settings)``: block, compare, train, score, decide and cluster, end to end.

The engine knows nothing about any particular kind of record: everything specific (columns,
blocking, comparisons, thresholds, cannot-link columns) comes from the settings. The frame holds
all records, one row each, with the settings' ``unique_id`` column and, for link_only /
link_and_dedupe, its ``source_column`` (e.g. mentions against anchor records).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from matching import blocking, fellegi_sunter
from matching.clustering import constrained_clusters
from matching.comparisons import NULL_LEVEL, comparison_levels
from matching.config import BlockingRule, LinkageSettings
from matching.fellegi_sunter import ComparisonModel, FellegiSunterModel
from matching.prepare import Column, FrameCodes, cleaned, encode


class Decision(StrEnum):
    """What happens to a candidate pair (a closed vocabulary)."""

    LINK = "link"  # at or above the upper threshold: merged automatically
    REVIEW = "review"  # between the thresholds: a steward decides
    APART = "apart"  # below the lower threshold, or forbidden by a cannot-link column


@dataclass
class LinkResult:
    """Scored candidate pairs, clusters, the trained model and where the time went."""

    pairs: (
        pd.DataFrame
    )  # left, right (unique ids), match_key, gamma_<comparison>…, weight, probability, decision
    clusters: pd.DataFrame  # unique_id, source, cluster
    model: FellegiSunterModel
    settings: LinkageSettings
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def links(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == Decision.LINK]

    def explain(self, left, right) -> pd.DataFrame:
        """Why a pair scored as it did: level and weight per comparison, plus the prior."""
        row = self.pairs[(self.pairs["left"] == left) & (self.pairs["right"] == right)]
        if row.empty:
            row = self.pairs[(self.pairs["left"] == right) & (self.pairs["right"] == left)]
        if row.empty:
            raise KeyError(f"({left!r}, {right!r}) is not a candidate pair")
        row = row.iloc[0]
        lines = [{"comparison": "prior", "level": "", "weight": self.model.prior_weight}]
        for comparison in self.model.comparisons:
            level = int(row[f"gamma_{comparison.name}"])
            weight = 0.0 if level == NULL_LEVEL else float(comparison.weights[level])
            if f"tf_{comparison.name}" in row.index:
                weight += float(row[f"tf_{comparison.name}"])
            label = "null" if level == NULL_LEVEL else comparison.labels[level]
            lines.append({"comparison": comparison.name, "level": label, "weight": weight})
        lines.append({"comparison": "total", "level": row["decision"], "weight": row["weight"]})
        return pd.DataFrame(lines)


class _Records:
    """The frame's columns encoded once, and the levels of any set of pairs."""

    def __init__(self, frame: pd.DataFrame, settings: LinkageSettings):
        self.settings = settings
        self.base = {key.name: key.column for key in settings.derived}
        rules = [
            *settings.blocking_rules,
            *settings.training.em_blocking_rules,
            *settings.prior.deterministic_rules,
        ]
        used = set().union(
            *(r.all_columns for r in rules), *(c.all_columns for c in settings.comparisons)
        )
        used = {self.base.get(c, c) for c in used} | (used - set(self.base))
        self.frame = cleaned(frame, used, settings)
        self.codes = FrameCodes(self.frame)  # each column hashed once, for every rule and level
        self.columns: list[Column] = []
        self.others: list[dict[str, Column]] = []
        for comparison in settings.comparisons:
            for column in comparison.all_columns:
                if column not in self.frame.columns:
                    raise KeyError(f"comparison {comparison.name!r}: no column {column!r}")
            encoded = encode(
                self.frame[comparison.column],
                comparison.kind,
                comparison.date_format,
                clean=False,
                codes=self.codes.codes(comparison.column),
            )
            others = {}
            for level in comparison.levels:
                if level.exact_with is None:
                    continue
                mine, theirs = self.codes.shared(comparison.column, level.exact_with)
                encoded = replace(encoded, codes=np.where(encoded.codes >= 0, mine, -1))
                other = encode(
                    self.frame[level.exact_with],
                    clean=False,
                    codes=self.codes.codes(level.exact_with),
                )
                others[level.exact_with] = replace(other, codes=theirs)
            self.columns.append(encoded)
            self.others.append(others)

        self._known = np.empty(0, dtype="int64")  # sorted codes of pairs already compared
        self._known_gamma = np.empty((0, len(self.columns)), dtype="int8")

    def gamma(self, left: np.ndarray, right: np.ndarray, remember: bool = False) -> np.ndarray:
        """Levels of pairs (left[k] < right[k]), shape (pairs, comparisons).

        Pairs compared before (the candidates, when a training block is one of the blocking
        rules) are looked up, not compared again.
        """
        code = left * len(self.frame) + right
        out = np.empty((len(left), len(self.columns)), dtype="int8")
        pos = np.minimum(np.searchsorted(self._known, code), max(len(self._known) - 1, 0))
        seen = (self._known[pos] == code) if len(self._known) else np.zeros(len(code), bool)
        out[seen] = self._known_gamma[pos[seen]]
        new = np.flatnonzero(~seen)
        for k, comparison in enumerate(self.settings.comparisons):
            out[new, k] = comparison_levels(
                comparison, self.columns[k], left[new], right[new], self.others[k]
            )
        if remember:
            order = np.argsort(code, kind="stable")
            self._known, self._known_gamma = code[order], out[order]
        return out

    def touches(self, rule: BlockingRule) -> list[bool]:
        """Per comparison: is it on (a column derived from) one of the rule's columns?"""
        rule_columns = {self.base.get(c, c) for c in rule.all_columns} | rule.all_columns
        return [
            bool({self.base.get(c, c) for c in comparison.all_columns} & rule_columns)
            for comparison in self.settings.comparisons
        ]


def _sources(frame: pd.DataFrame, settings: LinkageSettings) -> np.ndarray:
    if settings.source_column in frame.columns:
        codes, uniques = pd.factorize(frame[settings.source_column], sort=False)
        if (codes < 0).any():
            raise ValueError(f"column {settings.source_column!r} has nulls")
    else:
        codes, uniques = np.zeros(len(frame), dtype="int64"), [None]
    if settings.link_type != "dedupe" and len(uniques) < 2:
        raise ValueError(
            f"link_type {settings.link_type} needs two sources in {settings.source_column!r}"
        )
    return np.asarray(codes, dtype="int64")


def train(records: _Records, source: np.ndarray, settings: LinkageSettings) -> FellegiSunterModel:
    """u from random pairs, m by EM in each training block, the prior from strict rules."""
    training = settings.training
    sample = blocking.random_pairs(
        source, settings.link_type, training.u_sample_pairs, training.seed
    )
    gamma_random = records.gamma(sample["left"].to_numpy(), sample["right"].to_numpy())

    counts = [len(c.levels) + 1 for c in settings.comparisons]
    u = fellegi_sunter.estimate_u(gamma_random, counts)
    for k, comparison in enumerate(settings.comparisons):
        if comparison.levels[0].exact and not records.others[k]:
            # exact agreement by chance is counted, not sampled: it is the strongest evidence
            chance = fellegi_sunter.chance_agreement(
                records.columns[k].codes, source, settings.link_type
            )
            u[k] = fellegi_sunter.with_exact_share(u[k], chance)
    estimates: list[list[np.ndarray]] = [[] for _ in counts]
    trained_in: list[list[str]] = [[] for _ in counts]
    iterations = {}
    for rule in training.em_blocking_rules:
        pairs = blocking.candidate_pairs(
            records.frame, [rule], source, settings.link_type, records.codes
        )
        gamma = records.gamma(pairs["left"].to_numpy(), pairs["right"].to_numpy())
        active = [not t for t in records.touches(rule)]
        start = [fellegi_sunter.initial_m(c) for c in counts]
        m, _, iterations[rule.label] = fellegi_sunter.expectation_maximisation(
            gamma, u, start, active, training.max_iterations, training.tolerance
        )
        for k, on in enumerate(active):
            if on:
                estimates[k].append(m[k])
                trained_in[k].append(rule.label)
    comparisons = []
    for k, comparison in enumerate(settings.comparisons):
        m = np.mean(estimates[k], axis=0) if estimates[k] else fellegi_sunter.initial_m(counts[k])
        labels = [level.name for level in comparison.levels] + ["else"]
        comparisons.append(ComparisonModel(comparison.name, labels, m, u[k], trained_in[k]))
    return FellegiSunterModel(comparisons, _prior(records, source, settings), iterations)


def _prior(records: _Records, source: np.ndarray, settings: LinkageSettings) -> float:
    prior = settings.prior
    if prior.probability_two_random_records_match is not None:
        return prior.probability_two_random_records_match
    found = blocking.candidate_pairs(
        records.frame, prior.deterministic_rules, source, settings.link_type, records.codes
    )
    possible = blocking.possible_pairs(source, settings.link_type)
    return float(np.clip(len(found) / prior.recall / max(possible, 1), 1e-12, 0.5))


def _decide(weight: np.ndarray, probability: np.ndarray, settings: LinkageSettings) -> np.ndarray:
    t = settings.thresholds
    score = probability if t.scale == "probability" else weight
    return np.select(
        [score >= t.upper, score >= t.lower], [Decision.LINK, Decision.REVIEW], Decision.APART
    ).astype(object)


def link(
    frame: pd.DataFrame, settings: LinkageSettings, model: FellegiSunterModel | None = None
) -> LinkResult:
    """Link the records of ``frame`` as the settings say; train the model unless one is given."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = now - clock
        clock = now

    if settings.unique_id not in frame.columns:
        raise KeyError(f"no unique id column {settings.unique_id!r}")
    if frame[settings.unique_id].duplicated().any():
        raise ValueError(f"column {settings.unique_id!r} is not unique")
    frame = frame.reset_index(drop=True)
    source = _sources(frame, settings)
    records = _Records(frame, settings)
    lap("prepare")
    candidates = blocking.candidate_pairs(
        records.frame, settings.blocking_rules, source, settings.link_type, records.codes
    )
    left, right = candidates["left"].to_numpy(), candidates["right"].to_numpy()
    lap("blocking")
    gamma = records.gamma(left, right, remember=True)
    lap("comparisons")
    if model is None:
        model = train(records, source, settings)
    lap("training")
    weight = model.prior_weight + model.level_weights(gamma).sum(axis=1)
    out = {
        "left": frame[settings.unique_id].to_numpy()[left],
        "right": frame[settings.unique_id].to_numpy()[right],
    }
    labels = np.array([rule.label for rule in settings.blocking_rules], dtype=object)
    out["match_key"] = labels[candidates["match_key"].to_numpy()]
    for k, comparison in enumerate(settings.comparisons):
        out[f"gamma_{comparison.name}"] = gamma[:, k]
        if comparison.term_frequency and comparison.levels[0].exact:
            column = records.columns[k]
            adjust = np.zeros(len(left))
            at_exact = gamma[:, k] == 0
            adjust[at_exact] = fellegi_sunter.term_frequency_adjustment(
                model.comparisons[k].u[0],
                column.frequency[left[at_exact]],
                column.frequency[right[at_exact]],
            )
            weight = weight + adjust
            out[f"tf_{comparison.name}"] = adjust
    probability = fellegi_sunter.probabilities(weight)
    decision = _decide(weight, probability, settings)
    constraints = []
    forbidden = np.zeros(len(left), dtype=bool)
    for column in settings.cannot_link:
        if column not in frame.columns:
            raise KeyError(f"cannot_link: no column {column!r}")
        codes = encode(frame[column]).codes
        constraints.append(codes)
        forbidden |= (codes[left] >= 0) & (codes[right] >= 0) & (codes[left] != codes[right])
    decision[forbidden] = Decision.APART
    out.update(weight=weight, probability=probability, decision=decision, cannot_link=forbidden)
    pairs = pd.DataFrame(out)
    lap("scoring")
    linked = decision == Decision.LINK
    cluster = constrained_clusters(
        len(frame), left[linked], right[linked], weight[linked], constraints
    )
    clusters = pd.DataFrame(
        {"unique_id": frame[settings.unique_id].to_numpy(), "source": source, "cluster": cluster}
    )
    lap("clustering")
    return LinkResult(pairs, clusters, model, settings, timings)


def stack(frames: dict[str, pd.DataFrame], source_column: str = "source") -> pd.DataFrame:
    """One frame from several sources (e.g. {"mentions": …, "anchors": …}) for link_only."""
    parts = [f.assign(**{source_column: name}) for name, f in frames.items()]
    return pd.concat(parts, ignore_index=True)
