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

from hub.linkage.persons import LinkDecisions
from hub.standardize.registry import standardize


def link_entities(mentions: pd.DataFrame) -> LinkDecisions:
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
        m.loc[hit.index, "cluster"] = "uscc:" + hit
        m.loc[hit.index, "method"] = method
        m.loc[hit.index, "score"] = 0.98

    review = pd.DataFrame(columns=["mention_id", "candidate", "score", "evidence"])
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
        m.loc[hit, "cluster"] = "uscc:" + m.loc[hit, "mention_id"].map(unique)
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
    return LinkDecisions(members, review.reset_index(drop=True))
