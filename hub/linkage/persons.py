"""Person linkage (人员关联): which person each mention is about.

In order of strength: a valid citizen ID is the person (``valid_key``); an invalid ID one edit
away from a known valid ID, with the same name, is that person (``repaired_key``); a mention
without a usable ID is compared with the known persons (``fuzzy``, scored by the matching
engine; doubtful pairs go to the review queue, a steward's decision is ``steward``); what stays
alone becomes a person without an ID (``no_key``), grouped with its own repeats.
Two different valid IDs are never one person: only ID-less mentions join an ID cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hub.linkage.registry import Clusters


@dataclass
class LinkDecisions:
    """mention_id → cluster with method and score; the clusters' anchors; pairs for review."""

    members: pd.DataFrame  # mention_id, cluster, method, score
    review: pd.DataFrame = field(default_factory=pd.DataFrame)

    def clusters(self) -> Clusters:
        anchors = self.members[["cluster"]].drop_duplicates().assign(anchor=lambda f: f["cluster"])
        return Clusters(self.members[["mention_id", "cluster"]], anchors)


def birth_date_from_id(ids: pd.Series) -> pd.Series:
    """The birth date embedded in 18-digit IDs (characters 7–14), as datetime64."""
    return pd.to_datetime(ids.str.slice(6, 14), format="%Y%m%d", errors="coerce")


def link_persons(mentions: pd.DataFrame, decided: pd.DataFrame | None = None) -> LinkDecisions:
    """Decide the person of every mention. ``decided``: steward decisions (mention_key,
    candidate, status) to reuse."""
    m = mentions.copy()
    m["cluster"] = None
    m["method"] = None
    m["score"] = np.nan

    valid = m["citizen_id"].notna()
    m.loc[valid, "cluster"] = "id:" + m.loc[valid, "citizen_id"]
    m.loc[valid, "method"] = "valid_key"
    m.loc[valid, "score"] = 1.0
    known = _known_persons(m[valid])

    # Repaired key: the suggestion is a known person and the name agrees (or is absent).
    rest = m["cluster"].isna() & m["citizen_id_suggestion"].notna()
    if rest.any():
        cand = m.loc[rest, ["mention_id", "citizen_id_suggestion", "name", "name_phonetic_key"]]
        cand = cand.merge(
            known[["citizen_id", "k_name", "k_phonetic"]],
            left_on="citizen_id_suggestion",
            right_on="citizen_id",
        )
        ok = cand["name"].isna() | (cand["name"] == cand["k_name"])
        ok |= cand["name_phonetic_key"].notna() & (cand["name_phonetic_key"] == cand["k_phonetic"])
        repaired = cand[ok].set_index("mention_id")["citizen_id"]
        hit = m["mention_id"].isin(repaired.index)
        m.loc[hit, "cluster"] = "id:" + m.loc[hit, "mention_id"].map(repaired)
        m.loc[hit, "method"] = "repaired_key"
        m.loc[hit, "score"] = 0.97

    review = pd.DataFrame(columns=["mention_id", "candidate", "score", "evidence"])
    open_ = m["cluster"].isna() & m["name"].notna()
    if open_.any():
        matched, review = _match_to_known(m[open_], known)
        if decided is not None and not decided.empty:
            matched, review = _apply_decisions(m, matched, review, decided)
        hit = m["mention_id"].isin(matched.index)
        m.loc[hit, "cluster"] = m.loc[hit, "mention_id"].map(matched["cluster"])
        m.loc[hit, "method"] = m.loc[hit, "mention_id"].map(matched["method"])
        m.loc[hit, "score"] = m.loc[hit, "mention_id"].map(matched["score"])

    alone = m["cluster"].isna()
    if alone.any():
        m.loc[alone, "cluster"] = _content_key(m[alone])
        m.loc[alone, "method"] = "no_key"
        m.loc[alone, "score"] = 1.0
    members = m[["mention_id", "cluster", "method", "score"]].reset_index(drop=True)
    return LinkDecisions(members, review.reset_index(drop=True))


