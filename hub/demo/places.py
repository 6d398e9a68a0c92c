"""The standard address register (标准地址): grids, buildings, dwellings, shops, rural houses.

Codes follow the spec: grid (15) = county + street + community + grid, building = grid + 3-digit
building + 2-digit sequence, dwelling = building + ``-unit-room``. The register is sized from the
households that need a home, plus vacant dwellings for people who rent or move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hub.demo.addresses import bodies
from hub.demo.gazetteer import (
    COUNTIES,
    PLACE_CHARS_1,
    PLACE_CHARS_2,
)
from hub.demo.util import digits, objectify, table

VACANCY = 1.2  # dwellings per household that needs one: room for movers, migrants and investors
HOUSES_PER_GROUP = 40  # rural houses per 村民小组 (组)


@dataclass
class _Builder:
    rng: np.random.Generator
    rows: list
    used: set = field(default_factory=set)  # (county, road, number): a 门牌 exists once

    def number(self, county, road) -> int:
        """A free house number on the road; the range grows as the road fills up."""
        top = 400
        while True:
            no = int(self.rng.integers(1, top))
            if (county.code, road, no) not in self.used:
                self.used.add((county.code, road, no))
                return no
            top += 20

    def urban_grid(self, county, s, c, g, street, community, target, lon, lat, registered=True):
        b, made, compound = 0, 0, 0
        while made < target:
            compound += 1
            road = county.roads[self.rng.integers(0, len(county.roads))]
            no = self.number(county, road)
            for bic in range(1, int(self.rng.integers(1, 5)) + 1):
                b += 1
                units = int(self.rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2]))
                floors = int(
                    self.rng.choice([3, 5, 6, 7, 11, 18], p=[0.1, 0.2, 0.25, 0.2, 0.15, 0.1])
                )
                rooms = int(self.rng.choice([2, 3, 4], p=[0.7, 0.2, 0.1]))
                self._add(
                    county,
                    s,
                    c,
                    g,
                    b,
                    street,
                    community,
                    road,
                    str(no),
                    bic,
                    units,
                    floors,
                    rooms,
                    "building",
                    compound,
                    lon,
                    lat,
                    registered,
                )
                made += units * floors * rooms
                if made >= target:
                    break
            if self.rng.random() < 0.3 and registered:  # a row of street-front shops next door
                b += 1
                self._add(
                    county,
                    s,
                    c,
                    g,
                    b,
                    street,
                    community,
                    road,
                    str(self.number(county, road)),
                    1,
                    1,
                    1,
                    int(self.rng.integers(2, 7)),
                    "shop",
                    compound,
                    lon,
                    lat,
                    registered,
                )

    def rural_grid(
        self,
        county,
        s,
        c,
        g,
        street,
        community,
        target,
        lon,
        lat,
        first=0,
        offset=0,
        registered=True,
    ):
        """One record for ``target`` houses: building codes from ``first`` + 1 within the grid,
        house numbers (组, 号) from ``offset`` within the village; `_spread_rural` spreads them."""
        self._add(
            county,
            s,
            c,
            g,
            first + 1,
            street,
            community,
            "",
            "",
            0,
            target,
            0,
            0,
            "rural",
            first + 1,
            lon,
            lat,
            registered,
            offset,
        )

    def _add(
        self,
        county,
        s,
        c,
        g,
        b,
        street,
        community,
        road,
        no,
        bic,
        units,
        floors,
        rooms,
        kind,
        compound,
        lon,
        lat,
        registered,
        offset=0,
    ):
        self.rows.append(
            (
                county.code,
                s,
                c,
                g,
                b,
                street,
                community,
                road,
                no,
                bic,
                units,
                floors,
                rooms,
                kind,
                compound,
                lon,
                lat,
                registered,
                offset,
            )
        )


_BUILDING_COLUMNS = ["county", "s", "c", "g", "b", "street", "community", "road", "house_no", "bic",
                     "units", "floors", "rooms", "kind", "compound", "lon", "lat", "in_register", "offset"]  # fmt: skip


def build_places(
    need: dict[tuple[str, bool], int], unregistered: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The city's places; ``need[(county, urban)]`` households must find a dwelling, and
    ``unregistered`` extra buildings exist on the ground but not in the register."""
    builder = _Builder(rng, [])
    names = [a + b for a in PLACE_CHARS_1 for b in PLACE_CHARS_2]
    grids: list[tuple] = []
    for county in COUNTIES:
        order = rng.permutation(len(names))
        n_comm = 0
        for urban in (True, False):
            target = math.ceil(need.get((county.code, urban), 0) * VACANCY)
            towns = (
                range(county.urban_towns) if urban else range(county.urban_towns, len(county.towns))
            )
            towns = list(towns) or [0]
            made, turn, communities = 0, 0, {}
            while made < target:
                s = towns[turn % len(towns)] + 1
                turn += 1
                c = communities.get(s, 0) + 1
                communities[s] = c
                community = names[order[n_comm % len(names)]] + ("社区" if urban else "村")
                n_comm += 1
                village = 0  # houses of this village so far: 组/号 run on across its grids
                for g in range(1, int(rng.integers(1, 4)) + 1):
                    size = min(int(rng.integers(300, 501)), target - made)
                    if size <= 0:
                        break
                    lon, lat = np.array(county.center) + rng.normal(0, 0.03, 2)
                    grid = (county, s, c, g, county.towns[s - 1], community, lon, lat, urban)
                    grids.append(grid)
                    if urban:
                        builder.urban_grid(*grid[:6], size, lon, lat)
                    else:
                        builder.rural_grid(*grid[:6], size, lon, lat, offset=village)
                    made += size
                    village += size
    buildings = _frame(builder.rows)
    for i in rng.choice(
        len(grids), size=min(unregistered, len(grids)), replace=len(grids) < unregistered
    ):
        county, s, c, g, street, community, lon, lat, urban = grids[i]
        in_grid = buildings[
            (buildings.county == county.code)
            & (buildings.s == s)
            & (buildings.c == c)
            & (buildings.g == g)
        ]
        last = in_grid.b + np.where(in_grid.kind == "rural", in_grid.units - 1, 0)
        nxt = int(last.max()) + 1 if len(in_grid) else 1
        if urban:
            builder.rows = []
            builder._add(
                county,
                s,
                c,
                g,
                nxt,
                street,
                community,
                county.roads[0],
                str(builder.number(county, county.roads[0])),
                1,
                1,
                3,
                2,
                "building",
                nxt,
                lon,
                lat,
                False,
            )
        else:
            builder.rows = []
            village = buildings[
                (buildings.county == county.code) & (buildings.s == s) & (buildings.c == c)
            ]
            builder.rural_grid(
                county,
                s,
                c,
                g,
                street,
                community,
                1,
                lon,
                lat,
                first=nxt - 1,
                offset=int(village.units.sum()),
                registered=False,
            )
        buildings = pd.concat([buildings, _frame(builder.rows)], ignore_index=True)
    return _explode(_spread_rural(buildings.reset_index(drop=True)), rng)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return table(
        {
            c: np.array(v, dtype=object if isinstance(v[0], str) else None)
            for c, v in zip(_BUILDING_COLUMNS, zip(*rows, strict=True), strict=True)
        }
    )


