"""Incremental linkage on a generated city: after a 1 % change, as good as linking it all again.

The 2,000-person demo city's person mentions are copied into a fresh database and linked; then
about 1 % of them are delivered again under new mention ids, some with a new phone, a few
leave, and the run links only those. Scored pairwise against the generator's truth, the result
must be as good as a full run over the same mentions — over all mentions, and over the pairs
that involve a changed mention, where a broken incremental run would show first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest

from hub.linkage.frames import read_frame
from hub.linkage.run import link_subject
from matching.evaluate import pairs_from_clusters, pairwise_scores

CHANGED_SHARE = 0.01
DELIVERY = "9000001"  # the changed rows come again: their delivery ids are prefixed with it
MARGIN = 0.005  # precision and recall over all mentions
CHANGED_MARGIN = 0.02  # recall over the pairs of the changed mentions (a few hundred pairs)


def copy_mentions(source_url: str, target: psycopg.Connection) -> None:
    """The city's person mentions, every column, into ``target``."""
    with psycopg.connect(source_url) as source:
        columns = source.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'intermediate' and table_name = 'int_person_mentions' "
            "order by ordinal_position"
        ).fetchall()
        target.execute("create schema intermediate")
        target.execute(
            "create table intermediate.int_person_mentions ("
            + ", ".join(f"{name} {kind}" for name, kind in columns)
            + ")"
        )
        with (
            source.cursor().copy("copy intermediate.int_person_mentions to stdout") as out,
            target.cursor().copy("copy intermediate.int_person_mentions from stdin") as into,
        ):
            for data in out:
                into.write(data)


def redeliver(conn: psycopg.Connection, share: float, seed: int = 7) -> set[str]:
    """Deliver ``share`` of the mentions again under new mention ids (the delivery part of the
    id changed), every second one with a new phone; half of them without a valid ID, of which
    half the engine had linked (those go through the rules and the engine again). A few
    mentions leave. The new mention ids."""
    mentions = read_frame(
        conn,
        "select m.mention_id, m.citizen_id, l.method, l.score::text "
        "from intermediate.int_person_mentions m join link.person_link l using (mention_id)",
    )
    rng = np.random.default_rng(seed)
    count = max(int(len(mentions) * share / 2), 1)
    key_less = mentions["citizen_id"].isna()
    by_engine = (mentions["method"] == "fuzzy") & ~mentions["score"].isin(["0.95", "0.85"])
    engine = mentions.loc[key_less & by_engine, "mention_id"].to_numpy()
    engine = rng.choice(engine, min(count // 2, len(engine)), replace=False)
    others = mentions.loc[key_less & ~by_engine, "mention_id"].to_numpy()
    keyed = mentions.loc[~key_less, "mention_id"].to_numpy()
    picked = [
        *engine,
        *rng.choice(others, count - len(engine), replace=False),
        *rng.choice(keyed, count, replace=False),
    ]
    conn.execute("create temporary table picked (mention_id text, k int)")
    with conn.cursor().copy("copy picked from stdin") as copy:
        for k, mention_id in enumerate(picked):
            copy.write_row((mention_id, k))
    conn.execute(
        "create temporary table moved as select m.*, p.k "
        "from intermediate.int_person_mentions m join picked p using (mention_id)"
    )
    conn.execute(
        "update moved set "
        f"mention_id = regexp_replace(mention_id, '^([^:]*):([^:]*):', '\\1:{DELIVERY}\\2:'), "
        "phone = case when k % 2 = 0 then '1390000' || lpad(k::text, 4, '0') else phone end"
    )
    conn.execute("alter table moved drop column k")
    conn.execute("insert into intermediate.int_person_mentions select * from moved")
    conn.execute(
        "delete from intermediate.int_person_mentions "
        "where mention_id in (select mention_id from picked)"
    )
    left = rng.choice(np.setdiff1d(keyed, picked), max(count // 5, 1), replace=False)
    conn.execute(
        "delete from intermediate.int_person_mentions where mention_id = any(%s)", [list(left)]
    )
    new_ids = conn.execute(
        "select mention_id from intermediate.int_person_mentions "
        "where split_part(mention_id, ':', 2) like %s",
        [DELIVERY + "%"],
    ).fetchall()
    return {mention_id for (mention_id,) in new_ids}


def scores(conn: psycopg.Connection, truth: pd.DataFrame, changed: set[str] | None = None):
    """Pairwise precision and recall of the stored links against the truth (over the pairs
    that involve a ``changed`` mention, when given)."""
    linked = read_frame(
        conn,
        "select l.mention_id, l.master_id, m.extract, m.file_name, m.source_row::text, m.role "
        "from link.person_link l join intermediate.int_person_mentions m using (mention_id)",
    ).merge(truth[truth["subject"] == "person"], on=["extract", "file_name", "source_row", "role"])
    predicted = pairs_from_clusters(linked["mention_id"], linked["master_id"])
    real = pairs_from_clusters(linked["mention_id"], linked["key"])
    if changed is not None:
        predicted = predicted[predicted["left"].isin(changed) | predicted["right"].isin(changed)]
        real = real[real["left"].isin(changed) | real["right"].isin(changed)]
    return pairwise_scores(predicted, real)


@pytest.fixture
def city(built_city, database):
    with psycopg.connect(database) as conn:
        copy_mentions(built_city.url, conn)
        yield conn, pd.read_csv(built_city.truth / "mentions.csv", dtype=str)


def test_incremental_linkage_after_a_one_percent_change_is_as_good_as_a_full_run(city):
    conn, truth = city
    first = link_subject(conn, "person")
    assert not first.incremental
    changed = redeliver(conn, CHANGED_SHARE)

    incremental = link_subject(conn, "person")
    assert incremental.incremental and incremental.linked_now == len(changed)
    now = scores(conn, truth)
    now_changed = scores(conn, truth, changed)
    (by_engine,) = conn.execute(
        "select count(*) from link.person_link where method = 'fuzzy' "
        "and score not in (0.95::real, 0.85::real) and split_part(mention_id, ':', 2) like %s",
        [DELIVERY + "%"],
    ).fetchone()

    full = link_subject(conn, "person", force=True)
    assert not full.incremental
    again = scores(conn, truth)
    again_changed = scores(conn, truth, changed)

    assert now.precision >= again.precision - MARGIN and now.recall >= again.recall - MARGIN
    assert now_changed.precision >= again_changed.precision - CHANGED_MARGIN
    assert now_changed.recall >= again_changed.recall - CHANGED_MARGIN
    # the changed mentions do have persons to join, some of them through the engine
    assert now_changed.true_positives > 100 and by_engine > 0
