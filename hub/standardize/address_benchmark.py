"""How fast addresses parse and match: values per second on a million texts.

A synthetic register of 宜昌's shape (every county's roads, compounds of buildings with units and
rooms, villages of 组 and houses; about 400,000 codes) and texts drawn from it in the mix the
extracts carry: full form, without province or county, short ``2-1-102``, Chinese numerals,
號/棟, full-width digits, a misspelled road, a room that does not exist.

    python -m hub.standardize.address_benchmark            # 1,000,000 texts
    python -m hub.standardize.address_benchmark 100000
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from hub.demo.gazetteer import COUNTIES
from hub.standardize.address_match import AddressMatcher
from hub.standardize.address_parse import parse_addresses

_CN = "〇一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def register(rng: np.random.Generator, compounds: int = 4000, villages: int = 400) -> pd.DataFrame:
    """A register with ~``compounds`` urban house numbers and ``villages`` villages."""
    rows = []
    for i in range(compounds):
        county = COUNTIES[i % len(COUNTIES)]
        road = county.roads[int(rng.integers(0, len(county.roads)))]
        number = str(i // len(COUNTIES) + 1)
        grid = f"{county.code}{i % 7 + 1:03d}{i % 11 + 1:03d}001"
        for b in range(1, int(rng.integers(1, 5)) + 1):
            code = f"{grid}{(i % 900) + b:03d}{b:02d}"
            base = [county.code, county.towns[0], "桂城社区", grid, road, number, str(b)]
            rows.append([code, *base, "", ""])
            for unit in range(1, int(rng.integers(1, 4)) + 1):
                for floor in range(1, int(rng.integers(3, 19))):
                    for door in (1, 2):
                        room = str(floor * 100 + door)
                        rows.append([f"{code}-{unit}-{room}", *base, str(unit), room])
    for v in range(villages):
        county = COUNTIES[v % len(COUNTIES)]
        grid = f"{county.code}{len(county.towns):03d}{v + 1:03d}001"
        for house in range(120):
            rows.append([f"{grid}{house % 999 + 1:03d}{v % 99 + 1:02d}", county.code,
                         county.towns[-1], f"村{v}庄村", grid, f"{house // 40 + 1}组",
                         str(house % 40 + 1), "", "", ""])  # fmt: skip
    columns = ["std_address_code", "county_code", "street", "community", "grid_code", "road",
               "house_number", "building", "unit", "room"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.drop_duplicates("std_address_code")


def texts(frame: pd.DataFrame, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` address texts of dwellings and houses in the register, in the extracts' styles."""
    names = {c.code: c.name for c in COUNTIES}
    homes = frame[(frame.room != "") | (frame.building == "")]
    pick = homes.iloc[rng.integers(0, len(homes), max(1, n // 3))]
    out = []
    for r, style in zip(pick.itertuples(), rng.random(len(pick)).tolist(), strict=True):
        county = names[r.county_code]
        if r.building == "":
            out.append(f"湖北省宜昌市{county}{r.street}{r.community}{r.road}{r.house_number}号")
        elif style < 0.75:
            out.append(
                f"湖北省宜昌市{county}{r.road}{r.house_number}号{r.building}栋{r.unit}单元{r.room}室"
            )
        elif style < 0.83:
            out.append(f"宜昌市{county}{r.road}{r.house_number}号{r.building}-{r.unit}-{r.room}")
        elif style < 0.88:
            out.append(
                f"{county}{r.road}{r.house_number}号{_CN[int(r.building)]}栋{_CN[int(r.unit)]}单元{r.room}"
            )
        elif style < 0.93:
            out.append(
                f"{r.road}{r.house_number}號{r.building}棟{r.unit}单元{r.room}室".translate(
                    _FULL_WIDTH
                )
            )
        elif style < 0.97:
            out.append(
                f"{county}清{r.road[1:]}{r.house_number}号{r.building}栋{r.unit}单元{r.room}室"
            )
        else:
            out.append(f"{county}{r.road}{r.house_number}号{r.building}栋{r.unit}单元{r.room}9室")  # fmt: skip
    return [out[i] for i in rng.integers(0, len(out), n).tolist()]  # ~3 mentions per home


def main(argv: list[str] | None = None, repeat: int = 2) -> dict[str, float]:
    """Print (and return) values per second for parsing and matching; args: [n]."""
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 1_000_000
    rng = np.random.default_rng(20261123)
    frame = register(
        rng, compounds=max(20, min(4000, n // 250)), villages=max(2, min(400, n // 2500))
    )
    values = pd.Series(texts(frame, n, rng), dtype=object)
    start = time.perf_counter()
    matcher = AddressMatcher(frame)
    build = time.perf_counter() - start
    rates: dict[str, float] = {}
    print(f"register: {len(frame):,} codes, matcher built in {build:.2f} s; "
          f"{n:,} texts, {values.nunique():,} distinct")  # fmt: skip
    print(f"{'step':28} {'values':>10} {'seconds':>8} {'values/s':>12} {'answered':>9}")
    for label, run in (
        ("parse_addresses", parse_addresses),
        ("AddressMatcher.match", matcher.match),
    ):
        seconds = float("inf")
        for _ in range(repeat):
            begin = time.perf_counter()
            result = run(values)
            seconds = min(seconds, time.perf_counter() - begin)
        answered = result.std_address_code.notna().mean() if "std_address_code" in result else 1.0
        rates[label] = n / seconds
        print(f"{label:28} {n:>10,} {seconds:>8.2f} {n / seconds:>12,.0f} {answered:>9.1%}")
    return rates


if __name__ == "__main__":
    main()
