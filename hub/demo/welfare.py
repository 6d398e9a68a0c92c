"""Minimum-living-allowance (低保) households: about 2% of the registered population, poorer and
older households and rural ones more often, every living member listed under the head's ID."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import ALLOWANCE_STANDARD, ALLOWANCE_STANDARD_DEFAULT
from hub.demo.util import age_at, random_days, table

ALLOWANCE_SHARE = 0.02


def allowances(
    persons: pd.DataFrame, households: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per recipient: person, head, status (在保/停保), monthly amount, application date."""
    alive = np.isnat(persons.death.to_numpy()) & (persons.police_status.to_numpy() == 0)
    heads = persons[(persons.role == "H") & alive & persons.registered]
    hh = households.iloc[heads.hh.to_numpy()]
    age = age_at(heads.birth.to_numpy(), as_of)
    weight = np.where(hh.urban.to_numpy(), 1.0, 2.0) * np.where(age >= 60, 2.0, 1.0)
    weight *= np.where(hh.cur_place.to_numpy() == hh.hj_place.to_numpy(), 1.0, 0.2)
    if not len(heads):  # nobody alive to apply
        empty = np.empty(0, np.int64)
        return table({"person": empty, "hh": empty, "head": empty, "status": np.empty(0, object),
                      "amount": empty, "applied": np.empty(0, "datetime64[D]")})  # fmt: skip
    order = rng.choice(len(heads), size=len(heads), replace=False, p=weight / weight.sum())
    members = persons[alive & persons.registered].groupby("hh").size()
    sizes = members.reindex(heads.hh.to_numpy()[order]).fillna(0).to_numpy()
    target = ALLOWANCE_SHARE * (alive & persons.registered.to_numpy()).sum()
    k = int(np.searchsorted(np.cumsum(sizes), target)) + 1
    chosen = heads.iloc[order[:k]]
    status = np.where(rng.random(len(chosen)) < 0.85, "在保", "停保")
    county = households.county.to_numpy()[chosen.hh.to_numpy()]
    standard = (
        pd.Series(county).map(ALLOWANCE_STANDARD).fillna(ALLOWANCE_STANDARD_DEFAULT).to_numpy()
    )
    amount = (standard - rng.integers(0, 8, len(chosen)) * 10).astype(np.int64)
    applied = random_days(
        rng, np.datetime64("2015-01-01"), as_of - np.timedelta64(30, "D"), len(chosen)
    )
    per_hh = table(
        {
            "hh": chosen.hh.to_numpy(),
            "head": chosen.index.to_numpy(),
            "status": status,
            "amount": amount,
            "applied": applied,
        }
    )
    rows = persons[alive & persons.registered & persons.hh.isin(per_hh.hh)].reset_index(
        names="person"
    )
    rows = rows[["person", "hh", "role"]].merge(per_hh, on="hh")
    rows["role_order"] = rows.role.map({"H": 0, "S": 1, "P": 2, "C": 3})
    rows = rows.sort_values(["applied", "hh", "role_order", "person"], kind="stable")
    return rows.drop(columns=["role", "role_order"]).reset_index(drop=True)
