"""Marriages and divorces: the civil-affairs events, and each person's marital status that
follows from them (and from deaths).

Couples living together as 户主 + 配偶 married before their eldest child was born; a share of
single household heads are divorced from each other. Only events since the marriage register
went electronic (2005) are delivered, as in the real extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.util import add_years, age_at, table

REGISTER_SINCE = np.datetime64("2005-01-01")
DIVORCED_SHARE = 0.25  # of single household heads aged 28–65 who are paired as ex-spouses


def couples(persons: pd.DataFrame) -> pd.DataFrame:
    """(husband, wife) index pairs living together: 户主/配偶 and the head's parents."""
    pairs = []
    for roles in (("H", "S"), ("P", "P")):
        sub = persons[persons.role.isin(roles)]
        men = sub[sub.sex == 1].reset_index().drop_duplicates("hh").set_index("hh")["index"]
        women = sub[sub.sex == 2].reset_index().drop_duplicates("hh").set_index("hh")["index"]
        both = men.index.intersection(women.index)
        pairs.append(
            table({"husband": men.loc[both].to_numpy(), "wife": women.loc[both].to_numpy()})
        )
    return pd.concat(pairs, ignore_index=True)


def marriages(
    persons: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """All marriage and divorce events (any date); sets ``persons.marital``."""
    birth = persons.birth.to_numpy()
    pairs = couples(persons)
    wife_birth, husband_birth = birth[pairs.wife], birth[pairs.husband]
    low = np.maximum(add_years(wife_birth, 20), add_years(husband_birth, 22))
    date = add_years(wife_birth, rng.uniform(21, 30, len(pairs)))
    eldest = persons[persons.role == "C"].groupby("hh").birth.min()
    first_child = (
        eldest.reindex(persons.hh.to_numpy()).to_numpy().astype("datetime64[D]")[pairs.wife]
    )
    is_head_couple = persons.role.to_numpy()[pairs.wife] == "S"
    before_child = first_child - (rng.uniform(0.3, 3, len(pairs)) * 365).astype(np.int64).astype(
        "timedelta64[D]"
    )
    cap = np.where(
        is_head_couple & ~np.isnat(first_child), before_child, as_of - np.timedelta64(30, "D")
    )
    date = np.maximum(np.minimum(date, cap), low)
    date = np.minimum(date, as_of - np.timedelta64(1, "D"))
    events = [table({"husband": pairs.husband, "wife": pairs.wife, "date": date, "type": "结婚"})]
    # migrants married where they come from: their weddings are not in this city's register

    status = np.full(len(persons), "未婚", dtype=object)
    status[pairs.husband] = "已婚"
    status[pairs.wife] = "已婚"
    death = persons.death.to_numpy()
    widow_h = ~np.isnat(death[pairs.wife])
    widow_w = ~np.isnat(death[pairs.husband])
    status[pairs.husband[widow_h & np.isnat(death[pairs.husband])]] = "丧偶"
    status[pairs.wife[widow_w & np.isnat(death[pairs.wife])]] = "丧偶"

    divorced = _divorces(persons, as_of, rng)
    events.append(divorced)
    status[divorced.husband] = "离婚"
    status[divorced.wife] = "离婚"
    age = age_at(birth, as_of)
    role = persons.role.to_numpy()
    single_head = (role == "H") & (status == "未婚") & persons.registered.to_numpy()
    has_kids = persons.hh.isin(persons.hh[role == "C"]).to_numpy()
    widowed = single_head & (
        (age >= 60) & (rng.random(len(persons)) < 0.7) | has_kids & (age >= 30)
    )
    status[widowed | ((role == "P") & (status == "未婚"))] = "丧偶"
    persons["marital"] = status
    out = pd.concat(events, ignore_index=True)
    registered = persons.registered.to_numpy()
    out["local"] = registered[out.husband] & registered[out.wife]
    return out.sort_values(["date", "type"], kind="stable").reset_index(drop=True)


def _divorces(
    persons: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """Pairs of single heads (a man, a woman of similar age) who married and later divorced."""
    age = age_at(persons.birth.to_numpy(), as_of)
    heads_with_spouse = persons.hh[persons.role == "S"]
    single = (persons.role == "H") & ~persons.hh.isin(heads_with_spouse) & persons.registered
    single &= (age >= 28) & (age <= 65) & (rng.random(len(persons)) < DIVORCED_SHARE * 2)
    men = persons.index[single & (persons.sex == 1)].to_numpy()
    women = persons.index[single & (persons.sex == 2)].to_numpy()
    k = min(len(men), len(women))
    men = men[np.argsort(persons.birth.to_numpy()[men], kind="stable")][:k]
    women = women[np.argsort(persons.birth.to_numpy()[women], kind="stable")][:k]
    birth = persons.birth.to_numpy()
    married = np.maximum(add_years(birth[women], rng.uniform(21, 28, k)), add_years(birth[men], 22))
    married = np.minimum(married, as_of - np.timedelta64(800, "D"))
    span = (as_of - np.timedelta64(1, "D") - married).astype(np.int64)
    death = persons.death.to_numpy()
    end = np.where(
        np.isnat(death[men]) & np.isnat(death[women]),
        span,
        (
            np.minimum(
                np.where(np.isnat(death[men]), as_of, death[men]),
                np.where(np.isnat(death[women]), as_of, death[women]),
            )
            - married
        ).astype(np.int64)
        - 1,
    )
    split = married + (np.clip(end, 2, None) * rng.uniform(0.1, 0.9, k)).astype(np.int64).astype(
        "timedelta64[D]"
    )
    ok = split > married
    pairs = table({"husband": men[ok], "wife": women[ok]})
    return pd.concat([
        pairs.assign(date=married[ok], type="结婚"),
        pairs.assign(date=split[ok], type="离婚"),
    ], ignore_index=True)  # fmt: skip


def registered_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events the civil-affairs extract carries: those since the register went electronic."""
    return events[(events.date >= REGISTER_SINCE) & events.local].reset_index(drop=True)
