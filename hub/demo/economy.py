"""Legal entities and employment: the market-regulation register (企业, 个体工商户, 合作社) with
their three generations of identifiers, and who is insured with which employer.

Identifiers follow the reform: units registered before 2016 carry a 15-digit 注册号 and an
8-digit organization code; the credit code issued in the changeover embeds that organization
code. Units closed before the changeover never got a credit code in the extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import COUNTY_BY_CODE
from hub.demo.ids import credit_code, org_codes, registration_number
from hub.demo.util import add_years, age_at, random_days, table

CREDIT_CODE_SINCE = np.datetime64("2016-01-01")
SAMR_SINCE = np.datetime64("2014-03-01")  # 工商行政管理局 → 市场监督管理局
ACTIVE = ("存续", "在业")
TYPES = (("个体工商户", 0.45, "2"), ("有限责任公司", 0.33, "1"), ("个人独资企业", 0.06, "1"),
         ("股份有限公司", 0.02, "1"), ("合伙企业", 0.04, "1"), ("农民专业合作社", 0.10, "3"))  # fmt: skip
_BRAND = "瑞美丰远鑫康楚达宏星佳晟亿长银宝诚长创瑞惠豪中晨康民汇通金源华兴天成永盛恒达新峡三峡清江夷陵荆楚长江"
_TRADES = ("建材", "物流", "科技", "茶业", "汽车销售", "医药", "酒店管理", "物业管理", "建筑工程", "贸易",
           "农业开发", "食品", "化工", "旅游开发", "电子商务", "装饰工程", "机械设备", "餐饮管理", "文化传媒")  # fmt: skip
_SHOPS = ("服装店", "餐馆", "副食店", "药店", "超市", "手机店", "五金店", "理发店", "茶叶店", "面馆", "水果店",
          "建材店", "汽车修理部", "便利店")  # fmt: skip
_COOPS = ("柑橘种植", "茶叶种植", "生猪养殖", "蔬菜种植", "中药材种植", "水产养殖")
_CAPITAL = ("3", "10", "50", "50.5", "100", "120", "200", "500", "1000", "5000")
INSURANCE = ("企业职工基本养老保险", "职工基本医疗保险")


def enterprises(
    persons: pd.DataFrame,
    households: pd.DataFrame,
    places: pd.DataFrame,
    excluded: np.ndarray,
    count: int,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Registered legal entities, each with a legal representative who is a person of the city."""
    type_i = rng.choice(len(TYPES), count, p=[t[1] for t in TYPES])
    kind = np.array([t[0] for t in TYPES], dtype=object)[type_i]
    est = as_of - (rng.exponential(9 * 365, count)).astype(np.int64).astype("timedelta64[D]")
    early = est < np.datetime64(
        "1992-01-01"
    )  # the register starts in 1992: spread the tail over the 1990s
    est[early] = random_days(
        rng, np.datetime64("1992-01-01"), np.datetime64("1999-12-31"), int(early.sum())
    )
    old = est < CREDIT_CODE_SINCE
    u = rng.random(count)
    status = np.where(
        old,
        np.select(
            [u < 0.68, u < 0.75, u < 0.9, u < 0.98], ["存续", "在业", "注销", "吊销"], "迁出"
        ),
        np.select(
            [u < 0.78, u < 0.88, u < 0.97, u < 0.99], ["存续", "在业", "注销", "吊销"], "迁出"
        ),
    )
    active = np.isin(status, ACTIVE)
    # old units that closed mostly did so before the 2016 reform (they never got a credit code)
    end_by = np.where(
        old & (rng.random(count) < 0.6), CREDIT_CODE_SINCE - np.timedelta64(1, "D"), as_of - 1
    )
    ended = random_days(rng, add_years(est, 1), np.maximum(end_by, add_years(est, 1)), count)
    approved = np.where(active, random_days(rng, est, as_of - np.timedelta64(1, "D"), count), ended)
    approved = np.maximum(approved, est)
    reps = _representatives(persons, excluded, active, est, as_of, rng)
    county = households.county.to_numpy()[persons.hh.to_numpy()[reps]]
    company = np.isin(kind, ["有限责任公司", "股份有限公司"])
    area = np.where(company & (rng.random(count) < 0.2), "420500", county)
    orgs = org_codes(~old, rng)
    codes = [credit_code(TYPES[t][2], a, o) for t, a, o in zip(type_i, area, orgs, strict=True)]
    pre_reform = old & ~active & (approved < CREDIT_CODE_SINCE)
    legacy = rng.choice(3, count, p=[0.4, 0.3, 0.3])  # 0: 注册号, 1: 组织机构代码, 2: both
    reg_no = np.array(
        [registration_number(a, rng) if o else "" for a, o in zip(area, old, strict=True)],
        dtype=object,
    )
    out = table({
        "credit_code": codes, "org_code": orgs, "reg_no": reg_no,
        # closed before the reform: 注册号 only, 组织机构代码 only, or both; converted ones keep
        # their 注册号 beside the credit code most of the time
        "shows_credit_code": ~pre_reform,
        "shows_reg_no": np.where(pre_reform, legacy != 1, old & (rng.random(count) < 0.7)),
        "shows_org_code": pre_reform & (legacy >= 1),
        "name": _names(kind, county, persons.name.to_numpy()[reps], rng), "type": kind,
        "rep": reps, "capital": _capital(kind, rng), "established": est, "status": status,
        "approved": approved, "county": county, "area": area,
        "place": _addresses(places, county, kind, reps, persons, households, rng),
    })  # fmt: skip
    out["authority"] = [_authority(a, c, d) for a, c, d in zip(area, county, approved, strict=True)]
    out["employees"] = np.where(
        kind == "个体工商户",
        rng.integers(0, 2, count),
        np.minimum(rng.lognormal(1.8, 1.0, count).astype(np.int64), 300),
    )
    return out.sort_values(["established", "credit_code"], kind="stable").reset_index(drop=True)


