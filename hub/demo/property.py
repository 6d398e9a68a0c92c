"""Houses and their owners, as the real-estate registration centre records them.

Most households own the dwelling they are registered in (alone, or jointly with the spouse);
some own a second one; shops belong to enterprises or to people. Allowance households never own
a second dwelling (that is planted later, as an anomaly).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import COUNTY_BY_CODE
from hub.demo.util import add_years, digits, members, random_days, random_times, table, ymd

OWNERSHIP_SINCE = np.datetime64("1998-01-01")
REAL_ESTATE_SINCE = np.datetime64("2016-01-01")  # 不动产权证 replaced 房屋所有权证


def houses(
    persons: pd.DataFrame,
    households: pd.DataFrame,
    places: pd.DataFrame,
    firms: pd.DataFrame,
    allowance_hh: np.ndarray,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(houses, owners): houses keyed by 不动产单元号; owners one row per (house, owner)."""
    hh = households[~households.outsider]
    heads = (
        persons[persons.role == "H"].reset_index().drop_duplicates("hh").set_index("hh")["index"]
    )
    spouses = (
        persons[persons.role == "S"].reset_index().drop_duplicates("hh").set_index("hh")["index"]
    )
    rural = places.kind.to_numpy()[hh.hj_place.to_numpy()] == "rural"
    own_home = rng.random(len(hh)) < np.where(rural, 0.9, 0.65)
    claims = [
        table({"place": hh.hj_place.to_numpy()[own_home], "hh": hh.index.to_numpy()[own_home]})
    ]
    moved = (hh.cur_place != hh.hj_place).to_numpy() & ~np.isin(hh.index.to_numpy(), allowance_hh)
    bought = moved & (rng.random(len(hh)) < 0.3)
    claims.append(
        table({"place": hh.cur_place.to_numpy()[bought], "hh": hh.index.to_numpy()[bought]})
    )
    occupied = members(
        np.concatenate([households.hj_place.to_numpy(), households.cur_place.to_numpy()]),
        len(places),
    )
    homes = places.kind.isin(["dwelling", "rural"]).to_numpy() & places.in_register.to_numpy()
    spare = np.flatnonzero(homes & ~occupied)
    spare = spare[rng.permutation(len(spare))]
    investors = hh.index.to_numpy()[own_home & ~np.isin(hh.index.to_numpy(), allowance_hh)]
    investors = investors[rng.random(len(investors)) < 0.04][: len(spare) // 2]
    claims.append(table({"place": spare[: len(investors)], "hh": investors}))
    claim = pd.concat(claims, ignore_index=True).drop_duplicates("place")

    owners = []
    joint = claim.hh.isin(spouses.index).to_numpy() & (rng.random(len(claim)) < 0.6)
    share = np.where(rng.random(len(claim)) < 0.08, "按份共有", "共同共有")
    owners.append(
        table(
            {
                "place": claim.place,
                "kind": "person",
                "owner": claim.hh.map(heads).to_numpy(),
                "share": np.where(joint, share, "单独所有"),
            }
        )
    )
    owners.append(
        table(
            {
                "place": claim.place[joint],
                "kind": "person",
                "owner": claim.hh[joint].map(spouses).to_numpy(),
                "share": share[joint],
            }
        )
    )
    shops = places.index[(places.kind == "shop") & places.in_register].to_numpy()
    shops = shops[rng.random(len(shops)) < 0.7]
    holders = firms.index[firms.status.isin(["存续", "在业"]) & firms.shows_credit_code].to_numpy()
    by_firm = (rng.random(len(shops)) < 0.5) & (len(holders) > 0)
    if len(holders):
        owners.append(
            table(
                {
                    "place": shops[by_firm],
                    "kind": "entity",
                    "owner": holders[rng.integers(0, len(holders), by_firm.sum())],
                    "share": "单独所有",
                }
            )
        )
    people = persons.index[
        (persons.role == "H") & persons.registered & ~persons.hh.isin(allowance_hh)
    ].to_numpy()
    if not len(people):  # a toy city of allowance households: shops belong to nobody in it
        shops, by_firm = shops[by_firm], by_firm[by_firm]
    owners.append(
        table(
            {
                "place": shops[~by_firm],
                "kind": "person",
                "owner": people[rng.integers(0, len(people), (~by_firm).sum())],
                "share": "单独所有",
            }
        )
    )
    owners = pd.concat(owners, ignore_index=True)
    owners["owner"] = owners.owner.astype(np.int64)
    owners["earliest"] = earliest_registration(owners, persons, firms)
    return _register(owners, places, as_of, rng)


def earliest_registration(
    owners: pd.DataFrame, persons: pd.DataFrame, firms: pd.DataFrame
) -> np.ndarray:
    """An owner registers a house as an adult, an enterprise after it was founded."""
    entity = owners.kind.to_numpy() == "entity"
    owner = owners.owner.to_numpy()
    adult = add_years(persons.birth.to_numpy()[np.where(entity, 0, owner)], 18)
    founded = firms.established.to_numpy().astype("datetime64[D]")[np.where(entity, owner, 0)]
    return np.maximum(np.where(entity, founded, adult), OWNERSHIP_SINCE)


def _register(
    owners: pd.DataFrame, places: pd.DataFrame, as_of: np.datetime64, rng
) -> tuple[pd.DataFrame, pd.DataFrame]:
    house_places = np.sort(owners.place.unique())
    p = places.loc[house_places]
    n = len(p)
    kind = p.kind.to_numpy()
    land = np.where(kind == "rural", "JC", "GB")
    parcel = p.g.to_numpy() * 10000 + p.compound.to_numpy()
    building = np.where(
        kind == "rural", 1, p.b.to_numpy()
    )  # unique within the grid, shops included
    unit = np.where(kind == "rural", 1, p.seq.to_numpy())
    number = (
        (p.county + p.street_code + p.community_code).to_numpy()
        + land
        + digits(parcel, 5)
        + "F"
        + digits(building, 4)
        + digits(unit, 4)
    )
    use = np.where(kind == "shop", np.where(rng.random(n) < 0.8, "商业", "办公"), "住宅")
    area = np.where(
        kind == "rural",
        rng.uniform(80, 250, n),
        np.where(kind == "shop", rng.uniform(20, 120, n), np.clip(rng.normal(95, 25, n), 35, 220)),
    )
    earliest = owners.groupby("place").earliest.max().loc[house_places].to_numpy()
    registered = random_times(
        rng, random_days(rng, earliest, as_of - np.timedelta64(1, "D"), n), 8, 18
    )
    houses = table(
        {
            "unit_number": number,
            "place": house_places,
            "use": use,
            "area": np.round(area, 2),
            "registered": registered,
            "county": p.county.to_numpy(),
        }
    )
    houses["certificate"] = _certificates(houses)
    houses = houses.sort_values(["registered", "unit_number"], kind="stable").reset_index(drop=True)
    owners = owners.merge(houses[["place"]].reset_index(names="house"), on="place")
    owners = owners.sort_values(["house", "share"], kind="stable").reset_index(drop=True)
    return houses, owners


def _certificates(houses: pd.DataFrame) -> np.ndarray:
    """房屋所有权证 numbers before 2016 (宜夷陵房权证字第03000001号), 不动产权证 after
    (鄂(2019)宜昌市不动产权第0000001号), numbered per issuer and year."""
    y, _, _ = ymd(houses.registered.to_numpy())
    new = houses.registered.to_numpy() >= REAL_ESTATE_SINCE
    county = pd.Series(houses.county.to_numpy(dtype=object))
    issuer = county.map(
        {
            c.code: "宜昌市" if c.district else c.short + ("市" if c.name.endswith("市") else "县")
            for c in COUNTY_BY_CODE.values()
        }
    ).to_numpy(dtype=object)
    frame = table(
        {
            "issuer": np.where(new, issuer, county.to_numpy(dtype=object)),
            "year": y,
            "t": houses.registered,
        }
    )
    seq = (
        frame.sort_values("t", kind="stable")
        .groupby(["issuer", "year"])
        .cumcount()
        .sort_index()
        .to_numpy()
        + 1
    )
    short = county.map({c.code: c.short for c in COUNTY_BY_CODE.values()}).to_numpy(dtype=object)
    old = (
        "宜"
        + short
        + "房权证字第"
        + digits(y % 100, 2).astype(object)
        + digits(seq, 6).astype(object)
        + "号"
    )
    modern = (
        "鄂("
        + y.astype(str).astype(object)
        + ")"
        + issuer
        + "不动产权第"
        + digits(seq, 7).astype(object)
        + "号"
    )
    return np.where(new, modern, old)
