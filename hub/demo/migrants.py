"""Who lives where they are not registered: households that moved to another dwelling, migrant
workers from other provinces (流动人口) and residents from abroad (境外人员).

They are why the gridworkers' picture of a dwelling differs from the police register, and why
some people the hub meets have no row in the police register at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.ids import citizen_ids, id_bodies, outside_area_codes, phones
from hub.demo.names import dot_names, han_names, random_surnames
from hub.demo.util import NAT, members, table, ymd

MOVER_SHARE = 0.06  # registered households living in another dwelling than their registered one
OUTSIDER_SHARE = 0.03  # migrants from other provinces, per registered person
FOREIGN_SHARE = 0.001  # 境外人员 per registered person
_FOREIGN_AREAS = np.array(["810000", "820000", "830000", "942840", "942410", "942392", "942704"])


def relocate(
    households: pd.DataFrame, places: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """Movers' households get a vacant dwelling (mostly in their own county); returns the pool of
    dwellings still vacant, shuffled, for newcomers."""
    homes = places.kind.isin(["dwelling", "rural"]).to_numpy() & places.in_register.to_numpy()
    vacant = np.flatnonzero(homes & ~members(households.hj_place.to_numpy(), len(places)))
    vacant = vacant[rng.permutation(len(vacant))]
    movers = np.flatnonzero(rng.random(len(households)) < MOVER_SHARE)
    same = rng.random(len(movers)) < 0.7
    where = (
        pd.Series(places.county.to_numpy()[vacant])
        .groupby(places.county.to_numpy()[vacant])
        .indices
    )
    taken = np.zeros(len(vacant), bool)
    target = np.full(len(movers), -1, dtype=np.int64)
    mover_county = households.county.to_numpy()[movers]
    for county, mine in pd.Series(mover_county).groupby(mover_county).indices.items():
        mine = mine[same[mine]]
        cand = where.get(county, np.empty(0, np.int64))[
            : len(mine)
        ]  # nothing taken yet in this county
        target[mine[: len(cand)]] = cand
        taken[cand] = True
    rest = np.flatnonzero(target < 0)
    cand = np.flatnonzero(~taken)[: len(rest)]
    target[rest[: len(cand)]] = cand
    taken[cand] = True
    moved = target >= 0
    cur = households.cur_place.to_numpy().copy()
    cur[movers[moved]] = vacant[target[moved]]
    households["cur_place"] = cur
    freed = households.hj_place.to_numpy()[
        households.cur_place.to_numpy() != households.hj_place.to_numpy()
    ]
    pool = np.concatenate([vacant[~taken], freed])
    return pool[rng.permutation(len(pool))]


def newcomers(
    persons: int,
    pool: np.ndarray,
    unregistered: np.ndarray,
    places: pd.DataFrame,
    taken_ids: np.ndarray,
    taken_phones: np.ndarray,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Migrant and foreign households with the people in them; the unregistered places (built
    without a standard address) house the first of them."""
    n_out = max(2, round(persons * OUTSIDER_SHARE))
    n_foreign = max(1, round(persons * FOREIGN_SHARE))
    sizes = list(rng.choice([1, 2, 3], size=n_out, p=[0.5, 0.3, 0.2]))
    cum = np.cumsum(sizes)
    sizes = sizes[: int(np.searchsorted(cum, n_out)) + 1]
    kinds = ["流动人口"] * len(sizes) + ["境外人员"] * n_foreign
    sizes += [1] * n_foreign
    homes = np.concatenate([unregistered, pool])[: len(sizes)]
    sizes, kinds = sizes[: len(homes)], kinds[: len(homes)]  # a tiny city has few vacant homes
    hh = table({"county": places.county.to_numpy()[homes], "urban": places.urban.to_numpy()[homes],
                       "size": sizes, "template": ["HSC"[:s] for s in sizes], "hj_place": -1,
                       "cur_place": homes, "outsider": True, "kind": kinds})  # fmt: skip
    idx = np.repeat(np.arange(len(hh)), hh["size"].to_numpy())
    role = np.array(list("".join(hh.template)))
    n = len(role)
    head_age = rng.uniform(20, 50, len(hh))[idx]
    head_male = (rng.random(len(hh)) < 0.6)[idx]
    male = np.where(role == "H", head_male, np.where(role == "S", ~head_male, rng.random(n) < 0.52))
    spouse_age = np.maximum(head_age + rng.normal(0, 3, len(hh))[idx], 20)  # one per household
    youngest_parent = np.minimum(head_age, spouse_age)  # children born to parents of 20 and more
    age = np.select(
        [role == "H", role == "S"],
        [head_age, spouse_age],
        rng.uniform(0, 1, n) * np.clip(youngest_parent - 20, 0, 12),
    )
    birth = (
        as_of - (age * 365.25).astype(np.int64).astype("timedelta64[D]") - np.timedelta64(1, "D")
    )
    year, _, _ = ymd(birth)
    surname = random_surnames(len(hh), rng)
    own = random_surnames(n, rng)
    father = np.where(head_male, surname[idx], own)  # a child takes the father's surname
    names = han_names(male, year, rng, np.where((role == "H") | (role == "C"), surname[idx], own))
    names = np.where((role == "C") & ~head_male, han_names(male, year, rng, father), names)
    kind = hh.kind.to_numpy()[idx]
    foreign = kind == "境外人员"
    area = outside_area_codes(year, rng)
    area[foreign] = _FOREIGN_AREAS[rng.integers(0, len(_FOREIGN_AREAS), foreign.sum())]
    transliterated = foreign & np.strings.startswith(area, "9")
    names[transliterated] = dot_names(male[transliterated], rng, foreign=True)
    ids = citizen_ids(area, birth, male, rng, taken=taken_ids)
    people = table({
        "hh": idx, "role": role,
        "relation": np.select([role == "H", role == "S", male], ["02", "10", "20"], "30"),
        "sex": np.where(male, 1, 2).astype(np.int8), "birth": birth,
        "ethnicity": np.where(rng.random(n) < 0.08, "15", "01"), "name": names, "citizen_id": ids,
        "phone": np.where(age >= 16, phones(n, rng, taken_phones), ""), "registered": False, "residence_type": kind,
        "hj_county": "", "death": np.full(n, NAT), "police_status": np.full(n, -1, np.int8),
    })  # fmt: skip
    return hh, people


def all_id_bodies(*frames: pd.DataFrame) -> np.ndarray:
    return np.concatenate([id_bodies(f.citizen_id.to_numpy()) for f in frames])
