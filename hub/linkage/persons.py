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
import pyarrow as pa
import pyarrow.compute as pc

from hub.linkage.fuzzy import Matched, TrainedModel, match_to_anchors
from hub.linkage.registry import Clusters
from matching.config import LinkageSettings, load_settings


@dataclass
class LinkDecisions:
    """mention_id → cluster with method and score; the clusters' anchors; pairs for review."""

    members: pd.DataFrame  # mention_id, cluster, method, score
    review: pd.DataFrame = field(default_factory=pd.DataFrame)
    stats: dict = field(default_factory=dict)  # engine figures (candidate pairs, seconds)
    trained: TrainedModel | None = None  # the engine's model, when this run trained one

    def clusters(self) -> Clusters:
        anchors = self.members[["cluster"]].drop_duplicates().assign(anchor=lambda f: f["cluster"])
        return Clusters(self.members[["mention_id", "cluster"]], anchors)


def birth_date_from_id(ids: pd.Series) -> pd.Series:
    """The birth date embedded in 18-digit IDs (characters 7–14), as datetime64."""
    return pd.to_datetime(ids.str.slice(6, 14), format="%Y%m%d", errors="coerce")


def link_persons(
    mentions: pd.DataFrame,
    decided: pd.DataFrame | None = None,
    trained: TrainedModel | None = None,
) -> LinkDecisions:
    """Decide the person of every mention. ``decided``: steward decisions (mention_key,
    candidate, status) to reuse; ``trained``: the engine's model from the last full run (an
    incremental run: the mentions are the changed ones and the valid-ID persons around them)."""
    m = mentions.copy()
    m["cluster"] = None
    m["method"] = None
    m["score"] = np.nan

    valid = m["citizen_id"].notna()
    m.loc[valid, "cluster"] = "id:" + m.loc[valid, "citizen_id"]
    m.loc[valid, "method"] = "valid_key"
    m.loc[valid, "score"] = 1.0
    known = _known_persons(m.loc[valid, KNOWN_COLUMNS])

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
        repaired = cand[ok].set_index("mention_id")["citizen_id"].astype(object)
        hit = m["mention_id"].isin(repaired.index)
        m.loc[hit, "cluster"] = "id:" + m.loc[hit, "mention_id"].map(repaired).astype(object)
        m.loc[hit, "method"] = "repaired_key"
        m.loc[hit, "score"] = 0.97

    review = pd.DataFrame(columns=["mention_id", "candidate", "score", "evidence"])
    stats: dict = {}
    model = None
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
            fuzzy = engine_match(m, still, known=known, trained=trained)
            model = fuzzy.trained if trained is None else None
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
    return LinkDecisions(members, review.reset_index(drop=True), stats, model)


KNOWN_COLUMNS = ["extract", "citizen_id", "name", "name_phonetic_key"]


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
    m: pd.DataFrame,
    todo: pd.Series,
    settings: LinkageSettings | None = None,
    known: pd.DataFrame | None = None,
    trained: TrainedModel | None = None,
) -> Matched:
    """Score the mentions flagged in ``todo`` against one anchor per valid ID (several rows when
    the ID was seen with several phones / addresses) with ``matching/settings/person.yaml``.

    Features are built only for the mentions the engine sees (``todo`` and the training rows),
    a few ten thousand of three million; ``known`` is ``_known_persons`` when the caller has it;
    with a ``trained`` model there is no training and so no training rows.
    """
    settings = settings or person_settings()
    valid = m["citizen_id"].notna().to_numpy()
    anchors = person_anchors(m, known=known)
    wanted = np.flatnonzero(todo.to_numpy())
    # training rows: mentions with a valid ID from departments other than the register, ID hidden
    pool = np.flatnonzero(valid & (m["extract"] != "gaj_rkxx").to_numpy())
    picked = pool[_training_sample(len(pool))] if trained is None else pool[:0]
    features = person_features(m, np.concatenate([wanted, picked]))
    mentions = features.iloc[: len(wanted)]
    training = _training_rows(
        features.iloc[len(wanted) :], m["citizen_id"].to_numpy(dtype=object)[picked]
    )
    return match_to_anchors(
        mentions, anchors, settings, training, must_agree=("name", "pinyin"), trained=trained
    )


