"""The column path must give, value for value, what the scalar specification gives.

Every kind runs over every cell of the sample extracts and over random garblings of realistic
values, through each way a column can be computed (per distinct value, fully vectorised, from
object and from Arrow-backed ``str`` input).
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from hub.standardize import registry
from hub.standardize.errors import ERROR_CODES, WARNING_CODES
from hub.standardize.registry import KINDS, standardize, standardize_one

PARAMS = {
    "code": [
        {"table": t} for t in ("sex", "ethnicity", "family_relation", "person_status", "county")
    ],
    "enum": [{"allowed": ["在保", "停保"]}],
    "date": [{}, {"formats": ["YYYYMMDD", "YYYY-MM-DD"]}],
}
SEEDS = [
    "11010519491231002X",
    "420500810705191",
    "422725195910183378",
    "110105194912310021",
    "91110000600037341L",
    "30839090-6",
    "420500145799244",
    "2021年3月5日",
    "2021/3/5",
    "20250313121623",
    "2025-12-19 12:42:33",
    "2004-09",
    "劉萱若",
    "阿依古丽•买买提",
    "宜昌瑞美建材 有限责任公司",
    "+86 15742252743",
    "0717-1234567",
    "720.00",
    "汉族",
    "420529001001GB00001F00010001",
    "42050200100100102301-2-1502",
]
NOISE = "0123456789xX -/.·•年月日:元+()（）０１９ａＸ\u3000\u200b劉张伟号"


def garbled(count: int, seed: int = 7) -> list[str | None]:
    rng = random.Random(seed)
    out: list[str | None] = [None, "", " "]
    for _ in range(count):
        chars = list(rng.choice(SEEDS))
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(chars) + 1)
            op = rng.random()
            if op < 0.5 and i < len(chars):
                chars[i] = rng.choice(NOISE)
            elif op < 0.75 and i < len(chars):
                del chars[i]
            else:
                chars.insert(i, rng.choice(NOISE))
        out.append("".join(chars))
    return out


def _cases():
    for kind in sorted(KINDS):
        spec = registry._KINDS[kind]
        paths = ["distinct", "vectorised"] if spec.arrow or spec.canonical else ["distinct"]
        for params in PARAMS.get(kind, [{}]):
            for path in paths:
                yield pytest.param(kind, params, path, id=f"{kind}{params or ''}-{path}")


def _same(a, b) -> bool:
    return a == b and type(a) is type(b)


def _check(kind, params, values, result):
    bad = []
    for i, raw in enumerate(values):
        expected = standardize_one(kind, raw, **params)
        got = (result.value.iat[i], result.error.iat[i], result.warning.iat[i])
        if not (
            _same(got[0], expected.value)
            and got[1] == expected.error
            and got[2] == expected.warning
            and {k: s.iat[i] for k, s in result.extra.items()} == dict(expected.extra)
        ):
            bad.append((raw, got, expected))
        assert expected.error is None or expected.error in ERROR_CODES
        assert expected.warning is None or expected.warning in WARNING_CODES
    assert not bad, bad[:5]


@pytest.mark.parametrize(("kind", "params", "path"), list(_cases()))
@pytest.mark.parametrize("dtype", [object, "str"])
def test_column_path_agrees_with_scalar(kind, params, path, dtype, sample_values, monkeypatch):
    if path == "vectorised":
        monkeypatch.setattr(registry, "_repeats", lambda values: False)
    values = sample_values + garbled(3000)
    series = pd.Series(values, dtype=dtype)
    result = standardize(kind, series, **params)
    _check(kind, params, values, result)


def test_a_large_repeating_column_agrees_too():
    values = garbled(500, seed=11) * 30  # 15,000 rows, repeating: the distinct path
    for kind in ("citizen_id", "date", "datetime", "text"):
        result = standardize(kind, pd.Series(values, dtype=object))
        _check(kind, {}, values, result)


def test_vectorised_dates_agree_on_every_day_of_a_leap_cycle():
    start = dt.date(1999, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(366 * 4 + 31)]
    values = []
    for d in days:
        values += [f"{d:%Y%m%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]
    values += [f"{y}-02-{d:02d}" for y in (1900, 2000, 2023, 2024) for d in (28, 29, 30)]
    series = pd.Series(values, dtype=object)
    for kind in ("date", "year_month"):
        _check(kind, {}, values, standardize(kind, series))
