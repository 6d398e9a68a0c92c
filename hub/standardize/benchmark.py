"""How fast each kind standardizes: values per second on generated columns with real defects.

The ingest has to stage 100,000 rows a second on two cores with about eleven fields per row, so
each kind's column path is measured on a million values shaped like the extracts: mostly
clean, with the spec's share of defects (spaces, full-width, lower-case x, legacy and broken
IDs, mixed date formats, traditional characters, units glued to amounts …).

    python -m hub.standardize.benchmark            # 1,000,000 values per kind
    python -m hub.standardize.benchmark 100000 citizen_id date
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from hub.standardize.citizen_id import calc_check_character
from hub.standardize.registry import standardize

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕飞鹏辉斌宇浩凯健俊帆帅旭宁龙林欣怡佳雨梓涵子轩晨博文一诺思彤萱琪雅瑶婷慧颖晶洁琳璐露瑞泽宸逸航皓"
)
TRADITIONAL = {"刘": "劉", "赵": "趙", "杨": "楊", "孙": "孫", "陈": "陳", "华": "華", "万": "萬"}
AREAS = [
    "420502",
    "420503",
    "420504",
    "420505",
    "420506",
    "420500",
    "420581",
    "420582",
    "422725",
    "422727",
]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _pick(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < share)


def citizen_ids(n: int, rng: np.random.Generator) -> list[str]:
    areas = rng.choice(AREAS, n)
    born = np.datetime64("1930-01-01") + rng.integers(0, 90 * 365, n).astype("timedelta64[D]")
    days = pd.DatetimeIndex(born).strftime("%Y%m%d")
    sequence = rng.integers(0, 1000, n)
    values = []
    for area, day, seq in zip(areas.tolist(), days.tolist(), sequence.tolist(), strict=True):
        body = f"{area}{day}{seq:03d}"
        values.append(body + calc_check_character(body))
    for i in _pick(rng, n, 0.02):  # spaces around, lower-case x
        values[i] = f" {values[i].lower()} "
    for i in _pick(rng, n, 0.01):  # full width
        values[i] = values[i].translate(FULL_WIDTH)
    for i in _pick(rng, n, 0.01):  # legacy 15-digit
        v = values[i].strip()
        values[i] = v[:6] + v[8:17]
    for i in _pick(rng, n, 0.005):  # a wrong digit
        v = values[i]
        values[i] = v[:-1] + ("0" if v[-1] != "0" else "1")
    for i in _pick(rng, n, 0.01):
        values[i] = ""
    return values


def birth_dates(n: int, rng: np.random.Generator) -> list[str]:
    born = np.datetime64("1930-01-01") + rng.integers(0, 90 * 365, n).astype("timedelta64[D]")
    values = pd.DatetimeIndex(born).strftime("%Y%m%d").tolist()
    for i in _pick(rng, n, 0.001):
        values[i] = values[i][:4] + "0230"
    return values


def mixed_dates(n: int, rng: np.random.Generator) -> list[str]:
    born = pd.DatetimeIndex(
        np.datetime64("2015-01-01") + rng.integers(0, 11 * 365, n).astype("timedelta64[D]")
    )
    iso, slash, han = (
        born.strftime("%Y-%m-%d"),
        born.strftime("%Y/%-m/%-d"),
        born.strftime("%Y年%-m月%-d日"),
    )
    which = rng.integers(0, 3, n)
    return np.where(which == 0, iso, np.where(which == 1, slash, han)).tolist()


def timestamps(n: int, rng: np.random.Generator) -> list[str]:
    stamps = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 3 * 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    return pd.DatetimeIndex(stamps).strftime("%Y%m%d%H%M%S").tolist()


def timestamps_iso(n: int, rng: np.random.Generator) -> list[str]:
    stamps = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 3 * 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    return pd.DatetimeIndex(stamps).strftime("%Y-%m-%d %H:%M:%S").tolist()


def year_months(n: int, rng: np.random.Generator) -> list[str]:
    months = np.datetime64("1930-01") + rng.integers(0, 90 * 12, n).astype("timedelta64[M]")
    return pd.DatetimeIndex(months.astype("datetime64[D]")).strftime("%Y-%m").tolist()


def person_names(n: int, rng: np.random.Generator) -> list[str]:
    surname = rng.choice(SURNAMES, n)
    first = rng.choice(GIVEN, n)
    second = np.where(rng.random(n) < 0.7, rng.choice(GIVEN, n), "")
    values = np.char.add(np.char.add(surname, first), second).tolist()
    for i in _pick(rng, n, 0.01):
        values[i] = "".join(TRADITIONAL.get(c, c) for c in values[i])
    for i in _pick(rng, n, 0.01):
        values[i] = values[i][0] + " " + values[i][1:] + " "
    return values


def ethnicity_codes(n: int, rng: np.random.Generator) -> list[str]:
    return rng.choice(["01"] * 90 + ["15"] * 8 + ["03", "1"], n).tolist()


def sex_labels(n: int, rng: np.random.Generator) -> list[str]:
    return rng.choice(["1", "2", "男", "女", "0"], n, p=[0.4, 0.4, 0.1, 0.09, 0.01]).tolist()


def addresses(n: int, rng: np.random.Generator) -> list[str]:
    """Household addresses: 2.5 people per household, so about n / 2.5 distinct addresses."""
    households = max(1, int(n / 2.5))
    roads = ["夷陵大道", "青岛路", "北山坡路", "花艳路", "桔城路", "珠江路", "园林大道", "玉阳路"]
    road = rng.choice(roads, households).tolist()
    number = rng.integers(1, 400, households).tolist()
    building, unit = (
        rng.integers(1, 20, households).tolist(),
        rng.integers(1, 4, households).tolist(),
    )
    room = rng.integers(101, 1802, households).tolist()
    homes = [
        f"湖北省宜昌市西陵区{r}{a}号{b}栋{u}单元{m}室"
        for r, a, b, u, m in zip(road, number, building, unit, room, strict=True)
    ]
    values = [homes[i] for i in rng.integers(0, households, n).tolist()]
    for i in _pick(rng, n, 0.02):
        values[i] = values[i].replace("号", "號")
    for i in _pick(rng, n, 0.01):
        values[i] = values[i].translate(FULL_WIDTH)
    return values


def household_numbers(n: int, rng: np.random.Generator) -> list[str]:
    return [
        f"{a}{s:06d}"
        for a, s in zip(
            rng.choice(AREAS, n).tolist(), rng.integers(0, 400000, n).tolist(), strict=True
        )
    ]


def phones(n: int, rng: np.random.Generator) -> list[str]:
    prefixes = rng.choice(["138", "139", "150", "157", "158", "159", "177", "180", "186", "191"], n)
    rest = rng.integers(0, 10**8, n)
    values = [f"{p}{r:08d}" for p, r in zip(prefixes.tolist(), rest.tolist(), strict=True)]
    for i in _pick(rng, n, 0.02):
        v = values[i]
        values[i] = f"{v[:3]}-{v[3:7]}-{v[7:]}"
    for i in _pick(rng, n, 0.01):
        values[i] = "+86 " + values[i]
    for i in _pick(rng, n, 0.01):
        values[i] = values[i].translate(FULL_WIDTH)
    return values


def amounts(n: int, rng: np.random.Generator) -> list[str]:
    values = rng.choice(
        ["580", "620", "650", "680", "700", "720.00", "750", "800", "850"], n
    ).tolist()
    for i in _pick(rng, n, 0.01):
        values[i] += "元"
    return values


# kind label -> (registry kind, params, generator)
CASES: dict[str, tuple[str, dict, Callable[[int, np.random.Generator], list[str]]]] = {
    "citizen_id": ("citizen_id", {}, citizen_ids),
    "date (YYYYMMDD)": ("date", {}, birth_dates),
    "date (mixed formats)": ("date", {}, mixed_dates),
    "datetime (YYYYMMDDHHMMSS)": ("datetime", {}, timestamps),
    "datetime (YYYY-MM-DD HH:MM:SS)": ("datetime", {}, timestamps_iso),
    "year_month": ("year_month", {}, year_months),
    "code (ethnicity)": ("code", {"table": "ethnicity"}, ethnicity_codes),
    "code (sex)": ("code", {"table": "sex"}, sex_labels),
    "text (household number)": ("text", {}, household_numbers),
    "person_name": ("person_name", {}, person_names),
    "address": ("address", {}, addresses),
    "phone": ("phone", {}, phones),
    "decimal": ("decimal", {}, amounts),
}


def main(argv: list[str] | None = None, repeat: int = 3) -> dict[str, float]:
    """Print (and return) values per second for each case; args: [n] [case-prefix …].

    Each case is timed ``repeat`` times on the same column and the best time is reported (the
    first run also pays one-off loading: OpenCC's and the area tables, pypinyin's data).
    """
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv and argv[0].isdigit() else 1_000_000
    wanted = [a for a in argv if not a.isdigit()]
    rng = np.random.default_rng(20261030)
    rates: dict[str, float] = {}
    print(f"{'kind':34} {'values':>10} {'seconds':>8} {'values/s':>12} {'errors':>7}")
    for label, (kind, params, generate) in CASES.items():
        if wanted and not any(label.startswith(w) for w in wanted):
            continue
        values = pd.Series(generate(n, rng), dtype=object)
        seconds = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            result = standardize(kind, values, **params)
            seconds = min(seconds, time.perf_counter() - start)
        rates[label] = n / seconds
        errors = int(result.error.notna().sum())
        print(f"{label:34} {n:>10,} {seconds:>8.3f} {n / seconds:>12,.0f} {errors:>7,}")
    return rates


if __name__ == "__main__":
    main()
