"""Clusters from accepted links: connected components that never join two different valid IDs.

Plain transitive closure chains unrelated people together (A~B~C with A and C different
citizens). The hub's rule: two different *valid* values of a cannot-link column (citizen ID,
credit code) are never in one cluster. Components without such a conflict are taken as they
are (scipy, vectorised); only the few components holding conflicting values are rebuilt
greedily, strongest link first, with a union-find that refuses a merge whose two clusters hold
different values — so the weaker link of a bad chain is the one dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype="int8"), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype("int64")


def _conflicting_components(labels: np.ndarray, constraints: list[np.ndarray]) -> np.ndarray:
    """Component labels holding more than one distinct non-null value of any constraint."""
    bad = []
    for codes in constraints:
        known = codes >= 0
        distinct = pd.DataFrame({"c": labels[known], "v": codes[known]}).groupby("c")["v"].nunique()
        bad.append(distinct.index[distinct.to_numpy() > 1].to_numpy())
    return np.unique(np.concatenate(bad)) if bad else np.empty(0, "int64")


def _greedy(
    rows: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    constraints: list[np.ndarray],
) -> dict[int, int]:
    """Union-find over one conflicting component's links, strongest first; returns row → root."""
    parent = {int(r): int(r) for r in rows}
    held = {int(r): [int(c[r]) for c in constraints] for r in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in np.argsort(-strength, kind="stable"):
        a, b = find(int(left[k])), find(int(right[k]))
        if a == b:
            continue
        values_a, values_b = held[a], held[b]
        if any(x >= 0 and y >= 0 and x != y for x, y in zip(values_a, values_b, strict=True)):
            continue  # would put two different valid identifiers in one cluster
        parent[b] = a
        held[a] = [x if x >= 0 else y for x, y in zip(values_a, values_b, strict=True)]
    return {r: find(r) for r in parent}


def constrained_clusters(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    constraints: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Cluster label per row (0..n-1) from links (left[k], right[k]) of the given strength.

    ``constraints`` are integer codes per row (-1 null) of the cannot-link columns. Links whose
    two ends already hold different values must have been dropped before (see the engine);
    chains are broken here.
    """
    constraints = constraints or []
    labels = _components(n, left, right)
    if not constraints or len(left) == 0:
        return labels
    bad = _conflicting_components(labels, constraints)
    if len(bad) == 0:
        return labels
    fresh = labels.max() + 1
    in_bad = np.isin(labels[left], bad)
    for component in bad:
        rows = np.flatnonzero(labels == component)
        mine = in_bad & (labels[left] == component)
        roots = _greedy(rows, left[mine], right[mine], strength[mine], constraints)
        root_ids = np.array([roots[int(r)] for r in rows])
        _, renumbered = np.unique(root_ids, return_inverse=True)
        labels[rows] = fresh + renumbered
        fresh += renumbered.max() + 1
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype("int64")