def _representatives(persons, excluded, active, est, as_of, rng) -> np.ndarray:
    """Adults alive when needed; the people excluded (allowance recipients) never represent an
    active unit. About one unit in twelve shares its representative with another one."""
    age = age_at(persons.birth.to_numpy(), as_of)
    alive = np.isnat(persons.death.to_numpy()) & (persons.police_status.to_numpy() <= 0)
    adult = (age >= 25) & (age <= 75) & (persons.citizen_id.to_numpy() != "")
    ok_active = np.flatnonzero(
        adult
        & alive
        & ~np.isin(np.arange(len(persons)), excluded)
        & ~np.strings.startswith(persons.citizen_id.to_numpy().astype(str), "9")
    )
    ok_any = np.flatnonzero(adult)
    if not len(ok_any):  # a toy city without adults: anyone with an ID will do
        ok_any = np.flatnonzero(persons.citizen_id.to_numpy() != "")
    if not len(ok_active):
        ok_active = ok_any
    n = len(active)
    reps = np.where(
        active,
        ok_active[rng.integers(0, len(ok_active), n)],
        ok_any[rng.integers(0, len(ok_any), n)],
    )
    share = np.flatnonzero(active & (rng.random(n) < 0.08))
    if len(share) > 1:
        reps[share] = reps[share[rng.integers(0, len(share), len(share))]]
    # a representative is at least 18 when the unit is founded: otherwise pick an older one
    birth = persons.birth.to_numpy()
    young = add_years(birth[reps], 18) > est
    older = ok_active[age[ok_active] >= 50]
    if len(older):
        reps[young] = older[rng.integers(0, len(older), young.sum())]
    return reps


def _names(kind, county, rep_names, rng) -> np.ndarray:
    county_name = np.array([COUNTY_BY_CODE[c].name for c in county], dtype=object)
    brand = np.array(
        [_BRAND[i] + _BRAND[j] for i, j in rng.integers(0, len(_BRAND), (len(kind), 2))],
        dtype=object,
    )
    brand = np.where(
        rng.random(len(kind)) < 0.2, np.array([n[0] + "记" for n in rep_names], dtype=object), brand
    )
    trade = np.array(_TRADES, dtype=object)[rng.integers(0, len(_TRADES), len(kind))]
    prefix = np.array(["宜昌", "宜昌市", "宜昌市", "宜昌"], dtype=object)[
        rng.integers(0, 4, len(kind))
    ]
    prefix = np.where(rng.random(len(kind)) < 0.15, county_name, prefix)
    shop = np.array(_SHOPS, dtype=object)[rng.integers(0, len(_SHOPS), len(kind))]
    coop = np.array(_COOPS, dtype=object)[rng.integers(0, len(_COOPS), len(kind))]
    names = np.select(
        [kind == "个体工商户", kind == "有限责任公司", kind == "股份有限公司", kind == "个人独资企业",
         kind == "合伙企业"],
        [county_name + brand + shop, prefix + brand + trade + "有限公司", prefix + brand + trade + "股份有限公司",
         prefix + brand + trade + "经营部", prefix + brand + trade + "中心（普通合伙）"],
        county_name + brand + coop + "专业合作社",
    )  # fmt: skip
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # names are unique within the register
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            names[i] = name.replace(brand[i], brand[i] + _BRAND[k % len(_BRAND)], 1)
    return names


