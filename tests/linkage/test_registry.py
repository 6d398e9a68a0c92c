"""Stable master ids: same data, same ids; a new anchor for an old cluster keeps its id."""

from __future__ import annotations

import pandas as pd
import psycopg

from hub.linkage.registry import Clusters, assign_master_ids
from hub.linkage.tables import ensure_link_tables


def clusters(pairs: list[tuple[str, str]]) -> Clusters:
    members = pd.DataFrame(pairs, columns=["mention_id", "cluster"])
    anchors = members[["cluster"]].drop_duplicates().assign(anchor=lambda f: f["cluster"])
    return Clusters(members, anchors)


NO_PREVIOUS = pd.DataFrame(columns=["mention_id", "master_id"])


def test_ids_are_stable_across_runs_and_inherited_by_a_cluster_that_gains_a_key(database):
    with psycopg.connect(database) as conn:
        ensure_link_tables(conn)
        first = assign_master_ids(
            conn,
            "person",
            clusters([("a:1", "id:A"), ("a:2", "id:A"), ("b:1", "id:B"), ("n:1", "key:newborn")]),
            NO_PREVIOUS,
        )
        assert sorted(first) == ["P0000000001", "P0000000002", "P0000000003"]
        # handed out in anchor order, so a fresh database gives the same ids for the same data
        assert first["id:A"] == "P0000000001" and first["key:newborn"] == "P0000000003"

        previous = pd.DataFrame(
            {
                "mention_id": ["a:1", "a:2", "b:1", "n:1"],
                "master_id": [first["id:A"], first["id:A"], first["id:B"], first["key:newborn"]],
            }
        )
        # The newborn now has an ID (cluster id:C holds the old birth mention): same master id.
        second = assign_master_ids(
            conn,
            "person",
            clusters(
                [
                    ("a:9", "id:A"),
                    ("b:9", "id:B"),
                    ("n:1", "id:C"),
                    ("c:1", "id:C"),
                    ("d:1", "id:D"),
                ]
            ),
            previous,
        )
        assert second["id:A"] == first["id:A"] and second["id:B"] == first["id:B"]
        assert second["id:C"] == first["key:newborn"]
        assert second["id:D"] == "P0000000004"
        registered = dict(
            conn.execute("select anchor, master_id from link.master_registry").fetchall()
        )
        assert registered["id:C"] == first["key:newborn"]


def test_two_clusters_never_share_a_master_id_after_a_split(database):
    with psycopg.connect(database) as conn:
        ensure_link_tables(conn)
        first = assign_master_ids(
            conn, "person", clusters([("x:1", "key:x"), ("x:2", "key:x")]), NO_PREVIOUS
        )
        previous = pd.DataFrame({"mention_id": ["x:1", "x:2"], "master_id": [first["key:x"]] * 2})
        second = assign_master_ids(
            conn, "person", clusters([("x:1", "key:x1"), ("x:2", "key:x2")]), previous
        )
        assert second.is_unique and first["key:x"] in set(second)
