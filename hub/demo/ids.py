"""Identifiers, vectorised: citizen IDs (GB 11643), credit codes (GB 32100), organization codes
(GB 11714), 工商注册号 and phone numbers.

Check characters are computed for whole arrays at once; the police register of a million
people must not call a validator per row.
"""

from __future__ import annotations

import numpy as np
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from hub.demo.gazetteer import ID_AREA_ERAS, OUTSIDE_AREAS
from hub.demo.util import digits, ymd

_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_RIC_CHECK = np.array(list("10X98765432"))


def _unique_draws(draw, n: int, taken: np.ndarray | None) -> np.ndarray:
    """``n`` int64 values, ``draw(rows)`` proposing values for the given rows, redrawn until
    none repeats or is in ``taken``."""
    out = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    used = np.sort(np.asarray(taken if taken is not None else [], dtype=np.int64))
    while len(todo):
        cand = draw(todo)
        order = np.argsort(cand, kind="stable")
        repeat = np.zeros(len(cand), bool)
        repeat[order[1:]] = cand[order[1:]] == cand[order[:-1]]
        keep = ~repeat & ~_member(cand, used)
        out[todo[keep]] = cand[keep]
        used = np.sort(np.concatenate([used, cand[keep]]))
        todo = todo[~keep]
    return out


def _member(values: np.ndarray, sorted_pool: np.ndarray) -> np.ndarray:
    if len(sorted_pool) == 0:
        return np.zeros(len(values), bool)
    pos = np.clip(np.searchsorted(sorted_pool, values), 0, len(sorted_pool) - 1)
    return sorted_pool[pos] == values


def id_bodies(ids: np.ndarray) -> np.ndarray:
    """The 17-digit bodies of the 18-character IDs among ``ids``, as int64."""
    ids = np.asarray(ids).astype(str)
    ids = ids[np.strings.str_len(ids) == 18]
    return np.strings.slice(ids, 0, 17).astype(np.int64)


def citizen_ids(
    area: np.ndarray,
    birth: np.ndarray,
    male: np.ndarray,
    rng: np.random.Generator,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Unique 18-character IDs: area + birth date + sequence (odd for men) + check character.
    ``taken``: 17-digit bodies (int64) already issued."""
    y, m, d = ymd(birth)
    stem = np.asarray(area).astype(np.int64) * 10**11 + (y * 10000 + m * 100 + d) * 1000
    odd = np.asarray(male).astype(np.int64)
    bodies = _unique_draws(
        lambda rows: stem[rows] + rng.integers(0, 500, len(rows)) * 2 + odd[rows], len(stem), taken
    )
    return bodies_to_ids(bodies)


def bodies_to_ids(bodies: np.ndarray) -> np.ndarray:
    """17-digit int64 bodies → 18-character IDs with their check character."""
    bodies = np.asarray(bodies, dtype=np.int64)
    total = np.zeros(len(bodies), dtype=np.int64)
    for i in range(17):
        total += (bodies // 10 ** (16 - i)) % 10 * _RIC_WEIGHTS[i]
    return np.strings.add(digits(bodies, 17), _RIC_CHECK[total % 11])


def legacy_15(ids: np.ndarray) -> np.ndarray:
    """The pre-1999 15-digit form: area + YYMMDD + sequence, no check character."""
    ids = np.asarray(ids).astype(str)
    return np.strings.add(
        np.strings.add(np.strings.slice(ids, 0, 6), np.strings.slice(ids, 8, 14)),
        np.strings.slice(ids, 14, 17),
    )


def area_codes(
    county: np.ndarray, birth: np.ndarray, origin: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Area code of each person's ID, from where (``origin``: 0 registration county, 1 another
    county of the city, 2 another province) and when (birth year) the ID was first issued."""
    n = len(county)
    year, _, _ = ymd(birth)
    county = np.asarray(county).astype("<U6").copy()
    codes = sorted(ID_AREA_ERAS)
    other = origin == 1
    if other.any():
        county[other] = np.array(codes)[rng.integers(0, len(codes), other.sum())]
    out = np.full(n, "420500", dtype="<U6")
    for code, eras in ID_AREA_ERAS.items():
        lower = 0
        for until, choices in eras:
            sel = np.flatnonzero((county == code) & (year >= lower) & (year < until) & (origin < 2))
            lower = until
            if len(sel):
                names = [c for c, _ in choices]
                p = np.array([w for _, w in choices])
                out[sel] = np.array(names)[rng.choice(len(names), len(sel), p=p / p.sum())]
    outside = np.flatnonzero(origin == 2)
    if len(outside):
        out[outside] = outside_area_codes(year[outside], rng)
    return out


def outside_area_codes(years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Area codes from other provinces that existed in each birth year."""
    names = np.array([a[0] for a in OUTSIDE_AREAS])
    first = np.array([a[1] for a in OUTSIDE_AREAS])
    last = np.array([a[2] for a in OUTSIDE_AREAS])
    weight = np.array([a[3] for a in OUTSIDE_AREAS], dtype=float)
    out = np.empty(len(years), dtype="<U6")
    for y in np.unique(years):
        sel = np.flatnonzero(years == y)
        p = weight * ((first <= y) & (last >= y))
        out[sel] = names[rng.choice(len(names), len(sel), p=p / p.sum())]
    return out


# -- legal entities -------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organization-code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def org_codes(new: np.ndarray, rng: np.random.Generator) -> list[str]:
    """9-character organization codes: 8 digits for old units, ``MA`` + 6 for post-2015 ones."""
    out, seen = [], set()
    letters = np.array(list(USCC_ALPHABET))
    for is_new in new:
        while True:
            if is_new:
                body = "MA" + "".join(letters[rng.integers(0, len(letters), 6)])
            else:
                body = str(rng.integers(1, 8)) + "".join(map(str, rng.integers(0, 10, 7)))
            if body not in seen:
                seen.add(body)
                break
        out.append(body + org_check(body))
    return out


def credit_code(category: str, area: str, org: str) -> str:
    """GB 32100: 9 (工商) + category (1 企业, 2 个体工商户, 3 农民专业合作社) + area + org code + check."""
    body = "9" + category + area + org
    return body + uscc.calc_check_digit(body)


def registration_number(area: str, rng: np.random.Generator) -> str:
    """15-digit 工商注册号: area + 8 digits + ISO 7064 MOD 11,10 check digit."""
    body = area + "".join(map(str, rng.integers(0, 10, 8)))
    return body + mod_11_10.calc_check_digit(body)


def format_org_code(org: str) -> str:
    return f"{org[:8]}-{org[8]}"


# -- phones ---------------------------------------------------------------------------------

_PHONE_PREFIXES = np.array(
    [
        "130",
        "131",
        "132",
        "133",
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "155",
        "157",
        "158",
        "159",
        "166",
        "173",
        "177",
        "178",
        "180",
        "181",
        "182",
        "183",
        "186",
        "187",
        "188",
        "189",
        "191",
        "198",
        "199",
    ]
)


def phones(n: int, rng: np.random.Generator, taken: np.ndarray | None = None) -> np.ndarray:
    """Distinct 11-digit mobile numbers, none of them in ``taken`` (int64)."""
    prefixes = _PHONE_PREFIXES.astype(np.int64) * 10**8

    def draw(rows: np.ndarray) -> np.ndarray:
        return prefixes[rng.integers(0, len(prefixes), len(rows))] + rng.integers(
            0, 10**8, len(rows)
        )

    return _unique_draws(draw, n, taken).astype(str)