def _capital(kind, rng) -> np.ndarray:
    cap = np.array(_CAPITAL, dtype=object)[rng.integers(0, len(_CAPITAL), len(kind))]
    return np.where(np.isin(kind, ["个体工商户", "合伙企业"]), "", cap)


def _addresses(places, county, kind, reps, persons, households, rng) -> np.ndarray:
    """A shop of the unit's county, or the representative's home (a cooperative's always, one
    in three of the others, and wherever the county has no shop)."""
    shops = places[(places.kind == "shop") & places.in_register]
    home = households.hj_place.to_numpy()[persons.hh.to_numpy()[reps]]
    home = np.where(home >= 0, home, households.cur_place.to_numpy()[persons.hh.to_numpy()[reps]])
    out = home.copy()
    use_shop = (rng.random(len(reps)) < 0.67) & (kind != "农民专业合作社")
    for c in np.unique(county):
        sel = np.flatnonzero(use_shop & (county == c))
        pool = shops.index[shops.county == c].to_numpy()
        if len(pool):
            out[sel] = pool[rng.integers(0, len(pool), len(sel))]
    return out


def _authority(area: str, county: str, when: np.datetime64) -> str:
    suffix = "工商行政管理局" if when < SAMR_SINCE else "市场监督管理局"
    return (
        "宜昌市" + suffix if area == "420500" else COUNTY_BY_CODE[county].authority_prefix + suffix
    )


def insurance(
    persons: pd.DataFrame,
    firms: pd.DataFrame,
    excluded: np.ndarray,
    as_of: np.datetime64,
    rng: np.random.Generator,
    share: float = 0.4,
) -> pd.DataFrame:
    """Insured employees (about ``share`` of adults) of active units, one row per 险种; plus the
    terminated insurance of some who died."""
    age = age_at(persons.birth.to_numpy(), as_of)
    alive = np.isnat(persons.death.to_numpy()) & (persons.police_status.to_numpy() <= 0)
    adults = int((alive & (age >= 18)).sum())
    pool = np.flatnonzero(
        alive
        & (age >= 18)
        & (age <= 60)
        & (persons.citizen_id.to_numpy() != "")
        & ~np.isin(np.arange(len(persons)), excluded)
    )
    insured = np.sort(rng.choice(pool, size=min(len(pool), round(adults * share)), replace=False))
    live = firms.index[firms.status.isin(ACTIVE) & (firms.type != "个体工商户")].to_numpy()
    if not len(live):
        insured = insured[:0]
        live = np.arange(len(firms))[:1]
    weight = firms.employees.to_numpy()[live] + 1.0
    employer = live[rng.choice(len(live), len(insured), p=weight / weight.sum())]
    u = rng.random(len(insured))
    status = np.select([u < 0.88, u < 0.97], ["参保缴费", "暂停缴费"], "终止参保")
    rows = _rows(persons, firms, insured, employer, status, as_of, rng)
    died = persons.index[
        persons.death.notna() & (age_at(persons.birth.to_numpy(), as_of) < 75)
    ].to_numpy()
    died = died[rng.random(len(died)) < 0.3]
    if len(died) and len(live):
        rows = pd.concat(
            [
                rows,
                _rows(
                    persons,
                    firms,
                    died,
                    live[rng.integers(0, len(live), len(died))],
                    np.full(len(died), "终止参保"),
                    as_of,
                    rng,
                ),
            ],
            ignore_index=True,
        )
    return rows


def _rows(persons, firms, who, employer, status, as_of, rng) -> pd.DataFrame:
    start = np.maximum(
        add_years(persons.birth.to_numpy()[who], 18), firms.established.to_numpy()[employer]
    )
    end = np.where(
        persons.death.notna().to_numpy()[who], persons.death.to_numpy()[who], as_of
    ) - np.timedelta64(1, "D")
    first = random_days(
        rng,
        start,
        np.maximum(start, np.minimum(end, start + np.timedelta64(3 * 365, "D"))),
        len(who),
    )
    base = table({"person": who, "employer": employer, "status": status, "first": first})
    medical = base[rng.random(len(base)) < 0.55]
    return pd.concat(
        [base.assign(type=INSURANCE[0]), medical.assign(type=INSURANCE[1])], ignore_index=True
    )
