"""Legal-entity linkage (法人关联): which registered entity each mention is about.

A valid unified social credit code is the entity (``valid_key``). Older records carry only the
9-character organization code (embedded in the credit code, characters 9–17) or the 15-digit
registration number: both join the entity registered with them (``organization_code``,
``registration_number``). A mention with only a name joins the one entity whose comparison key
(legal-form variants and brackets reduced) is the same (``fuzzy``); two candidates go to review.
What stays alone is an entity without a code (``no_key``). Two different valid credit codes are
never one entity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.linkage.fuzzy import TrainedModel, match_to_anchors
from hub.linkage.persons import LinkDecisions
from hub.standardize.registry import standardize
from matching.config import LinkageSettings, load_settings


def link_entities(
    mentions: pd.DataFrame,
    decided: pd.DataFrame | None = None,
    trained: TrainedModel | None = None,
) -> LinkDecisions:
    """Decide the entity of every mention. ``decided``: steward decisions (mention_key,
    candidate, status) to reuse; ``trained``: the engine's model from the last full run."""
    m = mentions.copy()
    missing_key = m["name_comparison_key"].isna() & m["name"].notna()
    if missing_key.any():
        keys = standardize("org_name", m.loc[missing_key, "name"]).extra["comparison_key"]
        m.loc[missing_key, "name_comparison_key"] = keys.to_numpy()
    m["cluster"] = None
    m["method"] = None
    m["score"] = np.nan

    valid = m["credit_code"].notna()
    m.loc[valid, "cluster"] = "uscc:" + m.loc[valid, "credit_code"]
    m.loc[valid, "method"] = "valid_key"
    m.loc[valid, "score"] = 1.0

    registered = m[valid & (m["role"] == "entity")]
    for column, method in (
        ("organization_code", "organization_code"),
        ("registration_number", "registration_number"),
    ):
        lookup = (
            m[valid & m[column].notna()].drop_duplicates(column).set_index(column)["credit_code"]
        )
        todo = m["cluster"].isna() & m[column].notna()
        found = m.loc[todo, column].map(lookup)
        hit = found.dropna()
        m.loc[hit.index, "cluster"] = "uscc:" + hit.astype(str)
        m.loc[hit.index, "method"] = method
        m.loc[hit.index, "score"] = 0.98

    review = pd.DataFrame(columns=["mention_id", "candidate", "score", "evidence"])
    model = None
    todo = m["cluster"].isna() & m["name_comparison_key"].notna()
    if todo.any():
        names = registered.drop_duplicates(["name_comparison_key", "credit_code"])
        pairs = m.loc[todo, ["mention_id", "name", "name_comparison_key"]].merge(
            names[["name_comparison_key", "credit_code", "name"]].rename(
                columns={"name": "k_name"}
            ),
            on="name_comparison_key",
        )
        n = pairs.groupby("mention_id")["credit_code"].transform("size")
        unique = pairs[n == 1].set_index("mention_id")["credit_code"]
        hit = m["mention_id"].isin(unique.index)
        m.loc[hit, "cluster"] = "uscc:" + m.loc[hit, "mention_id"].map(unique).astype(object)
        m.loc[hit, "method"] = "fuzzy"
        m.loc[hit, "score"] = 0.9
        doubtful = pairs[n > 1]
        review = pd.DataFrame(
            {
                "mention_id": doubtful["mention_id"].to_numpy(),
                "candidate": "uscc:" + doubtful["credit_code"].to_numpy(),
                "score": 0.5,
                "evidence": [
                    {"name": a, "candidate_name": b}
                    for a, b in zip(doubtful["name"], doubtful["k_name"], strict=True)
                ],
            }
        )

    # the engine for what is left: name variants, codes with one wrong character
    still = m["cluster"].isna() & ~m["mention_id"].isin(review["mention_id"])
    still &= m["name_comparison_key"].notna() | m["credit_code_as_read"].notna()
    if still.any():
        fuzzy = engine_match(m, still, trained=trained)
        model = fuzzy.trained if trained is None else None
        hit = fuzzy.linked.set_index("mention_id")
        rows = m["mention_id"].isin(hit.index)
        m.loc[rows, "cluster"] = m.loc[rows, "mention_id"].map(hit["candidate"])
        m.loc[rows, "method"] = "fuzzy"
        m.loc[rows, "score"] = m.loc[rows, "mention_id"].map(hit["score"]).astype(float)
        review = pd.concat([review, fuzzy.review], ignore_index=True)
    if decided is not None and not decided.empty and not review.empty:
        review = _reuse_decisions(m, review, decided)

    alone = m["cluster"].isna()
    if alone.any():
        text = (
            m.loc[alone, "name_comparison_key"]
            .fillna(m.loc[alone, "credit_code_as_read"])
            .fillna("mention:" + m.loc[alone, "mention_id"])
        )
        m.loc[alone, "cluster"] = "key:" + text
        m.loc[alone, "method"] = "no_key"
        m.loc[alone, "score"] = 1.0
    members = m[["mention_id", "cluster", "method", "score"]].reset_index(drop=True)
    return LinkDecisions(members, review.reset_index(drop=True), trained=model)


