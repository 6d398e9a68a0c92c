"""Gridworker visits (一标三实): a gridworker calls at a dwelling and lists who lives there now.

Visits see where people really live (movers, migrants, foreigners, babies without 户口) and miss
some members; each county uploads its visits month by month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.util import members, random_days, random_times, table

VISITED_SHARE = 0.35
REVISIT_SHARE = 0.08
MISSED_MEMBER = 0.1  # a resident the gridworker did not list
UPLOAD_MAX_VISITS = 2000


def visits(
    persons: pd.DataFrame,
    households: pd.DataFrame,
    places: pd.DataFrame,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(visits, residents): a visit per call at a dwelling, the residents listed at each."""
    living = persons[(persons.cur_place >= 0)]
    occupied = np.flatnonzero(members(living.cur_place.to_numpy(), len(places)))
    unregistered = ~places.in_register.to_numpy()[occupied]
    chosen = (rng.random(len(occupied)) < VISITED_SHARE) | unregistered
    again = occupied[chosen & (rng.random(len(occupied)) < REVISIT_SHARE)]
    place = np.concatenate([occupied[chosen], again])
    day = random_days(
        rng, as_of - np.timedelta64(330, "D"), as_of - np.timedelta64(1, "D"), len(place)
    )
    at = random_times(rng, day, 8, 19)
    grid = places.grid_code.to_numpy()[place]
    v = table(
        {
            "place": place,
            "collected_at": at,
            "grid": grid,
            "collector": "WGY"
            + grid.astype(object)
            + np.where(rng.random(len(place)) < 0.5, "01", "02"),
            "county": places.county.to_numpy()[place],
        }
    )
    v = v.sort_values(["collected_at", "place"], kind="stable").reset_index(drop=True)

    people = living[["cur_place", "hh", "role", "birth", "death"]].reset_index(names="person")
    r = v.reset_index(names="visit")[["visit", "place", "collected_at"]].merge(
        people, left_on="place", right_on="cur_place"
    )
    day_of = r.collected_at.to_numpy().astype("datetime64[D]")
    there = (r.birth.to_numpy() < day_of) & (
        r.death.isna().to_numpy() | (r.death.to_numpy() > day_of)
    )
    r = r[there]
    r = r.assign(order=r.role.map({"H": 0, "S": 1, "P": 2, "C": 3}).to_numpy())
    r = r.sort_values(["visit", "order", "person"], kind="stable")
    first = ~r.visit.duplicated()
    r = r[first.to_numpy() | (rng.random(len(r)) >= MISSED_MEMBER)]
    moved = households.cur_place.to_numpy() != households.hj_place.to_numpy()
    tenant = moved[r.hh.to_numpy()] | households.outsider.to_numpy()[r.hh.to_numpy()]
    relation = r.role.map({"H": "户主", "S": "配偶", "P": "父母", "C": "子女"}).to_numpy(
        dtype=object
    )
    relation = np.where((r.order.to_numpy() == 0) & tenant, "租户", relation)
    residents = table(
        {"visit": r.visit.to_numpy(), "person": r.person.to_numpy(), "relation": relation}
    )
    v = v[v.index.isin(residents.visit)]
    return v, residents


def uploads(v: pd.DataFrame) -> pd.DataFrame:
    """Each visit's upload file: per county and month, at most UPLOAD_MAX_VISITS visits a file,
    named after the day of its last visit (wgy_cj_420502_20251219_001.json). Rows come back in
    file order, visits by time within a file."""
    frame = v.assign(
        month=v.collected_at.to_numpy().astype("datetime64[M]"), visit=v.index.to_numpy()
    )
    frame = frame.sort_values(["county", "month", "collected_at", "visit"], kind="stable")
    frame["chunk"] = frame.groupby(["county", "month"]).cumcount().to_numpy() // UPLOAD_MAX_VISITS
    last = frame.groupby(["county", "month", "chunk"]).collected_at.transform("max")
    frame["file_date"] = last.dt.strftime("%Y%m%d")
    keys = frame[["county", "file_date", "month", "chunk"]].drop_duplicates()
    keys["seq"] = keys.groupby(["county", "file_date"]).cumcount().to_numpy() + 1
    frame = frame.merge(keys, on=["county", "file_date", "month", "chunk"], how="left")
    frame["file"] = (
        "wgy_cj_"
        + frame.county
        + "_"
        + frame.file_date
        + "_"
        + frame.seq.map("{:03d}".format)
        + ".json"
    )
    return frame[["visit", "file", "file_date", "county"]]