def _training_sample(pool_size: int) -> np.ndarray:
    """Positions in the pool of the training mentions: what ``pool.sample(n, random_state=0)``
    picks (the draw depends only on the pool's length)."""
    if pool_size == 0:
        return np.empty(0, dtype="int64")
    positions = pd.Series(np.arange(pool_size))
    return positions.sample(min(TRAINING_ROWS, pool_size), random_state=0).to_numpy()


def _training_rows(rows: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame | None:
    """The training mentions (features of mentions whose valid ID ``ids`` is known, ID hidden):
    true matches for EM. A fifth carry their ID with one digit changed (the typo the
    ``citizen_id`` comparison looks for), so that its m is estimated too."""
    if rows.empty:
        return None
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


def _row_group(m: pd.DataFrame) -> np.ndarray:
    """The staged row a mention comes from (a gridworker visit for its residents): mentions of
    one row are co-mentions (a newborn and its mother, a resident and the household).

    The mention id without its role (``extract:delivery:row``), and for a gridworker visit
    without the resident's ``.n`` either; with Arrow's regular expressions, over all mentions."""
    ids = pa.array(m["mention_id"].astype(str).to_numpy(dtype=object), type=pa.string())
    parts = pc.replace_substring_regex(ids, pattern=r":[^:]*\z", replacement="")
    visit = pc.replace_substring_regex(parts, pattern=r"\.[0-9]+\z", replacement="")
    grid = pa.array((m["extract"] == "wgy_cj").to_numpy(dtype=bool))
    return pc.if_else(grid, visit, parts).to_numpy(zero_copy_only=False)


def _ordered_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of strings numbered in string order, and the sorted distinct strings.

    Group-bys over millions of string pairs are much faster on such codes, and since the codes
    sort as the strings do, a pandas group-by or value count gives the same rows in the same
    order as on the strings (so its ties are broken the same way). Arrow sorts UTF-8 by bytes,
    which is the order of Python's string comparison."""
    encoded = pc.dictionary_encode(pa.array(values, type=pa.string(), from_pandas=True))
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    indices = pc.fill_null(encoded.indices, -1).to_numpy().astype("int64")
    codes = np.where(indices >= 0, rank[indices], -1)
    uniques = encoded.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return codes, uniques


def _register_households(m: pd.DataFrame) -> pd.Series:
    """citizen_id → household number in the police register (the first register row with one)."""
    if "household_number" not in m.columns:
        return pd.Series(dtype=object)
    police = ((m["extract"] == "gaj_rkxx") & m["citizen_id"].notna()).to_numpy()
    households = pd.Series(
        m["household_number"].to_numpy()[police], index=m["citizen_id"].to_numpy()[police]
    ).dropna()
    return households[~households.index.duplicated()]


def _household_by_group(group: np.ndarray, households: np.ndarray) -> pd.Series:
    """Per staged row, the most frequent register household among its valid IDs.

    Ties go the way the former string value count broke them: the counts are the same rows in
    the same order (codes in string order), sorted by the same pandas call."""
    g, g_text = _ordered_codes(group)
    h, h_text = _ordered_codes(households)
    counts = pd.DataFrame({"group": g, "household": h}).value_counts(["group", "household"])
    mode = counts.reset_index().drop_duplicates("group")
    return pd.Series(
        h_text[mode["household"].to_numpy()], index=pd.Index(g_text[mode["group"].to_numpy()])
    )


def person_features(m: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """One row per mention with the columns person.yaml compares (all text); ``rows``: the
    positions of the mentions wanted (default all), indexed by position."""
    rows = np.arange(len(m)) if rows is None else np.asarray(rows, dtype="int64")
    household_of = _register_households(m)
    # household evidence: the register household of the valid IDs met in the same staged row
    # (a newborn's mother, a resident's co-residents); the most frequent one
    group = _row_group(m)
    where = household_of.index.get_indexer(m["citizen_id"]) if len(household_of) else None
    sub = m.iloc[rows]
    household = pd.Series(None, index=sub.index, dtype=object)
    if where is not None and (where >= 0).any():
        mate = where >= 0
        mode = _household_by_group(group[mate], household_of.to_numpy()[where[mate]])
        household = pd.Series(group[rows], index=sub.index).map(mode).astype(object)
    mother = _column(sub, "mother_citizen_id").map(household_of)
    household = mother.where(mother.notna(), household)
    birth = _column(sub, "birth_date").astype(object)
    month = _column(sub, "birth_month").astype("string").str.slice(0, 7)
    as_read = (
        sub["citizen_id_as_read"].astype("string").str.upper().str.replace(r"\s", "", regex=True)
    )
    return pd.DataFrame(
        {
            "mention_id": sub["mention_id"].to_numpy(),
            "name": sub["name"].to_numpy(),
            "name_phonetic_key": sub["name_phonetic_key"].to_numpy(),
            "birth_date": birth.to_numpy(),
            "birth_month": month.where(birth.isna()).astype(object).to_numpy(),
            "sex": sub["sex"].to_numpy(),
            "phone": sub["phone"].to_numpy(),
            "address_code": sub["address_code"].to_numpy(),
            "address_text": _column(sub, "address_text").to_numpy(),
            "household": household.astype(object).to_numpy(),
            "id_text": as_read.where(sub["citizen_id"].isna()).astype(object).to_numpy(),
        },
        index=pd.Index(rows),
    )


def _top_values(ids: np.ndarray, values: np.ndarray, name: str) -> pd.DataFrame:
    """Per ID code (``ids``: codes in string order) its most frequent values, at most
    MAX_VALUES, as (citizen_id code, name) rows.

    Counted on codes in string order (see ``_ordered_codes``): the same rows in the same order,
    ties included, as counting the strings, in a fraction of the time."""
    ok = ~pd.isna(values)
    v, v_text = _ordered_codes(values[ok])
    counts = pd.DataFrame({"citizen_id": ids[ok], name: v})
    counts = counts.value_counts(["citizen_id", name], sort=True).reset_index()
    counts = counts[counts.groupby("citizen_id").cumcount() < MAX_VALUES]
    return pd.DataFrame(
        {"citizen_id": counts["citizen_id"].to_numpy(), name: v_text[counts[name].to_numpy()]}
    )


def _date_text(dates: pd.Series, length: int) -> np.ndarray:
    """``YYYY-MM-DD`` (length 10) or ``YYYY-MM`` (7) of datetimes, NaN for NaT: what
    ``dt.strftime`` gives, without formatting a million dates one by one."""
    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    text = np.datetime_as_string(days, unit="D").astype(f"<U{length}").astype(object)
    text[np.isnat(days)] = np.nan
    return text


def person_anchors(
    m: pd.DataFrame, features: pd.DataFrame | None = None, known: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One anchor per valid ID: the register's name (else the first mention's), birth date and
    sex from the ID, the register household, and every phone / address seen with the ID in any
    department — one row per combination, so that a mention agreeing on several of them is
    seen agreeing on all at once. (``features`` is not needed: the phones and addresses are
    the mentions' own; ``known``: ``_known_persons`` when the caller has it.)"""
    valid = m["citizen_id"].notna().to_numpy()
    known = _known_persons(m.loc[valid, KNOWN_COLUMNS]) if known is None else known
    ids = known["citizen_id"]
    household_of = _register_households(m)
    base = pd.DataFrame(
        {
            "candidate": "id:" + ids.to_numpy(),
            "citizen_id": ids.to_numpy(),
            "name": known["k_name"].to_numpy(),
            "name_phonetic_key": known["k_phonetic"].to_numpy(),
            "birth_date": _date_text(known["k_birth_date"], 10),
            "birth_month": _date_text(known["k_birth_date"], 7),
            "sex": _id_sex(ids).to_numpy(),
            "household": ids.map(household_of).to_numpy(),
            "id_text": ids.to_numpy(),
        }
    )
    # one row per (ID, phone, address code, address text) of its top values, in the order the
    # former string merges gave; the merges run on integer ID codes
    ids_seen, id_text = _ordered_codes(m["citizen_id"].to_numpy(dtype=object)[valid])
    rows = pd.DataFrame(
        {"citizen_id": pd.Index(id_text).get_indexer(ids), "row": np.arange(len(base))}
    )
    for column in ("phone", "address_code", "address_text"):
        values = _column(m, column).to_numpy(dtype=object)[valid]
        rows = rows.merge(_top_values(ids_seen, values, column), on="citizen_id", how="left")
    anchors = base.drop(columns="citizen_id").iloc[rows["row"].to_numpy()].reset_index(drop=True)
    for column in ("phone", "address_code", "address_text"):
        anchors[column] = rows[column].to_numpy()
    return anchors
