"""The Fellegi–Sunter model: m and u per comparison level, match weights and probabilities.

u (how often two *different* records agree at a level by chance) comes from random pairs; m
(how often two records of the *same* subject do) comes from expectation maximisation within
training blocks, holding u fixed and leaving out the comparisons on the block's own columns
(they agree by construction there), as Splink does. A pair's match weight is the log2 prior
odds plus one weight per comparison, log2(m/u) at its level (0 when null), so every decision
can be explained level by level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FLOOR = 1e-9


@dataclass
class ComparisonModel:
    """Trained parameters of one comparison: index k = level k, the last one is 'else'."""

    name: str
    labels: list[str]
    m: np.ndarray
    u: np.ndarray
    trained_in: list[str] = field(default_factory=list)

    @property
    def weights(self) -> np.ndarray:
        return np.log2(np.maximum(self.m, FLOOR) / np.maximum(self.u, FLOOR))


@dataclass
class FellegiSunterModel:
    """All comparisons plus the prior probability that two random records match."""

    comparisons: list[ComparisonModel]
    prior: float
    em_iterations: dict[str, int] = field(default_factory=dict)

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def level_weights(self, gamma: np.ndarray) -> np.ndarray:
        """Per pair and comparison the weight of its level (0 for null), shape (pairs, k)."""
        out = np.zeros(gamma.shape, dtype="float64")
        for k, comparison in enumerate(self.comparisons):
            levels = gamma[:, k]
            known = levels >= 0
            out[known, k] = comparison.weights[levels[known]]
        return out

    def describe(self) -> list[dict]:
        """One row per comparison level: label, m, u, weight — the model a steward reads."""
        rows = []
        for comparison in self.comparisons:
            for label, m, u, w in zip(
                comparison.labels, comparison.m, comparison.u, comparison.weights, strict=True
            ):
                rows.append(
                    {"comparison": comparison.name, "level": label, "m": m, "u": u, "weight": w}
                )
        return rows


def level_shares(levels: np.ndarray, count: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Share of the non-null pairs at each of ``count`` levels (optionally weighted)."""
    known = levels >= 0
    w = None if weights is None else weights[known]
    totals = np.bincount(levels[known].astype("int64"), weights=w, minlength=count)[:count]
    return totals / max(totals.sum(), FLOOR)


def estimate_u(gamma: np.ndarray, level_counts: list[int]) -> list[np.ndarray]:
    """u per comparison from the levels of random pairs (almost all of them non-matches).

    A level never seen among the random pairs gets half a pair's share rather than zero, so
    the weight of a very rare agreement stays finite and depends on the sample size.
    """
    out = []
    for k, count in enumerate(level_counts):
        levels = gamma[:, k]
        known = levels >= 0
        counts = np.bincount(levels[known].astype("int64"), minlength=count)[:count].astype(float)
        counts = np.maximum(counts, 0.5)
        out.append(counts / counts.sum())
    return out


def chance_agreement(codes: np.ndarray, source: np.ndarray, link_type: str) -> float:
    """Exact share of allowed non-null record pairs that hold the same value (u of 'exact')."""
    known = codes >= 0
    values = int(codes.max(initial=-1)) + 1
    counts = np.bincount(codes[known], minlength=values).astype("float64")
    by_source = np.bincount(source[known] * values + codes[known]).astype("float64")
    sizes = np.bincount(source[known]).astype("float64")

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    agree_all, agree_within = pairs(counts), pairs(by_source)
    all_pairs, within = pairs(np.array([known.sum()], dtype="float64")), pairs(sizes)
    if link_type == "dedupe":
        agree, total = agree_within, within
    elif link_type == "link_only":
        agree, total = agree_all - agree_within, all_pairs - within
    else:
        agree, total = agree_all, all_pairs
    return agree / total if total > 0 else 0.0


def with_exact_share(u: np.ndarray, exact: float) -> np.ndarray:
    """u with level 0 (exact) set to a counted share and the other levels rescaled to fit."""
    rest = u[1:] / max(u[1:].sum(), FLOOR)
    return np.concatenate([[max(exact, FLOOR)], rest * (1 - exact)])


def initial_m(count: int) -> np.ndarray:
    """Before EM: most matches at the top level, the rest spread over the lower ones."""
    m = np.full(count, 0.15 / max(count - 1, 1))
    m[0] = 0.85
    return m / m.sum()


def expectation_maximisation(
    gamma: np.ndarray,
    u: list[np.ndarray],
    m: list[np.ndarray],
    active: list[bool],
    max_iterations: int = 25,
    tolerance: float = 1e-4,
    start_share: float = 0.1,
) -> tuple[list[np.ndarray], float, int]:
    """Estimate m for the active comparisons and the share of matches among these pairs.

    Classic EM with u fixed: the E step is vectorised over all pairs (sum of log ratios per
    comparison), the M step one weighted ``bincount`` per comparison.
    Returns (m per comparison, match share, iterations run).
    """
    m = [mk.copy() for mk in m]
    share = start_share
    columns = [k for k, on in enumerate(active) if on]
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (kept for the report)
        log_ratio = np.zeros(len(gamma))
        for k in columns:
            levels = gamma[:, k]
            known = levels >= 0
            ratio = np.log(np.maximum(m[k], FLOOR)) - np.log(np.maximum(u[k], FLOOR))
            log_ratio[known] += ratio[levels[known]]
        prior_logit = np.log(share / (1 - share))
        posterior = 1 / (1 + np.exp(-(prior_logit + log_ratio)))
        new_share = float(np.clip(posterior.mean(), 1e-6, 1 - 1e-6))
        change = abs(new_share - share)
        for k in columns:
            new_m = level_shares(gamma[:, k], len(m[k]), posterior)
            change = max(change, float(np.abs(new_m - m[k]).max()))
            m[k] = new_m
        share = new_share
        if change < tolerance:
            break
    return m, share, iterations


def probabilities(weights: np.ndarray) -> np.ndarray:
    """Match probability from match weight (log2 odds)."""
    return 1 / (1 + np.exp2(-weights))


def term_frequency_adjustment(
    u_exact: float, frequency_left: np.ndarray, frequency_right: np.ndarray
) -> np.ndarray:
    """Extra weight for exact agreement on a value: rare values count more than common ones.

    The level's u is the chance agreement averaged over all values; for the value actually
    shared the chance is about its own frequency (the larger of the two sides' frequencies).
    """
    frequency = np.maximum(frequency_left, frequency_right)
    return np.log2(np.maximum(u_exact, FLOOR) / np.maximum(frequency, FLOOR))
