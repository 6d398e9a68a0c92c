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

from hub.linkage.fuzzy import Matched, match_to_anchors
from hub.linkage.registry import Clusters
from matching.config import LinkageSettings, load_settings


@dataclass
class LinkDecisions:
    """mention_id → cluster with method and score; the clusters' anchors; pairs for review."""

    members: pd.DataFrame  # mention_id, cluster, method, score
    review: pd.DataFrame = field(default_factory=pd.DataFrame)
    stats: dict = field(default_factory=dict)  # engine figures (candidate pairs, seconds)

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
    stats: dict = {}
    open_ = m["cluster"].isna() & m["name"].notna()
    if open_.any():
        # exact evidence first (name or pinyin + birth date, one candidate), then the engine
        matched, review = _match_to_known(m[open_], known)
        still = (
            open_
            & ~m["mention_id"].isin(matched.index)
            & ~m["mention_id"].isin(review["mention_id"])
        )
        if still.any():
            fuzzy = engine_match(m, still)
            if fuzzy.result is not None:
                stats = {
                    "engine_records": int(still.sum()),
                    "candidate_pairs": len(fuzzy.result.pairs),
                    **{f"seconds_{k}": v for k, v in fuzzy.result.timings.items()},
                }
            matched = pd.concat(
                [
                    matched,
                    pd.DataFrame(
                        {
                            "cluster": fuzzy.linked["candidate"].to_numpy(),
                            "method": "fuzzy",
                            "score": fuzzy.linked["score"].to_numpy(dtype=float),
                        },
                        index=pd.Index(fuzzy.linked["mention_id"].to_numpy(), name="mention_id"),
                    ),
                ]
            )
            review = pd.concat([review, fuzzy.review], ignore_index=True)
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
    return LinkDecisions(members, review.reset_index(drop=True), stats)


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
    if "mother_citizen_id" in rows.columns:  # two newborns of one name and day: two mothers
        mother = rows["mother_citizen_id"]
        text = text.where(mother.isna(), text + "|mother:" + mother.fillna(""))
    return ("key:" + text).where(text.str.strip("|") != "", "key:" + fallback)


# --- the matching engine for mentions without a usable ID -------------------------------------

OPTIONAL_COLUMNS = ("address_text", "household_number", "mother_citizen_id", "birth_month")
FEATURES = [
    "name",
    "name_phonetic_key",
    "birth_date",
    "birth_month",
    "sex",
    "phone",
    "address_code",
    "address_text",
    "household",
    "id_text",
]
MAX_VALUES = 3  # phones / address codes / texts per ID spread over anchor rows (most seen first)
TRAINING_ROWS = 20_000  # mentions with a valid ID, ID hidden, added so EM sees true matches


def person_settings() -> LinkageSettings:
    return load_settings("person")


def engine_match(
    m: pd.DataFrame, todo: pd.Series, settings: LinkageSettings | None = None
) -> Matched:
    """Score the mentions flagged in ``todo`` against one anchor per valid ID (several rows when
    the ID was seen with several phones / addresses) with ``matching/settings/person.yaml``."""
    settings = settings or person_settings()
    features = person_features(m)
    valid = m["citizen_id"].notna().to_numpy()
    anchors = person_anchors(m, features)
    mentions = features[todo.to_numpy()]
    # training rows: mentions with a valid ID from departments other than the register, ID hidden
    training = _training_rows(features[valid & (m["extract"] != "gaj_rkxx").to_numpy()], m)
    return match_to_anchors(mentions, anchors, settings, training, must_agree=("name", "pinyin"))


