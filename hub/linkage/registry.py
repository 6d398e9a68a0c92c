"""Stable master ids: a cluster keeps the id its anchors or its mentions had before.

A person's master id must not change when the build is re-run or a new delivery arrives —
departments and counties store it. Each cluster of mentions is described by its anchors
(``id:<citizen id>`` for a valid key, ``key:<content>`` for a record without one). The id is
looked up, in order: an anchor already in the registry; the id most of the cluster's mentions
had in the previous run (a newborn's birth-certificate record that now has its police entry
keeps the id it had); else a new one from the subject's sequence, handed out in anchor order so
the same data gives the same ids on a fresh database.

At a million persons there are a million clusters and three million mentions, so the work is
done with hash lookups (``pd.Index.get_indexer``) and Arrow's string sort, never with a pandas
group-by over strings (that falls back to a Python loop per group), and only the rows that
need it move: the previous run's ids are read only for the mentions of clusters that no
registered anchor decides (usually none), and only new anchors are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql

from hub.linkage.frames import copy_frame, read_frame

PREFIX = {"person": "P", "legal_entity": "E"}
SEQUENCE = {"person": "link.person_master_seq", "legal_entity": "link.entity_master_seq"}


@dataclass(frozen=True)
class Clusters:
    """``members``: mention_id → cluster; ``anchors``: cluster → anchor (one or more rows)."""

    members: pd.DataFrame  # columns mention_id, cluster
    anchors: pd.DataFrame  # columns cluster, anchor


def assign_master_ids(
    conn: psycopg.Connection,
    subject: str,
    clusters: Clusters,
    previous: pd.DataFrame | str,
    held_in: str | None = None,
) -> pd.Series:
    """cluster → master id; registers new anchors.

    ``previous``: the previous run's ids (mention_id, master_id), or the name of the link table
    that holds them (then only the mentions that need a vote are looked up in it).
    ``held_in``: an incremental run's link table, holding the kept links: a master id one of
    them still has is not inherited by a vote (a changed mention that left a person does not
    take that person's id with it)."""
    anchors = clusters.anchors[["cluster", "anchor"]].reset_index(drop=True)
    registered = _registered(conn, subject, anchors["anchor"])
    # A cluster takes the id of its first registered anchor (in anchor order).
    with_id = anchors.assign(master_id=registered)[registered.notna()]
    chosen = _first_per_cluster(with_id)
    # Clusters with no registered anchor: the id their mentions had last time, by majority.
    members = clusters.members
    open_members = members[~members["cluster"].isin(chosen.index)]
    votes = _previous_ids(conn, open_members, previous)
    if not votes.empty:
        counts = votes.groupby(["cluster", "master_id"]).size().rename("n").reset_index()
        counts = counts.sort_values(["cluster", "n", "master_id"], ascending=[True, False, True])
        inherited = counts.drop_duplicates("cluster").set_index("cluster")["master_id"]
        taken = set(chosen.to_numpy())
        if held_in is not None:
            taken |= _held(conn, held_in, inherited.unique().tolist())
        inherited = inherited[~inherited.isin(taken)].drop_duplicates()
        chosen = pd.concat([chosen, inherited])
    # A master id claimed by two clusters (a split): the first cluster keeps it.
    chosen = chosen[~chosen.duplicated()]
    missing = _in_first_anchor_order(anchors[~anchors["cluster"].isin(chosen.index)])
    if len(missing):
        numbers = conn.execute(
            "select nextval(%s::regclass) from generate_series(1, %s)",
            [SEQUENCE[subject], len(missing)],
        ).fetchall()
        fresh = pd.Series(
            [f"{PREFIX[subject]}{n:010d}" for (n,) in numbers], index=pd.Index(missing)
        )
        chosen = pd.concat([chosen, fresh])
    # new anchors in anchor order: the registry's key index is then appended to, not scattered
    # over (a first build registers a million anchors)
    new_anchors = anchors[registered.isna().to_numpy()]
    new_anchors = new_anchors.iloc[pc.sort_indices(_strings(new_anchors["anchor"])).to_numpy()]
    new_anchors = pd.DataFrame(
        {
            "subject": subject,
            "anchor": new_anchors["anchor"].to_numpy(),
            "master_id": new_anchors["cluster"].map(chosen).to_numpy(),
        }
    )
    copy_frame(conn, "link.master_registry", new_anchors)
    return chosen


def _held(conn: psycopg.Connection, links: str, master_ids: list[str]) -> set[str]:
    """The ones of ``master_ids`` that some row of the link table ``links`` has."""
    rows = conn.execute(
        sql.SQL("select distinct master_id from {} where master_id = any(%s)").format(
            sql.Identifier(*links.split("."))
        ),
        [master_ids],
    ).fetchall()
    return {master_id for (master_id,) in rows}


FEW_ANCHORS = 50_000  # up to this many are looked up one by one; more: the registry is read


def _registered(conn: psycopg.Connection, subject: str, anchors: pd.Series) -> pd.Series:
    """The registered master id of each anchor (NaN where it has none), aligned with it.

    An incremental run has a few thousand anchors, a full run a million: the first are looked
    up in the registry's key index, for the second the subject's whole registry is read."""
    if subject not in PREFIX:
        raise ValueError(f"unknown subject {subject!r}")
    if len(anchors) <= FEW_ANCHORS:
        registry = pd.DataFrame(
            conn.execute(
                "select anchor, master_id from link.master_registry "
                "where subject = %s and anchor = any(%s)",
                [subject, anchors.tolist()],
            ).fetchall(),
            columns=["anchor", "master_id"],
        )
    else:
        registry = read_frame(
            conn, f"select anchor, master_id from link.master_registry where subject = '{subject}'"
        )
    if registry.empty:
        return pd.Series(np.nan, index=anchors.index, dtype=object)
    where = pd.Index(registry["anchor"]).get_indexer(anchors)  # anchors are unique per subject
    ids = registry["master_id"].to_numpy(dtype=object)[np.maximum(where, 0)]
    return pd.Series(np.where(where >= 0, ids, np.nan), index=anchors.index, dtype=object)


def _first_per_cluster(with_id: pd.DataFrame) -> pd.Series:
    """cluster → master id of its smallest registered anchor, ordered by cluster."""
    if with_id.empty:
        return pd.Series(dtype=object, index=pd.Index([], dtype=object))
    order = pc.sort_indices(
        pa.table({"cluster": _strings(with_id["cluster"]), "anchor": _strings(with_id["anchor"])}),
        sort_keys=[("cluster", "ascending"), ("anchor", "ascending")],
    ).to_numpy()
    first = with_id.iloc[order].drop_duplicates("cluster")
    return pd.Series(
        first["master_id"].to_numpy(), index=pd.Index(first["cluster"].to_numpy()), dtype=object
    )


def _previous_ids(
    conn: psycopg.Connection, open_members: pd.DataFrame, previous: pd.DataFrame | str
) -> pd.DataFrame:
    """cluster, master_id: the previous run's id of each open member that had one."""
    if open_members.empty:
        return pd.DataFrame(columns=["cluster", "master_id"])
    if isinstance(previous, str):
        (any_rows,) = conn.execute(f"select exists (select 1 from {previous})").fetchone()
        if not any_rows:
            return pd.DataFrame(columns=["cluster", "master_id"])
        conn.execute("drop table if exists _open")
        conn.execute("create temporary table _open (mention_id text)")
        copy_frame(conn, "_open", open_members[["mention_id"]])
        previous = read_frame(
            conn,
            f"select p.mention_id, p.master_id from {previous} p join _open using (mention_id)",
        )
        conn.execute("drop table _open")
    if previous.empty:
        return pd.DataFrame(columns=["cluster", "master_id"])
    return open_members.merge(previous, on="mention_id")[["cluster", "master_id"]]


def _in_first_anchor_order(anchors: pd.DataFrame) -> list:
    """The clusters of ``anchors`` ordered by their smallest anchor (string order)."""
    if anchors.empty:
        return []
    order = pc.sort_indices(_strings(anchors["anchor"])).to_numpy()
    return list(anchors["cluster"].iloc[order].drop_duplicates())


def _strings(values: pd.Series) -> pa.Array:
    """Arrow strings, whose sort is by UTF-8 bytes: the order of Python's string comparison."""
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
