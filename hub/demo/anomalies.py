"""Cross-department anomalies, planted on purpose and listed in ``truth/anomalies.csv``.

The world is generated without them (the dead draw no allowance, closed firms pay no
contributions …), so after planting, the list is exactly what a detector should find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.economy import ACTIVE
from hub.demo.util import add_years, age_at, members, random_days, table

KINDS = (
    "deceased_receiving_allowance",  # a dead person still 在保 at civil affairs
    "deceased_paying_insurance",  # a dead person still 参保缴费 at human resources
    "allowance_multi_dwelling",  # an allowance recipient owning ≥ 2 dwellings
    "allowance_active_legal_rep",  # an allowance recipient representing an active enterprise
    "dissolved_enterprise_paying_insurance",  # a 注销/吊销 enterprise still paying for staff
    "unknown_gridworker_address",  # gridworkers list residents at an address the register lacks
)


def plant(world, counts: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """Apply the anomalies to ``world`` (a :class:`hub.demo.world.World`); return their list."""
    rows: list[dict] = []
    p, as_of = world.persons, world.as_of
    keys = p.person_key.to_numpy(dtype=object)
    death = p.death.to_numpy()
    dead = np.flatnonzero(
        ~np.isnat(death)
        & (p.police_status.to_numpy() == 1)
        & (death < as_of - np.timedelta64(120, "D"))
    )
    dead = dead[rng.permutation(len(dead))]
    firms = world.firms
    credit = firms.credit_code.to_numpy(dtype=object)

    # 1. the dead on allowance: never someone a second dwelling or an active firm would also flag
    owned = world.owners[world.owners.kind == "person"].owner.value_counts()
    busy = set(owned.index[owned >= 2].tolist()) | set(
        firms.rep[firms.status.isin(ACTIVE)].tolist()
    )
    busy |= set(world.allowance.person.tolist())
    picked = np.array([i for i in dead if i not in busy][: counts.get(KINDS[0], 0)], dtype=np.int64)
    heads = p[p.role == "H"].reset_index().drop_duplicates("hh").set_index("hh")["index"]
    hh = p.hh.to_numpy()[picked]
    head = heads.reindex(hh).fillna(-1).astype(np.int64).to_numpy()
    applied = random_days(
        rng,
        death[picked] - np.timedelta64(2000, "D"),
        death[picked] - np.timedelta64(30, "D"),
        len(picked),
    )
    added = table(
        {
            "person": picked,
            "hh": hh,
            "head": np.where(head >= 0, head, picked),
            "status": "在保",
            "amount": 680,
            "applied": applied,
        }
    )
    world.allowance = pd.concat([world.allowance, added], ignore_index=True)
    rows += [{"kind": KINDS[0], "person_key": keys[i]} for i in picked]

    # 2. the dead still paying contributions
    live = firms.index[firms.status.isin(ACTIVE) & (firms.type != "个体工商户")].to_numpy()
    insured = set(world.insurance.person.tolist())
    picked = np.array(
        [i for i in dead[::-1] if i not in insured][: counts.get(KINDS[1], 0) if len(live) else 0],
        dtype=np.int64,
    )
    employer = live[rng.integers(0, len(live), len(picked))]
    extra = [_insurance(world, picked, employer, rng)]
    rows += [
        {"kind": KINDS[1], "person_key": keys[i], "entity_key": credit[f]}
        for i, f in zip(picked, employer, strict=True)
    ]

    # 3./4. allowance recipients with two more dwellings, or at the head of an active firm
    alive = np.isnat(death) & (p.police_status.to_numpy() == 0)
    adults = age_at(p.birth.to_numpy(), as_of) >= 25
    candidates = np.unique(world.allowance.person[world.allowance.status == "在保"].to_numpy())
    candidates = candidates[alive[candidates] & adults[candidates]]
    candidates = candidates[rng.permutation(len(candidates))]
    k2, k3 = counts.get(KINDS[2], 0), counts.get(KINDS[3], 0)
    for person, units in _give_dwellings(world, candidates[:k2], 2, rng).items():
        rows.append({"kind": KINDS[2], "person_key": keys[person], "house_keys": ";".join(units)})
    active = firms.index[firms.status.isin(ACTIVE)].to_numpy()
    chosen = rng.choice(active, size=min(k3, len(active)), replace=False)
    for i, f in zip(candidates[k2 : k2 + k3], chosen, strict=False):
        firms.loc[f, "rep"] = i
        rows.append({"kind": KINDS[3], "person_key": keys[i], "entity_key": credit[f]})

    # 5. closed firms still paying for staff
    closed = firms.index[
        firms.status.isin(["注销", "吊销"]) & (firms.type != "个体工商户")
    ].to_numpy()
    workers = np.flatnonzero(
        alive & adults & (age_at(p.birth.to_numpy(), as_of) <= 60) & (p.citizen_id.to_numpy() != "")
    )
    k4 = min(counts.get(KINDS[4], 0), len(closed)) if len(workers) else 0
    for f in rng.choice(closed, size=k4, replace=False):
        staff = rng.choice(workers, size=min(int(rng.integers(1, 4)), len(workers)), replace=False)
        extra.append(_insurance(world, staff, np.full(len(staff), f), rng))
        rows.append(
            {"kind": KINDS[4], "entity_key": credit[f], "person_key": ";".join(keys[staff])}
        )
    world.insurance = pd.concat([world.insurance, *extra], ignore_index=True)

    # 6. residents of buildings missing from the address register (planted with the places)
    unknown = world.places.index[~world.places.in_register & world.places.dwelling].to_numpy()
    visits = world.visits[world.visits.place.isin(unknown)]
    listed = world.residents[world.residents.visit.isin(visits.index)].merge(
        visits[["place"]], left_on="visit", right_index=True
    )
    for place, group in listed.groupby("place", sort=True):
        rows.append(
            {
                "kind": KINDS[5],
                "place_key": world.places.code.iat[place],
                "person_key": ";".join(sorted(set(keys[group.person.to_numpy()]))),
            }
        )
    out = pd.DataFrame(
        rows, columns=["kind", "person_key", "entity_key", "house_keys", "place_key"]
    )
    return out.astype(object).fillna("")


def _insurance(
    world, people: np.ndarray, firm: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """参保缴费 pension rows for ``people`` at ``firm`` that started while both existed."""
    p, f = world.persons, world.firms
    start = np.maximum(
        add_years(p.birth.to_numpy()[people], 18),
        f.established.to_numpy().astype("datetime64[D]")[firm],
    )
    end = np.minimum(f.approved.to_numpy().astype("datetime64[D]")[firm], world.as_of)
    died = p.death.to_numpy().astype("datetime64[D]")[people]
    end = np.where(np.isnat(died), end, np.minimum(end, died)) - np.timedelta64(1, "D")
    first = random_days(rng, start, np.maximum(start, end), len(people))
    return table(
        {
            "person": people,
            "employer": firm,
            "status": "参保缴费",
            "first": first,
            "type": "企业职工基本养老保险",
        }
    )


def _give_dwellings(
    world, people: np.ndarray, k: int, rng: np.random.Generator
) -> dict[int, list[str]]:
    """Register ``k`` more vacant dwellings to each of ``people`` (alone); their unit numbers."""
    from hub.demo.property import _certificates, _register, earliest_registration

    places, hh = world.places, world.households
    used = members(
        np.concatenate(
            [hh.hj_place.to_numpy(), hh.cur_place.to_numpy(), world.houses.place.to_numpy()]
        ),
        len(places),
    )
    free = np.flatnonzero(
        (places.kind.to_numpy() == "dwelling") & places.in_register.to_numpy() & ~used
    )
    free = free[rng.permutation(len(free))][: k * len(people)]
    people = people[: len(free) // k]
    if not len(people):
        return {}
    owners = table(
        {
            "place": free[: k * len(people)],
            "kind": "person",
            "owner": np.repeat(people, k),
            "share": "单独所有",
        }
    )
    owners["earliest"] = earliest_registration(owners, world.persons, world.firms)
    new_houses, new_owners = _register(owners, places, world.as_of, rng)
    new_owners["house"] += len(world.houses)
    world.houses = pd.concat([world.houses, new_houses], ignore_index=True)
    world.houses["certificate"] = _certificates(world.houses)  # keep the numbers unique
    world.owners = pd.concat([world.owners, new_owners], ignore_index=True)
    units = world.houses.unit_number.to_numpy(dtype=object)[new_owners.house.to_numpy()]
    out: dict[int, list[str]] = {}
    for person, unit in zip(new_owners.owner.to_numpy(), units, strict=True):
        out.setdefault(int(person), []).append(unit)
    return out