def _known_persons(valid: pd.DataFrame) -> pd.DataFrame:
    """One row per valid ID: its name and phonetic key — the police register's when it has
    the person, else the first other mention (mentions arrive ordered by mention id, so the
    choice is deterministic) — and its birth date."""
    columns = ["citizen_id", "name", "name_phonetic_key"]
    police = valid.loc[valid["extract"] == "gaj_rkxx", columns]
    others = valid.loc[valid["extract"] != "gaj_rkxx", columns]
    both = pd.concat([police, others], ignore_index=True).drop_duplicates("citizen_id")
    known = both.rename(columns={"name": "k_name", "name_phonetic_key": "k_phonetic"})
    known["k_birth_date"] = birth_date_from_id(known["citizen_id"])
    return known


def _match_to_known(open_: pd.DataFrame, known: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exact-evidence matching of ID-less mentions to known persons (name + birth date, phonetic
    key + birth date); a unique candidate links, several go to review. The matching engine
    refines this with fuzzy comparisons."""
    o = open_[["mention_id", "name", "name_phonetic_key", "birth_date"]].copy()
    o["birth_date"] = pd.to_datetime(o["birth_date"], errors="coerce")
    by_name = o.merge(
        known, left_on=["name", "birth_date"], right_on=["k_name", "k_birth_date"]
    ).assign(score=0.95)
    by_sound = o.merge(
        known, left_on=["name_phonetic_key", "birth_date"], right_on=["k_phonetic", "k_birth_date"]
    ).assign(score=0.85)
    pairs = pd.concat([by_name, by_sound]).sort_values("score", ascending=False)
    pairs = pairs.drop_duplicates(["mention_id", "citizen_id"])
    n = pairs.groupby("mention_id")["citizen_id"].transform("size")
    unique = pairs[n == 1]
    linked = pd.DataFrame(
        {
            "cluster": "id:" + unique["citizen_id"].to_numpy(),
            "method": "fuzzy",
            "score": unique["score"].to_numpy(),
        },
        index=pd.Index(unique["mention_id"].to_numpy(), name="mention_id"),
    )
    doubtful = pairs[n > 1]
    review = pd.DataFrame(
        {
            "mention_id": doubtful["mention_id"].to_numpy(),
            "candidate": "id:" + doubtful["citizen_id"].to_numpy(),
            "score": doubtful["score"].to_numpy(),
            "evidence": [
                {"name": a, "candidate_name": b, "birth_date": str(c.date())}
                for a, b, c in zip(
                    doubtful["name"], doubtful["k_name"], doubtful["birth_date"], strict=True
                )
            ],
        }
    )
    return linked, review


def _apply_decisions(m, matched, review, decided):
    """Reuse steward decisions: an accepted pair links, a rejected one leaves review."""
    keys = m.set_index("mention_id")["mention_key"]
    review = review.assign(mention_key=review["mention_id"].map(keys))
    merged = review.merge(decided, on=["mention_key", "candidate"], how="left")
    accepted = merged[merged["status"] == "accepted"].drop_duplicates("mention_id")
    steward = pd.DataFrame(
        {"cluster": accepted["candidate"].to_numpy(), "method": "steward", "score": 1.0},
        index=pd.Index(accepted["mention_id"].to_numpy(), name="mention_id"),
    )
    still_open = merged[merged["status"].isna() & ~merged["mention_id"].isin(steward.index)]
    return pd.concat([matched, steward]), still_open[review.columns].drop(columns="mention_key")


def _content_key(rows: pd.DataFrame) -> pd.Series:
    """The anchor of a person known without a valid ID: what the records say about them.
    Repeats (the same resident on several visits) share it."""
    parts = [
        rows["name"].fillna(""),
        rows["birth_date"].astype("string").fillna(""),
        rows["phone"].fillna(""),
        rows["citizen_id_as_read"].fillna(""),
    ]
    text = parts[0].str.cat(parts[1:], sep="|")
    fallback = rows["mention_id"]
    return ("key:" + text).where(text.str.strip("|") != "", "key:" + fallback)