def _reuse_decisions(m: pd.DataFrame, review: pd.DataFrame, decided: pd.DataFrame) -> pd.DataFrame:
    """An accepted pair links (``steward``); decided pairs leave the review queue."""
    if "mention_key" not in m.columns:
        return review
    keys = m.set_index("mention_id")["mention_key"]
    merged = review.assign(mention_key=review["mention_id"].map(keys)).merge(
        decided, on=["mention_key", "candidate"], how="left"
    )
    accepted = merged[merged["status"] == "accepted"].drop_duplicates("mention_id")
    accepted = accepted.set_index("mention_id")["candidate"]
    rows = m["mention_id"].isin(accepted.index) & m["cluster"].isna()
    m.loc[rows, "cluster"] = m.loc[rows, "mention_id"].map(accepted)
    m.loc[rows, "method"] = "steward"
    m.loc[rows, "score"] = 1.0
    still = merged["status"].isna() & ~merged["mention_id"].isin(accepted.index)
    return merged.loc[still, ["mention_id", "candidate", "score", "evidence"]]


# --- the matching engine for mentions without a usable code ------------------------------------

CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit code's alphabet
TRAINING_ROWS = 5_000


def entity_settings() -> LinkageSettings:
    return load_settings("legal_entity")


def _features(m: pd.DataFrame) -> pd.DataFrame:
    as_read = (
        m["credit_code_as_read"].astype("string").str.upper().str.replace(r"\s", "", regex=True)
    )
    return pd.DataFrame(
        {
            "mention_id": m["mention_id"].to_numpy(),
            "name_comparison_key": m["name_comparison_key"].to_numpy(),
            "organization_code": m["organization_code"].to_numpy(),
            "registration_number": m["registration_number"].to_numpy(),
            "code_text": as_read.where(m["credit_code"].isna()).astype(object).to_numpy(),
        }
    )


def entity_anchors(m: pd.DataFrame) -> pd.DataFrame:
    """One anchor per valid credit code: its organization code, registration number and name
    (comparison key) — the register's where it has the entity, else the first one seen."""
    valid = m[m["credit_code"].notna()].assign(order=lambda f: (f["role"] != "entity").astype(int))
    valid = valid.sort_values("order", kind="stable")
    first = valid.drop_duplicates("credit_code")
    # the register's name where the register has the entity, else the first name seen with it
    names = valid.dropna(subset=["name_comparison_key"])
    names = names[
        (names["role"] == "entity")
        | ~names["credit_code"].isin(names.loc[names["role"] == "entity", "credit_code"])
    ]
    names = names.drop_duplicates("credit_code")
    rows = first[["credit_code", "organization_code", "registration_number"]].merge(
        names[["credit_code", "name_comparison_key"]], on="credit_code", how="left"
    )
    return pd.DataFrame(
        {
            "candidate": "uscc:" + rows["credit_code"].to_numpy(),
            "name_comparison_key": rows["name_comparison_key"].to_numpy(),
            "organization_code": rows["organization_code"].to_numpy(),
            "registration_number": rows["registration_number"].to_numpy(),
            "code_text": rows["credit_code"].to_numpy(),
        }
    )


def engine_match(
    m: pd.DataFrame,
    todo: pd.Series,
    settings: LinkageSettings | None = None,
    trained: TrainedModel | None = None,
):
    """Score the mentions flagged in ``todo`` against the entities known by a valid credit
    code with ``matching/settings/legal_entity.yaml`` (with a ``trained`` model: no training)."""
    settings = settings or entity_settings()
    features = _features(m)
    valid = m["credit_code"].notna().to_numpy()
    pool = features[valid & (m["role"] != "entity").to_numpy()]
    training = None
    if len(pool) and trained is None:
        rows = pool.sample(min(TRAINING_ROWS, len(pool)), random_state=0)
        codes = (
            m.set_index("mention_id").loc[rows["mention_id"], "credit_code"].to_numpy(dtype=object)
        )
        rng = np.random.default_rng(0)
        typo = rng.random(len(rows)) < 0.2
        where = rng.integers(8, 17, len(rows))
        shift = rng.integers(1, len(CODE_CHARACTERS), len(rows))
        changed = [
            c[:w]
            + CODE_CHARACTERS[(CODE_CHARACTERS.find(c[w]) + d) % len(CODE_CHARACTERS)]
            + c[w + 1 :]
            if t
            else None
            for c, w, d, t in zip(codes, where, shift, typo, strict=True)
        ]
        training = rows.assign(code_text=changed, candidate="uscc:" + pd.Series(codes).to_numpy())
    return match_to_anchors(
        features[todo.to_numpy()],
        entity_anchors(m),
        settings,
        training,
        must_agree=("name", "organization_code", "registration_number", "credit_code"),
        trained=trained,
    )
