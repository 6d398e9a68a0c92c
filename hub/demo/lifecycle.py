"""Births and deaths: who died (and whether the police register knows yet), who moved out of the
city, the newborns not yet registered, and the health commission's certificates for both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import COUNTY_BY_CODE
from hub.demo.names import han_names, surname_of
from hub.demo.util import NAT, add_years, age_at, random_days, table, ymd

CERTIFICATES_SINCE = np.datetime64("2016-01-01")  # death certificates exist electronically since
POLICE_LAG_DAYS = 45  # deaths this recent are not yet in the police register
RECENT_DEATH_SHARE = 0.04
MOVED_OUT_SHARE = 0.03  # of adult children aged 22–40: 迁出
CANCELLED_SHARE = 0.0005  # 注销
UNREGISTERED_NEWBORNS = 0.0012  # per registered person: born in the last two months, no 户口 yet


def deaths(persons: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator) -> None:
    """Deaths over the last ten years, likelier with age, never before a child of theirs was born."""
    age = age_at(persons.birth.to_numpy(), as_of)
    p = np.where(age >= 45, np.minimum(0.004 * np.exp((age - 45) / 9), 0.6), 0)
    dead = rng.random(len(persons)) < p
    n = int(dead.sum())
    recent = rng.random(n) < RECENT_DEATH_SHARE
    registered = persons.registered.to_numpy()[dead]
    if registered.any() and not (recent & registered).any():
        recent[rng.choice(np.flatnonzero(registered))] = (
            True  # one the police have not caught up with
        )
    lag = np.timedelta64(POLICE_LAG_DAYS, "D")
    when = np.where(
        recent,
        random_days(rng, as_of - lag + 1, as_of - 1, n),
        random_days(rng, CERTIFICATES_SINCE, as_of - lag - 1, n),
    )
    youngest = persons[persons.role == "C"].groupby("hh").birth.max()
    parent = persons.role.isin(["H", "S"]).to_numpy()
    floor = youngest.reindex(persons.hh.to_numpy()).to_numpy().astype("datetime64[D]")
    floor = np.where(
        parent & ~np.isnat(floor), floor + np.timedelta64(30, "D"), np.datetime64("1900-01-01")
    )
    when = np.maximum(when, floor[dead])
    ok = when < as_of
    death = persons.death.to_numpy().copy()
    death[np.flatnonzero(dead)[ok]] = when[ok]
    persons["death"] = death
    known = ~np.isnat(death) & (death <= as_of - lag) & persons.registered.to_numpy()
    persons.loc[known, "police_status"] = 1


def departures(persons: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator) -> None:
    """迁出 (adult children who moved away from the city) and a few 注销 registrations."""
    alive = np.isnat(persons.death.to_numpy()) & persons.registered.to_numpy()
    age = age_at(persons.birth.to_numpy(), as_of)
    moved = alive & (persons.role.to_numpy() == "C") & (age >= 22) & (age <= 40)
    moved &= rng.random(len(persons)) < MOVED_OUT_SHARE
    cancelled = alive & ~moved & (rng.random(len(persons)) < CANCELLED_SHARE)
    persons.loc[moved, "police_status"] = 2
    persons.loc[cancelled, "police_status"] = 3
    persons.loc[moved | cancelled, "cur_place"] = -1


def newborns(
    persons: pd.DataFrame,
    households: pd.DataFrame,
    count: int,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Babies of the last two months whose parents have not registered them with the police."""
    alive = np.isnat(persons.death.to_numpy()) & (persons.police_status.to_numpy() == 0)
    age = age_at(persons.birth.to_numpy(), as_of)
    wives = persons[(persons.role == "S") & (persons.sex == 2) & alive & (age >= 21) & (age <= 40)]
    husbands = persons[(persons.role == "H") & (persons.sex == 1) & alive].set_index("hh")
    wives = wives[wives.hh.isin(husbands.index)]
    pick = wives.iloc[np.sort(rng.choice(len(wives), size=min(count, len(wives)), replace=False))]
    n = len(pick)
    male = rng.random(n) < 0.52
    birth = random_days(rng, as_of - 60, as_of - 1, n)
    year, _, _ = ymd(birth)
    surname = surname_of(husbands.loc[pick.hh, "name"].to_numpy())
    return table({
        "hh": pick.hh.to_numpy(), "role": "C", "relation": np.where(male, "20", "30"),
        "sex": np.where(male, 1, 2).astype(np.int8), "birth": birth,
        "ethnicity": husbands.loc[pick.hh, "ethnicity"].to_numpy(),
        "name": han_names(male, year, rng, surname), "citizen_id": "", "phone": "",
        "registered": False, "residence_type": "户籍人口", "hj_county": "", "hj_place": -1,
        "cur_place": households.cur_place.to_numpy()[pick.hh.to_numpy()],
        "death": np.full(n, NAT), "police_status": np.full(n, -1, np.int8),
    })  # fmt: skip


