"""Households (户) and their members: the population the police register describes.

A household is drawn as a template of roles (户主, 配偶, 子女, 父母) whose ages, sexes, surnames
and ethnicity are made consistent with each other, then placed in a dwelling of its county.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import COUNTIES, DOT_NAME_ETHNICITY, DOT_NAME_SHARE, MINORITIES
from hub.demo.ids import area_codes, citizen_ids, phones
from hub.demo.names import dot_names, han_names, random_surnames
from hub.demo.util import NAT, table, ymd

SIZE_P = np.array([0.22, 0.28, 0.25, 0.15, 0.07, 0.03])
TEMPLATES: dict[int, tuple[tuple[str, float], ...]] = {
    1: (("H", 1.0),),
    2: (("HS", 0.78), ("HC", 0.17), ("HP", 0.05)),
    3: (("HSC", 0.78), ("HSP", 0.1), ("HCC", 0.12)),
    4: (("HSCC", 0.6), ("HSCP", 0.25), ("HSPP", 0.15)),
    5: (("HSCCC", 0.3), ("HSCPP", 0.4), ("HSCCP", 0.3)),
    6: (("HSCCPP", 0.6), ("HSCCCP", 0.4)),
}
# (mean, sd, min, max) of the head's age by template shape
_HEAD_AGE = {"single": (48, 18, 18, 95), "couple": (52, 16, 21, 92), "kids": (42, 9, 22, 70),
             "parents": (38, 7, 24, 60)}  # fmt: skip


def plan_households(persons: int, rng: np.random.Generator) -> pd.DataFrame:
    """Sizes, templates, counties and urban/rural of households holding exactly ``persons``."""
    sizes = rng.choice(np.arange(1, 7), size=persons // 2 + 10, p=SIZE_P)
    cum = np.cumsum(sizes)
    h = int(np.searchsorted(cum, persons)) + 1
    sizes = sizes[:h].copy()
    sizes[-1] -= int(cum[h - 1] - persons)
    templates = np.empty(h, dtype=object)
    for size, options in TEMPLATES.items():
        sel = np.flatnonzero(sizes == size)
        names = [t for t, _ in options]
        templates[sel] = np.array(names, dtype=object)[
            rng.choice(len(names), len(sel), p=[p for _, p in options])
        ]
    weights = np.array([c.population for c in COUNTIES])
    ci = rng.choice(len(COUNTIES), h, p=weights / weights.sum())
    urban_share = np.array([c.urban_share for c in COUNTIES])[ci]
    return table({
        "county": np.array([c.code for c in COUNTIES])[ci],
        "urban": rng.random(h) < urban_share,
        "size": sizes,
        "template": templates,
    })  # fmt: skip


def assign_dwellings(
    households: pd.DataFrame, places: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """A distinct registered dwelling (not a shop) of the right county and kind per household."""
    out = np.full(len(households), -1, dtype=np.int64)
    homes = places[places.kind.isin(["dwelling", "rural"]) & places.in_register]
    pools = homes.groupby(["county", "urban"], sort=True).indices
    for (county, urban), rows in households.groupby(["county", "urban"], sort=True).indices.items():
        pool = homes.index.to_numpy()[pools[(county, urban)]]
        out[rows] = rng.choice(pool, size=len(rows), replace=False)
    return out


def populate(
    households: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """Members of every household: role, relation, sex, birth, ethnicity, name, ID, phone."""
    tpl = households.template.to_numpy()
    hh = np.repeat(np.arange(len(households)), households["size"].to_numpy())
    role = np.array(list("".join(tpl)))
    n = len(role)
    first = np.concatenate([[0], np.cumsum(households["size"].to_numpy())[:-1]])
    has_s = np.array(["S" in t for t in tpl])
    has_c = np.array(["C" in t for t in tpl])
    has_p = np.array(["P" in t for t in tpl])
    shape = np.where(has_p, "parents", np.where(has_c, "kids", np.where(has_s, "couple", "single")))
    head_age = np.zeros(len(tpl))
    for name, (mu, sd, lo, hi) in _HEAD_AGE.items():
        sel = shape == name
        head_age[sel] = np.clip(rng.normal(mu, sd, sel.sum()), lo, hi)
    old_single = (shape == "single") & (head_age > 70)
    head_male = rng.random(len(tpl)) < np.where(has_s, 0.82, np.where(old_single, 0.35, 0.5))

    h_age = head_age[hh]
    h_male = head_male[hh]
    age = np.zeros(n)
    male = np.zeros(n, bool)
    is_h, is_s, is_c, is_p = (role == r for r in "HSCP")
    age[is_h] = h_age[is_h]
    male[is_h] = h_male[is_h]
    shift = np.abs(rng.normal(2, 3, n))
    age[is_s] = np.maximum(np.where(h_male, h_age - shift, h_age + shift)[is_s], 20)
    male[is_s] = ~h_male[is_s]
    spouse_age = np.full(len(tpl), np.nan)
    spouse_age[hh[is_s]] = age[is_s]
    mother_age = np.where(has_s & head_male, spouse_age, head_age)[hh]
    mother_age = np.where(np.isnan(mother_age), h_age, mother_age)
    child_age = mother_age - rng.uniform(22, 36, n)
    fallback = rng.uniform(0, 1, n) * np.maximum(mother_age - 20, 0.5)
    age[is_c] = np.where(child_age >= 0, child_age, fallback)[is_c]
    male[is_c] = (rng.random(n) < 0.52)[is_c]
    age[is_p] = np.minimum(h_age + rng.uniform(24, 35, n), 99 - rng.uniform(0, 6, n))[is_p]
    p_rank = (
        np.arange(n)
        - first[hh]
        - (households["size"].to_numpy()[hh] - np.array([t.count("P") for t in tpl])[hh])
    )
    two_p = np.array([t.count("P") == 2 for t in tpl])[hh]
    male[is_p] = np.where(two_p, p_rank == 0, rng.random(n) < 0.3)[is_p]

    days = (age * 365.25 + rng.uniform(0, 365, n)).astype(np.int64)
    birth = as_of - days.astype("timedelta64[D]") - np.timedelta64(1, "D")
    year, _, _ = ymd(birth)
    relation = np.select(
        [is_h, is_s, is_c & male, is_c & ~male, is_p], ["02", "10", "20", "30", "50"], "99"
    )

    eth = _household_ethnicity(households.county.to_numpy(), rng)[hh]
    mixed = is_s & (eth == "15") & (rng.random(n) < 0.25)
    eth = np.where(mixed, "01", eth)

    hh_surname = random_surnames(len(tpl), rng)
    own = random_surnames(n, rng)
    spouse_surname = np.full(len(tpl), "", dtype=own.dtype)
    spouse_surname[hh[is_s]] = own[is_s]
    father_surname = np.where(head_male | ~has_s, hh_surname, spouse_surname)[hh]
    surname = np.where(is_h | (is_p & male), hh_surname[hh], own)
    surname = np.where(is_c, father_surname, surname)
    names = han_names(male, year, rng, surname)
    dots = eth == DOT_NAME_ETHNICITY
    if dots.any():
        names[dots] = dot_names(male[dots], rng)

    county = households.county.to_numpy()[hh]
    origin = np.where(
        is_c & (age < 30), rng.choice(2, n, p=[0.95, 0.05]), rng.choice(3, n, p=[0.8, 0.15, 0.05])
    )
    area = area_codes(county, birth, origin, rng)
    ids = citizen_ids(area, birth, male, rng)
    phone = np.where(
        (age >= 14) & (rng.random(n) < np.where(age >= 80, 0.55, 0.95)), phones(n, rng), ""
    )

    return table({
        "hh": hh, "role": role, "relation": relation, "sex": np.where(male, 1, 2).astype(np.int8),
        "birth": birth, "ethnicity": eth, "name": names, "citizen_id": ids, "phone": phone,
        "registered": True, "residence_type": "户籍人口", "hj_county": county,
        "death": np.full(n, NAT), "police_status": np.zeros(n, np.int8),
    })  # fmt: skip


def _household_ethnicity(county: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    tujia = pd.Series(county).map({c.code: c.tujia_share for c in COUNTIES}).to_numpy()
    u = rng.random(len(county))
    out = np.full(len(county), "01", dtype="<U2")
    out[u < tujia] = "15"
    edge = tujia.copy()
    for code, share in ((DOT_NAME_ETHNICITY, DOT_NAME_SHARE), *MINORITIES):
        out[(u >= edge) & (u < edge + share)] = code
        edge = edge + share
    return out
