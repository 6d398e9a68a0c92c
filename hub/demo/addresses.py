"""How departments write the address of a place: the full form, without province or city,
the ``2-1-102`` short form, Chinese numerals (二栋一单元), 號 for 号.

These are the formats the hub must read, not defects, so they are not listed in the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.gazetteer import CITY, PROVINCE
from hub.demo.util import cn_numeral


def address_text(
    places: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator, style: dict[str, float]
) -> np.ndarray:
    """Free-text addresses of ``places.iloc[idx]``, in the mix of styles departments use:
    full (湖北省宜昌市西陵区青岛路124号2栋1单元102室), without province or city, short ``2-1-102``,
    Chinese numerals (二栋一单元), 號 for 号. Rows in the usual full style are a plain lookup; only
    the variants are composed."""
    idx = np.asarray(idx, dtype=np.int64)
    n = len(idx)
    county = places["county_name"].to_numpy(dtype=object)[idx]
    body = places["body"].to_numpy(dtype=object)[idx]
    r = rng.random((5, n))
    cn = np.flatnonzero(r[0] < style.get("chinese_numerals", 0))
    if len(cn):
        body[cn] = bodies(places.iloc[idx[cn]], chinese=True)
    short = np.flatnonzero(
        (r[1] < style.get("short_form", 0)) & (r[0] >= style.get("chinese_numerals", 0))
    )
    if len(short):
        p = places.iloc[idx[short]]
        short_body = (
            p.road + p.house_no + "号" + p.bic.astype(str) + "-" + p.unit_text + "-" + p.room_text
        )
        body[short] = np.where(
            p.kind.to_numpy() == "dwelling", short_body.to_numpy(dtype=object), body[short]
        )
    no_province = r[2] < style.get("no_province", 0)
    county_only = (r[3] < style.get("county_only", 0)) & ~no_province
    prefix = np.where(
        no_province, CITY + county, np.where(county_only, county, PROVINCE + CITY + county)
    )
    text = prefix + body
    hao = r[4] < style.get("traditional_hao", 0)
    if hao.any():
        text[hao] = [t.replace("号", "號", 1) for t in text[hao]]
    return text


def bodies(p: pd.DataFrame, chinese: bool = False) -> np.ndarray:
    """Address text after the county: road, number, building, unit, room (or 镇, 村, 组, 号)."""
    road, no = p.road.to_numpy(dtype=object), p.house_no.to_numpy(dtype=object)
    kind = p.kind.to_numpy()
    if chinese:
        numerals = np.array([""] + [cn_numeral(i) for i in range(1, 100)], dtype=object)
        b_txt = numerals[np.clip(p.bic.to_numpy(), 0, 99)]
        u_txt = numerals[np.clip(p.unit.to_numpy(), 0, 99)]
        road = road.copy()
        rural = np.flatnonzero(kind == "rural")
        road[rural] = [cn_numeral(int(x[:-1])) + "组" for x in road[rural]]
    else:
        b_txt = p.building_no.to_numpy(dtype=object)
        u_txt = p.unit_text.to_numpy(dtype=object)
    room = p.room_text.to_numpy(dtype=object)
    body = road + no + "号" + b_txt + "栋" + u_txt + "单元" + room + "室"
    body = np.where(kind == "shop", road + no + "号" + room + "室", body)
    body = np.where(kind == "building", road + no + "号" + b_txt + "栋", body)
    rural_body = (
        p.street.to_numpy(dtype=object) + p.community.to_numpy(dtype=object) + road + no + "号"
    )
    return np.where(kind == "rural", rural_body, body)
