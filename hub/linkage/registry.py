"""Stable master ids: a cluster keeps the id its anchors or its mentions had before.

A person's master id must not change when the build is re-run or a new delivery arrives —
departments and counties store it. Each cluster of mentions is described by its anchors
(``id:<citizen id>`` for a valid key, ``key:<content>`` for a record without one). The id is
looked up, in order: an anchor already in the registry; the id most of the cluster's mentions
had in the previous run (a newborn's birth-certificate record that now has its police entry
keeps the id it had); else a new one from the subject's sequence, handed out in anchor order so
the same data gives the same ids on a fresh database.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import psycopg

PREFIX = {"person": "P", "legal_entity": "E"}
SEQUENCE = {"person": "link.person_master_seq", "legal_entity": "link.entity_master_seq"}


@dataclass(frozen=True)
class Clusters:
    """``members``: mention_id → cluster; ``anchors``: cluster → anchor (one or more rows)."""

    members: pd.DataFrame  # columns mention_id, cluster
    anchors: pd.DataFrame  # columns cluster, anchor


def assign_master_ids(
    conn: psycopg.Connection, subject: str, clusters: Clusters, previous: pd.DataFrame
) -> pd.Series:
    """cluster → master id; registers new anchors. ``previous``: mention_id, master_id."""
    registry = pd.DataFrame(
        conn.execute(
            "select anchor, master_id from link.master_registry where subject = %s", [subject]
        ).fetchall(),
        columns=["anchor", "master_id"],
    )
    by_anchor = clusters.anchors.merge(registry, on="anchor", how="left")
    chosen = (
        by_anchor.dropna(subset=["master_id"])
        .sort_values(["cluster", "anchor"])
        .drop_duplicates("cluster")
        .set_index("cluster")["master_id"]
    )
    # Clusters with no registered anchor: the id their mentions had last time, by majority.
    if not previous.empty:
        open_members = clusters.members[~clusters.members["cluster"].isin(chosen.index)]
        votes = open_members.merge(previous, on="mention_id")
        if not votes.empty:
            counts = votes.groupby(["cluster", "master_id"]).size().rename("n").reset_index()
            counts = counts.sort_values(
                ["cluster", "n", "master_id"], ascending=[True, False, True]
            )
            inherited = counts.drop_duplicates("cluster").set_index("cluster")["master_id"]
            taken = set(chosen.to_numpy())
            inherited = inherited[~inherited.isin(taken)].drop_duplicates()
            chosen = pd.concat([chosen, inherited])
    # A master id claimed by two clusters (a split): the first cluster keeps it.
    chosen = chosen[~chosen.duplicated()]
    missing = sorted(
        set(clusters.anchors["cluster"]) - set(chosen.index), key=_first_anchor(clusters)
    )
    if missing:
        numbers = conn.execute(
            "select nextval(%s::regclass) from generate_series(1, %s)",
            [SEQUENCE[subject], len(missing)],
        ).fetchall()
        fresh = pd.Series(
            [f"{PREFIX[subject]}{n:010d}" for (n,) in numbers], index=pd.Index(missing)
        )
        chosen = pd.concat([chosen, fresh])
    new_anchors = by_anchor[by_anchor["master_id"].isna()][["cluster", "anchor"]]
    new_anchors = new_anchors.assign(master_id=new_anchors["cluster"].map(chosen))
    with conn.cursor().copy(
        "copy link.master_registry (subject, anchor, master_id) from stdin"
    ) as copy:
        for row in new_anchors.itertuples(index=False):
            copy.write_row((subject, row.anchor, row.master_id))
    return chosen


def _first_anchor(clusters: Clusters):
    first = clusters.anchors.groupby("cluster")["anchor"].min().to_dict()
    return lambda cluster: first.get(cluster, "")
