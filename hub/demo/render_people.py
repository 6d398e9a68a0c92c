"""Person-centred extracts as their departments export them: the police register, allowance
recipients, marriage registrations, birth and death certificates (clean, before defects)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.addresses import address_text
from hub.demo.family import registered_events
from hub.demo.gazetteer import COUNTY_BY_CODE
from hub.demo.schema import Rendered
from hub.demo.util import fmt_dates, random_days, random_times, table


def _mentions(rows: np.ndarray, role: str, subject: str, keys: np.ndarray) -> pd.DataFrame:
    keys = np.asarray(keys, dtype=object)
    keep = keys != ""
    return table(
        {"row": np.asarray(rows)[keep], "role": role, "subject": subject, "key": keys[keep]}
    )


def _sex_text(sex: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(sex) == 1, "男", "女").astype(object)


def gaj_rkxx(world, style: dict, rng: np.random.Generator) -> Rendered:
    p = world.persons
    reg = p[p.registered].copy()
    hh = world.households
    reg["hh_number"] = hh.hh_number.to_numpy()[reg.hh.to_numpy()]
    reg = reg.sort_values(["hj_county", "hh_number", "relation", "birth"], kind="stable")
    n = len(reg)
    death = reg.death.to_numpy().astype("datetime64[D]")
    known = reg.police_status.to_numpy() == 1
    start = np.where(known, death + np.timedelta64(1, "D"), np.datetime64("2024-01-01"))
    end = np.where(
        known,
        np.minimum(death + np.timedelta64(45, "D"), world.as_of - np.timedelta64(1, "D")),
        world.as_of - np.timedelta64(1, "D"),
    )
    updated = random_times(rng, random_days(rng, start, end, n), 8, 18)
    frame = table({
        "GMSFHM": reg.citizen_id.to_numpy(dtype=object),
        "XM": reg.name.to_numpy(dtype=object),
        "XB": reg.sex.astype(str).to_numpy(dtype=object),
        "MZ": reg.ethnicity.to_numpy(dtype=object),
        "CSRQ": fmt_dates(reg.birth.to_numpy(), "%Y%m%d"),
        "HJDZ_XZQHDM": reg.hj_county.to_numpy(dtype=object),
        "HJDZ_DZMC": address_text(world.places, reg.hj_place.to_numpy(), rng, style),
        "HH": reg.hh_number.to_numpy(dtype=object),
        "YHZGX": reg.relation.to_numpy(dtype=object),
        "RYZT": reg.police_status.astype(str).to_numpy(dtype=object),
        "GXSJ": fmt_dates(updated, "%Y%m%d%H%M%S"),
    })  # fmt: skip
    return Rendered(
        "gaj_rkxx", frame, _mentions(np.arange(n), "person", "person", reg.person_key.to_numpy())
    )


_SQRQ_FORMATS = ("%Y-%m-%d", "%Y/%-m/%-d", "%Y年%-m月%-d日")


def mzj_dbdx(world, style: dict, rng: np.random.Generator) -> Rendered:
    a = world.allowance
    p = world.persons
    who, head = a.person.to_numpy(), a["head"].to_numpy()
    n = len(a)
    own = p.phone.to_numpy(dtype=object)[who]
    head_phone = p.phone.to_numpy(dtype=object)[head]
    phone = np.where((own == "") | (rng.random(n) < 0.4), head_phone, own)
    applied = a.applied.to_numpy()
    fmt = rng.choice(len(_SQRQ_FORMATS), n, p=[0.45, 0.3, 0.25])  # formats vary by design (README)
    sqrq = np.empty(n, dtype=object)
    for i, f in enumerate(_SQRQ_FORMATS):
        sqrq[fmt == i] = fmt_dates(applied[fmt == i], f)
    frame = table({
        "sfzh": p.citizen_id.to_numpy(dtype=object)[who], "xm": p.name.to_numpy(dtype=object)[who],
        "xb": _sex_text(p.sex.to_numpy()[who]),
        "jtzz": address_text(world.places, world.households.cur_place.to_numpy()[a.hh.to_numpy()], rng, style),
        "dbzt": a.status.to_numpy(dtype=object), "dbje": a.amount.astype(str).to_numpy(dtype=object),
        "sqrq": sqrq, "lxdh": phone, "hzsfzh": p.citizen_id.to_numpy(dtype=object)[head],
    })  # fmt: skip
    keys = p.person_key.to_numpy(dtype=object)
    mentions = pd.concat(
        [
            _mentions(np.arange(n), "recipient", "person", keys[who]),
            _mentions(np.arange(n), "household_head", "person", keys[head]),
        ]
    )
    return Rendered("mzj_dbdx", frame, mentions)


def _office(county: np.ndarray) -> np.ndarray:
    return np.array(
        [COUNTY_BY_CODE[c].authority_prefix + "民政局婚姻登记处" for c in county], dtype=object
    )


def mzj_hydj(world, style: dict, rng: np.random.Generator) -> Rendered:
    e = registered_events(world.events)
    p = world.persons
    h, w = e.husband.to_numpy(), e.wife.to_numpy()
    county = np.where(
        p.hj_county.to_numpy(dtype=object)[h] != "",
        p.hj_county.to_numpy(dtype=object)[h],
        p.hj_county.to_numpy(dtype=object)[w],
    )
    names, ids, keys = (p[c].to_numpy(dtype=object) for c in ("name", "citizen_id", "person_key"))
    frame = table({
        "登记日期": fmt_dates(e.date.to_numpy(), "%Y-%m-%d"), "登记类型": e.type.to_numpy(dtype=object),
        "男方姓名": names[h], "男方身份证号": ids[h], "女方姓名": names[w], "女方身份证号": ids[w],
        "登记机关": _office(county),
    })  # fmt: skip
    rows = np.arange(len(e))
    return Rendered(
        "mzj_hydj",
        frame,
        pd.concat(
            [
                _mentions(rows, "husband", "person", keys[h]),
                _mentions(rows, "wife", "person", keys[w]),
            ]
        ),
    )


def wjw_csyxzm(world, style: dict, rng: np.random.Generator) -> Rendered:
    b = world.births
    p = world.persons
    names, ids, keys = (
        np.append(p[c].to_numpy(dtype=object), "") for c in ("name", "citizen_id", "person_key")
    )
    child, mother, father = b.child.to_numpy(), b.mother.to_numpy(), b.father.to_numpy()  # -1: none
    frame = table({
        "出生医学证明编号": b.cert_no.to_numpy(dtype=object), "新生儿姓名": names[child],
        "性别": _sex_text(p.sex.to_numpy()[child]), "出生日期": fmt_dates(b.birth.to_numpy(), "%Y-%m-%d"),
        "出生地点": b.place.to_numpy(dtype=object), "母亲姓名": names[mother], "母亲身份证号": ids[mother],
        "父亲姓名": names[father], "父亲身份证号": ids[father], "签发日期": fmt_dates(b.issued.to_numpy(), "%Y-%m-%d"),
    })  # fmt: skip
    rows = np.arange(len(b))
    mentions = pd.concat(
        [
            _mentions(rows, "newborn", "person", keys[child]),
            _mentions(rows, "mother", "person", keys[mother]),
            _mentions(rows, "father", "person", keys[father]),
        ]
    )
    return Rendered("wjw_csyxzm", frame, mentions)


def wjw_swyxzm(world, style: dict, rng: np.random.Generator) -> Rendered:
    d = world.deaths
    p = world.persons
    who = d.person.to_numpy()
    frame = table({
        "死亡医学证明编号": d.cert_no.to_numpy(dtype=object), "姓名": p.name.to_numpy(dtype=object)[who],
        "身份证号": p.citizen_id.to_numpy(dtype=object)[who], "性别": _sex_text(p.sex.to_numpy()[who]),
        "死亡日期": fmt_dates(d.death.to_numpy(), "%Y-%m-%d"), "死亡地点": d.place.to_numpy(dtype=object),
    })  # fmt: skip
    return Rendered(
        "wjw_swyxzm",
        frame,
        _mentions(
            np.arange(len(d)), "deceased", "person", p.person_key.to_numpy(dtype=object)[who]
        ),
    )