def _spread_rural(bl: pd.DataFrame) -> pd.DataFrame:
    """Rural grid records → one record per house: 组 of HOUSES_PER_GROUP houses, numbered 号."""
    rural = bl.kind.to_numpy() == "rural"
    count = np.where(rural, bl.units, 1).astype(np.int64)
    rows = np.repeat(np.arange(len(bl)), count)
    k = np.arange(len(rows)) - np.concatenate([[0], np.cumsum(count)[:-1]])[rows]
    out = bl.iloc[rows].reset_index(drop=True)
    house = out.b.to_numpy() - 1 + k  # within the grid: the building code
    number = out.offset.to_numpy() + k  # within the village: 组 and 号
    is_rural = out.kind.to_numpy() == "rural"
    out["b"] = np.where(is_rural, house + 1, out.b)
    out["compound"] = np.where(is_rural, house + 1, out.compound)
    out["road"] = np.where(
        is_rural, (number // HOUSES_PER_GROUP + 1).astype(str).astype(object) + "组", out.road
    )
    out["house_no"] = np.where(is_rural, (number % HOUSES_PER_GROUP + 1).astype(str), out.house_no)
    out["units"] = np.where(is_rural, 0, out.units)
    return out.drop(columns="offset")


def _explode(bl: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per building (urban/shop) plus one per dwelling; rural houses are both at once."""
    bl = bl.assign(
        lon=(bl.lon + rng.normal(0, 0.002, len(bl))).round(6),
        lat=(bl.lat + rng.normal(0, 0.002, len(bl))).round(6),
    )
    grid_code = (bl.county + digits(bl.s, 3) + digits(bl.c, 3) + digits(bl.g, 3)).to_numpy()
    bcode = grid_code + digits(bl.b, 3) + "01"
    per_building = np.where(bl.kind == "rural", 0, bl.units * bl.floors * bl.rooms).astype(np.int64)
    owner = np.repeat(np.arange(len(bl)), per_building)
    offsets = np.concatenate([[0], np.cumsum(per_building)[:-1]])
    k = np.arange(len(owner)) - offsets[owner]
    per_unit = (bl.floors * bl.rooms).to_numpy()[owner]
    rooms = bl.rooms.to_numpy()[owner]
    unit = k // per_unit + 1
    rem = k % per_unit
    room = (rem // rooms + 1) * 100 + rem % rooms + 1
    head = bl.assign(
        code=bcode, grid_code=grid_code, unit=0, room=0, seq=0, order=np.arange(len(bl)), sub=-1
    )
    head["kind"] = np.where(bl.kind == "rural", "rural", "building")
    head["building_kind"] = bl.kind
    dw = bl.iloc[owner].assign(
        code=bcode[owner] + "-" + unit.astype(str) + "-" + room.astype(str),
        grid_code=grid_code[owner],
        unit=unit,
        room=room,
        seq=k + 1,
        order=owner,
        sub=k,
    )
    dw["building_kind"] = dw["kind"]
    dw["kind"] = np.where(dw.kind == "shop", "shop", "dwelling")
    places = pd.concat([head, dw], ignore_index=True).sort_values(["order", "sub"], kind="stable")
    places = places.reset_index(drop=True)
    places["dwelling"] = places.kind.isin(["dwelling", "rural", "shop"])
    places["urban"] = places.kind != "rural"
    places["building_no"] = np.where(places.kind == "rural", "", places.bic.astype(str))
    places["unit_text"] = np.where(places.unit > 0, places.unit.astype(str), "")
    places["room_text"] = np.where(places.room > 0, places.room.astype(str), "")
    places["county_name"] = places.county.map({c.code: c.name for c in COUNTIES})
    places["street_code"] = digits(places.s, 3)
    places["body"] = bodies(places)
    places["community_code"] = digits(places.c, 3)
    return objectify(places.drop(columns=["order", "sub"]))
