"""The synthetic city as tables (the truth), built in dependency order from one seed.

Every component draws from its own random stream, so the police register comes out the same
whether or not the other extracts are rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hub.demo import (
    anomalies,
    economy,
    family,
    lifecycle,
    migrants,
    population,
    property,
    visits,
    welfare,
)
from hub.demo.places import build_places
from hub.demo.util import digits, objectify, stream


@dataclass
class World:
    seed: int
    as_of: np.datetime64
    places: pd.DataFrame
    households: pd.DataFrame
    persons: pd.DataFrame
    events: pd.DataFrame  # marriages and divorces, all dates
    births: pd.DataFrame  # birth certificates
    deaths: pd.DataFrame  # death certificates
    allowance: pd.DataFrame
    firms: pd.DataFrame
    insurance: pd.DataFrame
    houses: pd.DataFrame
    owners: pd.DataFrame
    visits: pd.DataFrame
    residents: pd.DataFrame
    anomalies: pd.DataFrame | None = None


def build_world(
    persons: int, seed: int, as_of: np.datetime64, anomaly_counts: dict[str, int]
) -> World:
    def rng(name: str) -> np.random.Generator:
        return stream(seed, name)

    hh = population.plan_households(persons, rng("households"))
    need = hh.groupby(["county", "urban"]).size().to_dict()
    places = build_places(need, anomaly_counts.get("unknown_gridworker_address", 0), rng("places"))
    hh["hj_place"] = population.assign_dwellings(hh, places, rng("dwellings"))
    hh["cur_place"] = hh.hj_place
    hh["outsider"] = False
    hh["kind"] = "户籍人口"
    people = population.populate(hh, as_of, rng("people"))
    pool = migrants.relocate(hh, places, rng("movers"))
    # one household per building missing from the register: each is one planted anomaly
    ghosts = places[~places.in_register & places.dwelling]
    unregistered = ghosts.index[~ghosts.code.str.slice(0, 20).duplicated()].to_numpy()
    taken_phones = people.phone[people.phone != ""].astype(np.int64).to_numpy()
    new_hh, newcomers = migrants.newcomers(
        persons,
        pool,
        unregistered,
        places,
        migrants.all_id_bodies(people),
        taken_phones,
        as_of,
        rng("newcomers"),
    )
    newcomers["hh"] += len(hh)
    hh = pd.concat([hh, new_hh], ignore_index=True)
    hh["hh_number"] = np.where(
        hh.outsider, "", hh.county + digits(hh.groupby("county").cumcount() + 1, 6)
    )
    people = pd.concat([people, newcomers], ignore_index=True)
    people["hj_place"] = np.where(people.registered, hh.hj_place.to_numpy()[people.hh], -1)
    people["cur_place"] = hh.cur_place.to_numpy()[people.hh]

    lifecycle.deaths(people, as_of, rng("deaths"))
    lifecycle.departures(people, as_of, rng("departures"))
    people.loc[people.death.notna(), "cur_place"] = -1
    babies = lifecycle.newborns(
        people, hh, max(1, round(persons * lifecycle.UNREGISTERED_NEWBORNS)), as_of, rng("newborns")
    )
    people = pd.concat([people, babies], ignore_index=True)
    people.insert(
        0,
        "person_key",
        pd.Series("P" + digits(np.arange(1, len(people) + 1), 8).astype(object), dtype=object),
    )
    objectify(people)
    objectify(hh)

    events = family.marriages(people, as_of, rng("marriages"))
    births = lifecycle.birth_certificates(people, hh, as_of, rng("births"))
    deaths = lifecycle.death_certificates(people, hh, rng("death_certificates"))
    allowance = welfare.allowances(people, hh, as_of, rng("allowance"))
    on_allowance = np.unique(allowance.person.to_numpy())
    firms = economy.enterprises(
        people,
        hh,
        places,
        on_allowance,
        max(min(10, persons), round(persons * 0.04)),
        as_of,
        rng("enterprises"),
    )
    insurance = economy.insurance(people, firms, on_allowance, as_of, rng("insurance"))
    houses, owners = property.houses(
        people, hh, places, firms, allowance.hh.unique(), as_of, rng("houses")
    )
    v, residents = visits.visits(people, hh, places, as_of, rng("visits"))
    objectify(hh)
    objectify(people)
    world = World(
        seed,
        as_of,
        places,
        hh,
        people,
        events,
        births,
        deaths,
        allowance,
        firms,
        insurance,
        houses,
        owners,
        v,
        residents,
    )
    world.anomalies = anomalies.plant(world, anomaly_counts, rng("anomalies"))
    _derive_status(world)
    return world


def _derive_status(world: World) -> None:
    """Allowance status per person as civil affairs records it (latest application wins)."""
    latest = world.allowance.sort_values("applied", kind="stable").drop_duplicates(
        "person", keep="last"
    )
    status = pd.Series("", index=world.persons.index, dtype=object)
    status.loc[latest.person.to_numpy()] = latest.status.to_numpy()
    world.persons["allowance"] = status.to_numpy()