def _hospital(county: np.ndarray, rng: np.random.Generator, maternity: bool = True) -> np.ndarray:
    out = np.empty(len(county), dtype=object)
    for code in np.unique(county):
        sel = np.flatnonzero(county == code)
        names = (
            COUNTY_BY_CODE[code].hospitals if code in COUNTY_BY_CODE else ("宜昌市中心人民医院",)
        )
        names = (
            names
            if maternity
            else tuple(h for h in names if "妇幼" not in h) or ("宜昌市中心人民医院",)
        )
        out[sel] = np.array(names, dtype=object)[rng.integers(0, len(names), len(sel))]
    return out


def _cert_numbers(n: int, letters: str, rng: np.random.Generator) -> np.ndarray:
    nums = rng.choice(10**9, size=n, replace=False) if n else np.empty(0, np.int64)
    return np.array(
        [f"{letters[rng.integers(0, len(letters))]}{x:09d}" for x in nums], dtype=object
    )


def birth_certificates(
    persons: pd.DataFrame, households: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """出生医学证明 for children born in the city's hospitals in the last twelve years."""
    since = add_years(np.array([as_of]), -12)[0]
    kids = persons.index[(persons.role == "C") & (persons.birth >= since)].to_numpy()
    parents = persons[persons.role.isin(["H", "S"])]
    mother = parents[parents.sex == 2].reset_index().drop_duplicates("hh").set_index("hh")["index"]
    father = parents[parents.sex == 1].reset_index().drop_duplicates("hh").set_index("hh")["index"]
    hh = persons.hh.to_numpy()[kids]
    births = table({
        "child": kids,
        "mother": pd.Series(hh).map(mother).fillna(-1).astype(np.int64).to_numpy(),
        "father": pd.Series(hh).map(father).fillna(-1).astype(np.int64).to_numpy(),
        "birth": persons.birth.to_numpy()[kids],
    })  # fmt: skip
    births["place"] = _hospital(households.county.to_numpy()[hh], rng)
    births["issued"] = np.minimum(
        births.birth.to_numpy() + rng.integers(3, 40, len(births)).astype("timedelta64[D]"),
        as_of - np.timedelta64(1, "D"),
    )
    births["cert_no"] = _cert_numbers(len(births), "NOPQR", rng)
    return births.sort_values(["birth", "cert_no"], kind="stable").reset_index(drop=True)


def death_certificates(
    persons: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """死亡医学证明 for every death since certificates went electronic."""
    dead = persons.index[persons.death.notna() & (persons.death >= CERTIFICATES_SINCE)].to_numpy()
    county = households.county.to_numpy()[persons.hh.to_numpy()[dead]]
    r = rng.random(len(dead))
    place = np.where(
        r < 0.6, _hospital(county, rng, maternity=False), np.where(r < 0.9, "家中", "其他")
    )
    out = table(
        {
            "person": dead,
            "death": persons.death.to_numpy()[dead],
            "place": place,
            "cert_no": _cert_numbers(len(dead), "S", rng),
        }
    )
    return out.sort_values(["death", "cert_no"], kind="stable").reset_index(drop=True)
