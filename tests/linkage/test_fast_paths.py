"""The link stage's fast implementations give exactly what the former, plainer ones gave.

The link stage was rewritten for a million persons (features only for the mentions the engine
sees, value counts on integer codes, Arrow joins and sorts, COPY through Arrow CSV, per-value
cleaning in the engine). Master ids, links, scores and the review queue must not move, so each
former implementation is kept here as the reference and compared on the 2,000-person demo city.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest

from hub.linkage import persons
from hub.linkage.frames import read_frame, replace_table
from hub.linkage.registry import Clusters, assign_master_ids
from hub.linkage.run import PERSON_COLUMNS, link_subject, mention_key
from hub.linkage.tables import ensure_link_tables
from matching import prepare
from matching.config import DerivedKey

# --- the former implementations --------------------------------------------------------------


def former_mention_key(m: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = [m[c].fillna("").astype(str) for c in columns]
    return parts[0].str.cat(parts[1:], sep="|")


def former_row_group(m: pd.DataFrame) -> pd.Series:
    parts = m["mention_id"].astype(str).str.rsplit(":", n=1).str[0]
    visit = parts.str.replace(r"\.\d+$", "", regex=True)
    return visit.where(m["extract"] == "wgy_cj", parts)


def former_person_features(m: pd.DataFrame) -> pd.DataFrame:
    column = persons._column
    police = m[(m["extract"] == "gaj_rkxx") & m["citizen_id"].notna()]
    household_of = (
        police.dropna(subset=["household_number"])
        .drop_duplicates("citizen_id")
        .set_index("citizen_id")["household_number"]
    )
    group = former_row_group(m)
    mates = pd.DataFrame({"group": group, "household": m["citizen_id"].map(household_of)})
    mates = mates.dropna()
    counts = mates.value_counts(["group", "household"]).reset_index()
    mode = counts.drop_duplicates("group").set_index("group")["household"]
    household = group.map(mode)
    mother = column(m, "mother_citizen_id").map(household_of)
    household = mother.where(mother.notna(), household)
    birth = column(m, "birth_date").astype(object)
    month = column(m, "birth_month").astype("string").str.slice(0, 7)
    as_read = (
        m["citizen_id_as_read"].astype("string").str.upper().str.replace(r"\s", "", regex=True)
    )
    return pd.DataFrame(
        {
            "mention_id": m["mention_id"].to_numpy(),
            "name": m["name"].to_numpy(),
            "name_phonetic_key": m["name_phonetic_key"].to_numpy(),
            "birth_date": birth.to_numpy(),
            "birth_month": month.where(birth.isna()).astype(object).to_numpy(),
            "sex": m["sex"].to_numpy(),
            "phone": m["phone"].to_numpy(),
            "address_code": m["address_code"].to_numpy(),
            "address_text": column(m, "address_text").to_numpy(),
            "household": household.to_numpy(),
            "id_text": as_read.where(m["citizen_id"].isna()).astype(object).to_numpy(),
        }
    )


def former_top_values(ids: pd.Series, values: pd.Series, name: str) -> pd.DataFrame:
    pairs = pd.DataFrame({"citizen_id": ids.to_numpy(), name: values.to_numpy()}).dropna()
    counts = pairs.value_counts(["citizen_id", name], sort=True).reset_index()
    counts = counts[counts.groupby("citizen_id").cumcount() < persons.MAX_VALUES]
    return counts[["citizen_id", name]]


def former_person_anchors(m: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    valid = m["citizen_id"].notna().to_numpy()
    known = persons._known_persons(m[valid])
    ids = known["citizen_id"]
    police = valid & (m["extract"] == "gaj_rkxx").to_numpy()
    household_of = pd.Series(
        persons._column(m, "household_number").to_numpy()[police],
        index=m["citizen_id"].to_numpy()[police],
    ).dropna()
    household_of = household_of[~household_of.index.duplicated()]
    base = pd.DataFrame(
        {
            "candidate": "id:" + ids.to_numpy(),
            "citizen_id": ids.to_numpy(),
            "name": known["k_name"].to_numpy(),
            "name_phonetic_key": known["k_phonetic"].to_numpy(),
            "birth_date": known["k_birth_date"].dt.strftime("%Y-%m-%d").to_numpy(),
            "birth_month": known["k_birth_date"].dt.strftime("%Y-%m").to_numpy(),
            "sex": persons._id_sex(ids).to_numpy(),
            "household": ids.map(household_of).to_numpy(),
            "id_text": ids.to_numpy(),
        }
    )
    seen = features[valid]
    cid = m.loc[valid, "citizen_id"]
    for column in ("phone", "address_code", "address_text"):
        base = base.merge(former_top_values(cid, seen[column], column), on="citizen_id", how="left")
    return base.drop(columns="citizen_id")


def former_clean_strings(series: pd.Series) -> pd.Series:
    raw = series.to_numpy(dtype=object)
    null = pd.isna(raw)
    text = np.char.strip(np.where(null, "", raw).astype(str))
    out = text.astype(object)
    out[null | (text == "")] = None
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def former_derive(series: pd.Series, key: DerivedKey) -> pd.Series:
    values = former_clean_strings(series)
    mapping = {value: prepare._transform_one(value, key) for value in values.dropna().unique()}
    out = values.map(mapping)
    return out.where(out.notna() & (out != ""), None).astype(object)


def former_assign_master_ids(conn, subject, clusters: Clusters, previous: pd.DataFrame):
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
    if not previous.empty:
        open_members = clusters.members[~clusters.members["cluster"].isin(chosen.index)]
        votes = open_members.merge(previous, on="mention_id")
        if not votes.empty:
            counts = votes.groupby(["cluster", "master_id"]).size().rename("n").reset_index()
            counts = counts.sort_values(
                ["cluster", "n", "master_id"], ascending=[True, False, True]
            )
            inherited = counts.drop_duplicates("cluster").set_index("cluster")["master_id"]
            inherited = inherited[~inherited.isin(set(chosen.to_numpy()))].drop_duplicates()
            chosen = pd.concat([chosen, inherited])
    chosen = chosen[~chosen.duplicated()]
    first = clusters.anchors.groupby("cluster")["anchor"].min().to_dict()
    missing = sorted(set(clusters.anchors["cluster"]) - set(chosen.index), key=first.get)
    if missing:
        numbers = conn.execute(
            "select nextval('link.person_master_seq') from generate_series(1, %s)", [len(missing)]
        ).fetchall()
        fresh = pd.Series([f"P{n:010d}" for (n,) in numbers], index=pd.Index(missing))
        chosen = pd.concat([chosen, fresh])
    new_anchors = by_anchor[by_anchor["master_id"].isna()][["cluster", "anchor"]]
    new_anchors = new_anchors.assign(master_id=new_anchors["cluster"].map(chosen))
    with conn.cursor().copy(
        "copy link.master_registry (subject, anchor, master_id) from stdin"
    ) as c:
        for row in new_anchors.itertuples(index=False):
            c.write_row((subject, row.anchor, row.master_id))
    return chosen


# --- the comparisons --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mentions(built_city) -> pd.DataFrame:
    with psycopg.connect(built_city.url) as conn:
        return read_frame(
            conn,
            f"select {PERSON_COLUMNS} from intermediate.int_person_mentions order by mention_id",
        )


KEY = ["extract", "role", "citizen_id_as_read", "name", "birth_date", "phone"]


def test_mention_key_is_the_former_text(mentions):
    assert mention_key(mentions, KEY).equals(former_mention_key(mentions, KEY))
    mixed = pd.DataFrame({"a": ["x", None, "z"], "n": [1.5, np.nan, 3.0]})
    assert mention_key(mixed, ["a", "n"]).tolist() == former_mention_key(mixed, ["a", "n"]).tolist()


def test_person_features_and_anchors_are_the_former_ones(mentions):
    former = former_person_features(mentions)
    pd.testing.assert_frame_equal(persons.person_features(mentions), former, check_index_type=False)
    rows = np.random.default_rng(1).choice(len(mentions), 300, replace=False)
    pd.testing.assert_frame_equal(
        persons.person_features(mentions, rows).reset_index(drop=True),
        former.iloc[rows].reset_index(drop=True),
    )
    assert persons._row_group(mentions).tolist() == former_row_group(mentions).tolist()
    pd.testing.assert_frame_equal(
        persons.person_anchors(mentions), former_person_anchors(mentions, former)
    )


def test_engine_cleaning_is_the_former_one(mentions):
    odd = pd.Series([" 王 明 ", "\u3000李\u3000", "", "  ", None, np.nan, "a\tb\n", "x", " x"])
    for series in [odd, *(mentions[c] for c in ("name", "address_text", "phone"))]:
        assert prepare.clean_strings(series).equals(former_clean_strings(series))
    numbers = pd.Series([1.5, None, 2.0, 1.5])
    assert prepare.clean_strings(numbers).equals(former_clean_strings(numbers))
    for key in (
        DerivedKey(name="k", column="c", transform="last", length=14),
        DerivedKey(name="k", column="c", transform="first", length=1),
        DerivedKey(name="k", column="c", transform="digits"),
    ):
        for series in (odd, mentions["address_text"], mentions["name"]):
            assert prepare.derive(series, key).equals(former_derive(series, key))


def test_master_ids_are_the_former_ones(mentions, database):
    decisions = persons.link_persons(mentions.assign(mention_key=mention_key(mentions, KEY)))
    clusters = decisions.clusters()
    results = {}
    with psycopg.connect(database) as conn:
        ensure_link_tables(conn)
        for name, assign in (("former", former_assign_master_ids), ("new", assign_master_ids)):
            conn.execute("truncate link.master_registry")
            conn.execute("alter sequence link.person_master_seq restart")
            first = assign(
                conn, "person", clusters, pd.DataFrame(columns=["mention_id", "master_id"])
            )
            # a second run: some clusters lose their anchor and inherit by majority vote
            previous = pd.DataFrame(
                {
                    "mention_id": decisions.members["mention_id"],
                    "master_id": decisions.members["cluster"].map(first),
                }
            )
            renamed = clusters.members.assign(
                cluster=clusters.members["cluster"].where(
                    ~clusters.members["cluster"].str.endswith("1"),
                    "new:" + clusters.members["cluster"],
                )
            )
            anchors = renamed[["cluster"]].drop_duplicates().assign(anchor=lambda f: f["cluster"])
            second = assign(conn, "person", Clusters(renamed, anchors), previous)
            registry = conn.execute(
                "select anchor, master_id from link.master_registry order by anchor"
            ).fetchall()
            results[name] = (first.sort_index(), second.sort_index(), registry)
    for former, new in zip(results["former"], results["new"], strict=True):
        if isinstance(former, pd.Series):
            pd.testing.assert_series_equal(new, former, check_names=False, check_index_type=False)
        else:
            assert new == former


def test_a_rerun_of_the_link_stage_moves_nothing(built_city):
    """Links, master ids and the review queue: the same after a second run."""
    with psycopg.connect(built_city.url) as conn:
        first = conn.execute(
            "select mention_id, master_id, method, score from link.person_link order by 1"
        ).fetchall()
        link_subject(conn, "person")  # in the connection's transaction, rolled back below
        again = conn.execute(
            "select mention_id, master_id, method, score from link.person_link order by 1"
        ).fetchall()
        indexes = conn.execute(
            "select indexname, indexdef from pg_indexes where tablename = 'person_link' order by 1"
        ).fetchall()
        conn.rollback()
    assert again == first
    assert [name for name, _ in indexes] == ["person_link_master", "person_link_pkey"]


def test_replace_table_keeps_nulls_and_text(database):
    with psycopg.connect(database) as conn:
        conn.execute("create schema s; create table s.t (a text primary key, b text, c real)")
        conn.execute("create index t_b on s.t (b)")
        frame = pd.DataFrame(
            {"a": ['x,"y"', "z", "w"], "b": ["", None, "é|1"], "c": [0.97, 1.0, np.nan]}
        )
        replace_table(conn, "s.t", frame)
        rows = conn.execute("select a, b, c from s.t order by a").fetchall()
        assert conn.execute(
            "select count(*) from pg_indexes where indexname = 't_b'"
        ).fetchone() == (1,)
    assert rows == [("w", "é|1", None), ('x,"y"', None, pytest.approx(0.97)), ("z", None, 1.0)]
