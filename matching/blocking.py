"""Candidate pairs from blocking rules: joins on integer keys, never a Python loop over pairs.

A rule pairs two records when all its columns are equal and non-null. The candidate set is the
union of the rules' pairs, each pair kept once with the first rule that found it (``match_key``,
as Splink calls it) so a steward can see why a pair was considered at all. Which pairs are
allowed depends on the link type: within one source (dedupe), across sources only (link_only,
e.g. mentions against anchor records), or both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matching.config import BlockingRule
from matching.prepare import FrameCodes, shared_codes


def _combined_key(codes: list[np.ndarray]) -> np.ndarray:
    """One int64 key per row for a tuple of code columns; -1 where any part is null."""
    key = codes[0].copy()
    null = key < 0
    for part in codes[1:]:
        null |= part < 0
        mixed = key * (int(part.max(initial=0)) + 2) + part + 1
        key, _ = pd.factorize(mixed)
        key = key.astype("int64")
    key[null] = -1
    return key


def rule_keys(
    frame: pd.DataFrame, rule: BlockingRule, codes: FrameCodes | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Keys of every record as the left and as the right side of a rule (equal for plain rules).

    ``frame`` holds cleaned columns (``prepare.cleaned``); ``codes``, when given, its codes.
    """
    against = rule.against or rule.columns
    left_parts, right_parts = [], []
    for left_column, right_column in zip(rule.columns, against, strict=True):
        for column in (left_column, right_column):
            if column not in frame.columns:
                raise KeyError(f"blocking rule {rule.label!r}: no column {column!r}")
        if codes is not None:
            left_codes, right_codes = codes.shared(left_column, right_column)
        else:
            left_codes, right_codes = shared_codes(frame, left_column, right_column, clean=False)
        left_parts.append(left_codes)
        right_parts.append(right_codes)
    n = len(frame)
    if rule.against is None:
        key = _combined_key(left_parts)
        return key, key
    # both sides must be keyed from one dictionary: combine the stacked codes together
    stacked = _combined_key(
        [np.concatenate([lc, rc]) for lc, rc in zip(left_parts, right_parts, strict=True)]
    )
    return stacked[:n], stacked[n:]


def _join(left_key: np.ndarray, right_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with left_key[i] == right_key[j] >= 0, by sorting: a vectorised equi-join."""
    left_rows = np.flatnonzero(left_key >= 0)
    right_rows = np.flatnonzero(right_key >= 0)
    right_rows = right_rows[np.argsort(right_key[right_rows], kind="stable")]
    sorted_keys = right_key[right_rows]
    lk = left_key[left_rows]
    start = np.searchsorted(sorted_keys, lk, side="left")
    stop = np.searchsorted(sorted_keys, lk, side="right")
    sizes = stop - start
    i = np.repeat(left_rows, sizes)
    offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    j = right_rows[np.repeat(start, sizes) + offsets]
    return i, j


def _allowed(i: np.ndarray, j: np.ndarray, source: np.ndarray, link_type: str):
    """Keep each unordered pair once (i < j) and only the pairs the link type asks for."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = lo != hi
    if link_type == "dedupe":
        keep &= source[lo] == source[hi]
    elif link_type == "link_only":
        keep &= source[lo] != source[hi]
    return lo[keep], hi[keep]


def candidate_pairs(
    frame: pd.DataFrame,
    rules: list[BlockingRule],
    source: np.ndarray,
    link_type: str,
    codes: FrameCodes | None = None,
) -> pd.DataFrame:
    """The union of the rules' pairs as row positions ``left < right`` with their ``match_key``.

    ``source`` holds an integer source code per row (all equal for a one-source dedupe);
    ``codes``: the frame's column codes, when the caller keeps them (``prepare.FrameCodes``).
    """
    n = len(frame)
    found, keys = [], []
    for number, rule in enumerate(rules):
        left_key, right_key = rule_keys(frame, rule, codes)
        i, j = _join(left_key, right_key)
        lo, hi = _allowed(i, j, source, link_type)
        found.append(lo.astype("int64") * n + hi)
        keys.append(np.full(len(lo), number, dtype="int16"))
    codes = np.concatenate(found) if found else np.empty(0, "int64")
    rule_of = np.concatenate(keys) if keys else np.empty(0, "int16")
    # np.unique keeps the first occurrence's index: the first rule that found the pair
    unique, first = np.unique(codes, return_index=True)
    return pd.DataFrame({"left": unique // n, "right": unique % n, "match_key": rule_of[first]})


def random_pairs(source: np.ndarray, link_type: str, count: int, seed: int) -> pd.DataFrame:
    """Uniformly drawn allowed pairs, to estimate how often non-matches agree by chance (u).

    Draws in rounds sized by the share of draws the link type accepted so far (about half for
    two equal sources in link_only), until ``count`` pairs or the possible pairs run out.
    """
    rng = np.random.default_rng(seed)
    n = len(source)
    count = min(count, possible_pairs(source, link_type))
    lefts, rights, have, accepted = [], [], 0, 1.0
    for _ in range(50):
        if have >= count:
            break
        draw = int((count - have) / max(accepted, 0.01) * 1.2) + 100
        lo, hi = _allowed(rng.integers(0, n, draw), rng.integers(0, n, draw), source, link_type)
        accepted = max(len(lo) / draw, 0.001)
        lefts.append(lo)
        rights.append(hi)
        have += len(lo)
    left = np.concatenate(lefts)[:count] if lefts else np.empty(0, "int64")
    right = np.concatenate(rights)[:count] if rights else np.empty(0, "int64")
    return pd.DataFrame({"left": left, "right": right})


def possible_pairs(source: np.ndarray, link_type: str) -> int:
    """How many pairs the link type allows at all (the denominator of the prior)."""
    counts = np.bincount(source).astype("float64")
    within = float((counts * (counts - 1) / 2).sum())
    total = len(source) * (len(source) - 1) / 2
    if link_type == "dedupe":
        return int(within)
    if link_type == "link_only":
        return int(total - within)
    return int(total)