def _training_rows(pool: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame | None:
    """A sample of mentions whose valid ID is known, ID hidden: true matches for EM. A fifth
    carry their ID with one digit changed (the typo the ``citizen_id`` comparison looks for),
    so that its m is estimated too."""
    if pool.empty:
        return None
    rows = pool.sample(min(TRAINING_ROWS, len(pool)), random_state=0)
    ids = m.set_index("mention_id").loc[rows["mention_id"], "citizen_id"].to_numpy(dtype=object)
    rng = np.random.default_rng(0)
    typo = rng.random(len(rows)) < 0.2
    where = rng.integers(6, 17, len(rows))
    digit = rng.integers(1, 10, len(rows))
    changed = [
        (i[:w] + str((int(i[w]) + d) % 10) + i[w + 1 :]) if t else None
        for i, w, d, t in zip(ids, where, digit, typo, strict=True)
    ]
    return rows.assign(id_text=changed, candidate="id:" + pd.Series(ids, dtype=object).to_numpy())


def _column(m: pd.DataFrame, name: str) -> pd.Series:
    return m[name] if name in m.columns else pd.Series(None, index=m.index, dtype=object)


def _id_sex(ids: pd.Series) -> pd.Series:
    digit = pd.to_numeric(ids.str.slice(16, 17), errors="coerce").to_numpy()
    sex = np.where(digit % 2 == 1, "1", "2").astype(object)
    return pd.Series(np.where(np.isnan(digit), None, sex), index=ids.index, dtype=object)


def _row_group(m: pd.DataFrame) -> pd.Series:
    """The staged row a mention comes from (a gridworker visit for its residents): mentions of
    one row are co-mentions (a newborn and its mother, a resident and the household)."""
    parts = m["mention_id"].astype(str).str.rsplit(":", n=1).str[0]
    visit = parts.str.replace(r"\.\d+$", "", regex=True)
    return visit.where(m["extract"] == "wgy_cj", parts)


def person_features(m: pd.DataFrame) -> pd.DataFrame:
    """One row per mention with the columns person.yaml compares (all text)."""
    police = m[(m["extract"] == "gaj_rkxx") & m["citizen_id"].notna()]
    household_of = (
        police.dropna(subset=["household_number"])
        .drop_duplicates("citizen_id")
        .set_index("citizen_id")["household_number"]
        if "household_number" in m.columns
        else pd.Series(dtype=object)
    )
    # household evidence: the register household of the valid IDs met in the same staged row
    # (a newborn's mother, a resident's co-residents); the most frequent one
    group = _row_group(m)
    mates = pd.DataFrame({"group": group, "household": m["citizen_id"].map(household_of)})
    mates = mates.dropna()
    if len(mates):
        counts = mates.value_counts(["group", "household"]).reset_index()
        mode = counts.drop_duplicates("group").set_index("group")["household"]
        household = group.map(mode)
    else:
        household = pd.Series(None, index=m.index, dtype=object)
    mother = _column(m, "mother_citizen_id").map(household_of)
    household = mother.where(mother.notna(), household)
    birth = _column(m, "birth_date").astype(object)
    month = _column(m, "birth_month").astype("string").str.slice(0, 7)
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
            "address_text": _column(m, "address_text").to_numpy(),
            "household": household.to_numpy(),
            "id_text": as_read.where(m["citizen_id"].isna()).astype(object).to_numpy(),
        }
    )


def _top_values(ids: pd.Series, values: pd.Series, name: str) -> pd.DataFrame:
    """Per ID its most frequent values (at most MAX_VALUES), as (citizen_id, name) rows."""
    pairs = pd.DataFrame({"citizen_id": ids.to_numpy(), name: values.to_numpy()}).dropna()
    counts = pairs.value_counts(["citizen_id", name], sort=True).reset_index()
    counts = counts[counts.groupby("citizen_id").cumcount() < MAX_VALUES]
    return counts[["citizen_id", name]]


def person_anchors(m: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """One anchor per valid ID: the register's name (else the first mention's), birth date and
    sex from the ID, the register household, and every phone / address seen with the ID in any
    department — one row per combination, so that a mention agreeing on several of them is
    seen agreeing on all at once."""
    valid = m["citizen_id"].notna().to_numpy()
    known = _known_persons(m[valid])
    ids = known["citizen_id"]
    police = valid & (m["extract"] == "gaj_rkxx").to_numpy()
    household_of = pd.Series(
        _column(m, "household_number").to_numpy()[police], index=m["citizen_id"].to_numpy()[police]
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
            "sex": _id_sex(ids).to_numpy(),
            "household": ids.map(household_of).to_numpy(),
            "id_text": ids.to_numpy(),
        }
    )
    seen = features[valid]
    cid = m.loc[valid, "citizen_id"]
    for column in ("phone", "address_code", "address_text"):
        values = _top_values(cid, seen[column], column)
        base = base.merge(values, on="citizen_id", how="left")
    return base.drop(columns="citizen_id")
