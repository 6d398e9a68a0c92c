"""Place extracts: the standard address register, and the gridworkers' uploads — nested JSON
files per county and month, whose defects are planted per visit (address, time) and per
resident (name, ID, phone)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hub.demo.addresses import address_text
from hub.demo.config import ExtractDefects
from hub.demo.defects import plant
from hub.demo.schema import EXTRACTS, Rendered
from hub.demo.util import fmt_dates, table
from hub.demo.visits import uploads


def zrzyj_bzdz(world, style: dict, rng: np.random.Generator) -> Rendered:
    pl = world.places[world.places.in_register]
    frame = table({
        "标准地址编码": pl.code.to_numpy(dtype=object), "区县代码": pl.county.to_numpy(dtype=object),
        "乡镇街道": pl.street.to_numpy(dtype=object), "社区村": pl.community.to_numpy(dtype=object),
        "网格编码": pl.grid_code.to_numpy(dtype=object), "街路巷": pl.road.to_numpy(dtype=object),
        "门牌号": pl.house_no.to_numpy(dtype=object), "楼栋号": pl.building_no.to_numpy(dtype=object),
        "单元": pl.unit_text.to_numpy(dtype=object), "户室": pl.room_text.to_numpy(dtype=object),
        "经度": np.char.mod("%.6f", pl.lon.to_numpy()).astype(object),
        "纬度": np.char.mod("%.6f", pl.lat.to_numpy()).astype(object),
    })  # fmt: skip
    mentions = table(
        {
            "row": np.arange(len(pl)),
            "role": "place",
            "subject": "place",
            "key": pl.code.to_numpy(dtype=object),
        }
    )
    return Rendered("zrzyj_bzdz", frame, mentions)


@dataclass
class UploadFile:
    name: str
    date: str
    visits: list[dict]
    mentions: pd.DataFrame  # source_row ('3.1'), role, subject, key
    defects: pd.DataFrame  # source_row, field, kind, outcome


VISIT_FIELDS = [c.name for c in EXTRACTS["wgy_cj"].columns if c.parent]
RESIDENT_FIELDS = [c.name for c in EXTRACTS["wgy_cj"].columns if not c.parent]


def wgy_cj(
    world,
    cfg: ExtractDefects,
    style: dict,
    rng: np.random.Generator,
    defect_rng: np.random.Generator,
) -> list[UploadFile]:
    extract = EXTRACTS["wgy_cj"]
    order = uploads(world.visits)
    v = world.visits.loc[order.visit.to_numpy()]
    place = v.place.to_numpy()
    visit_frame = table({
        "grid_code": v.grid.to_numpy(dtype=object),
        "std_address_code": world.places.code.to_numpy(dtype=object)[place],
        "address_text": address_text(world.places, place, rng, style),
        "collector_id": v.collector.to_numpy(dtype=object),
        "collected_at": fmt_dates(v.collected_at.to_numpy(), "%Y-%m-%d %H:%M:%S"),
    })  # fmt: skip
    planted_v = plant(visit_frame, extract, cfg, defect_rng, columns=VISIT_FIELDS, duplicates=True)
    rank = pd.Series(np.arange(len(order)), index=order.visit.to_numpy())
    res = world.residents.assign(vpos=rank.loc[world.residents.visit.to_numpy()].to_numpy())
    res = res.sort_values(["vpos"], kind="stable").reset_index(drop=True)
    p = world.persons
    who = res.person.to_numpy()
    resident_frame = table({
        "name": p.name.to_numpy(dtype=object)[who], "id_no": p.citizen_id.to_numpy(dtype=object)[who],
        "phone": p.phone.to_numpy(dtype=object)[who], "relation": res.relation.to_numpy(dtype=object),
        "residence_type": p.residence_type.to_numpy(dtype=object)[who],
    })  # fmt: skip
    planted_r = plant(
        resident_frame, extract, cfg, defect_rng, columns=RESIDENT_FIELDS, duplicates=False
    )

    delivered = table(
        {
            "dpos": np.arange(len(planted_v.source)),
            "vpos": planted_v.source,
            "file": order.file.to_numpy()[planted_v.source],
        }
    )
    delivered["visit_no"] = delivered.groupby("file", sort=False).cumcount() + 1
    rows = delivered.merge(res[["vpos"]].reset_index(names="rpos"), on="vpos").sort_values(
        ["dpos", "rpos"], kind="stable"
    )
    rows["resident_no"] = rows.groupby("dpos").cumcount() + 1
    rows["source_row"] = rows.visit_no.astype(str) + "." + rows.resident_no.astype(str)
    keys = p.person_key.to_numpy(dtype=object)[who]
    place_keys = world.places.code.to_numpy(dtype=object)[
        place
    ]  # the truth, even where the code was left out
    mentions = pd.concat([
        table({"file": rows.file, "source_row": rows.source_row, "role": "resident", "subject": "person",
                      "key": keys[rows.rpos.to_numpy()], "o": 0}),
        table({"file": rows.file, "source_row": rows.source_row, "role": "place", "subject": "place",
                      "key": place_keys[rows.vpos.to_numpy()], "o": 1}),
    ])  # fmt: skip
    vd = planted_v.defects.merge(
        rows[["dpos", "file", "source_row"]], left_on="row", right_on="dpos"
    )
    rd = planted_r.defects.merge(
        rows[["rpos", "file", "source_row"]], left_on="row", right_on="rpos"
    )
    defects = pd.concat([vd, rd])[["file", "source_row", "field", "kind", "outcome"]]

    files = []
    vrec = planted_v.frame.to_dict("records")
    rrec = planted_r.frame[RESIDENT_FIELDS].to_dict("records")
    by_file_m = dict(list(mentions.groupby("file", sort=False)))
    by_file_d = dict(list(defects.groupby("file", sort=False)))
    empty = defects.iloc[:0]
    for name, group in rows.groupby("file", sort=False):
        visits = []
        for dpos, members in group.groupby("dpos", sort=True):
            visit = dict(vrec[dpos])
            visit["residents"] = [dict(rrec[r]) for r in members.rpos.to_numpy()]
            visits.append(visit)
        files.append(UploadFile(
            name, name.split("_")[3], visits,
            by_file_m[name].sort_values(["source_row", "o"], key=_row_key, kind="stable")
            .drop(columns=["file", "o"]).reset_index(drop=True),
            by_file_d.get(name, empty).drop(columns="file").reset_index(drop=True),
        ))  # fmt: skip
    return files


def _row_key(col: pd.Series) -> pd.Series:
    if col.name != "source_row":
        return col
    parts = col.str.split(".", expand=True).astype(int)
    return parts[0] * 10_000 + parts[1]
