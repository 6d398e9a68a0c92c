"""Legal-entity extracts as exported: the enterprise register, insured persons with their
employers, and property registrations (clean, before defects)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.demo.addresses import address_text
from hub.demo.ids import format_org_code
from hub.demo.render_people import _mentions, _sex_text
from hub.demo.schema import Rendered
from hub.demo.util import fmt_dates, table


def _id_type(ids: np.ndarray) -> np.ndarray:
    permit = np.strings.startswith(ids.astype(str), "8")
    return np.where(permit, "港澳台居民居住证", "居民身份证").astype(object)


def scjgj_qydj(world, style: dict, rng: np.random.Generator) -> Rendered:
    f = world.firms
    p = world.persons
    rep = f.rep.to_numpy()
    ids = p.citizen_id.to_numpy(dtype=object)[rep]
    frame = table({
        "统一社会信用代码": np.where(f.shows_credit_code, f.credit_code, "").astype(object),
        "注册号": np.where(f.shows_reg_no, f.reg_no, "").astype(object),
        "组织机构代码": np.where(f.shows_org_code, [format_org_code(o) for o in f.org_code], "").astype(object),
        "企业名称": f.name.to_numpy(dtype=object), "企业类型": f.type.to_numpy(dtype=object),
        "法定代表人": p.name.to_numpy(dtype=object)[rep], "法定代表人证件类型": _id_type(ids),
        "法定代表人证件号码": ids, "注册资本(万元)": f.capital.to_numpy(dtype=object),
        "成立日期": fmt_dates(f.established.to_numpy(), "%Y-%m-%d"),
        "住所": address_text(world.places, f.place.to_numpy(), rng, style),
        "登记机关": f.authority.to_numpy(dtype=object), "登记状态": f.status.to_numpy(dtype=object),
        "核准日期": fmt_dates(f.approved.to_numpy(), "%Y-%m-%d"),
    })  # fmt: skip
    rows = np.arange(len(f))
    return Rendered("scjgj_qydj", frame, pd.concat([
        _mentions(rows, "entity", "legal_entity", f.credit_code.to_numpy(dtype=object)),
        _mentions(rows, "legal_rep", "person", p.person_key.to_numpy(dtype=object)[rep])]))  # fmt: skip


def rsj_cbxx(world, style: dict, rng: np.random.Generator) -> Rendered:
    ins = world.insurance.sort_values(
        ["employer", "first", "person", "type"], kind="stable"
    ).reset_index(drop=True)
    f, p = world.firms, world.persons
    who, emp = ins.person.to_numpy(), ins.employer.to_numpy()
    shown = np.where(
        f.shows_credit_code.to_numpy()[emp],
        f.credit_code.to_numpy(dtype=object)[emp],
        f.reg_no.to_numpy(dtype=object)[emp],
    )  # units closed before the reform: 注册号
    frame = table({
        "证件号码": p.citizen_id.to_numpy(dtype=object)[who], "姓名": p.name.to_numpy(dtype=object)[who],
        "性别": _sex_text(p.sex.to_numpy()[who]), "出生年月": fmt_dates(p.birth.to_numpy()[who], "%Y-%m"),
        "单位统一社会信用代码": shown, "单位名称": f.name.to_numpy(dtype=object)[emp],
        "险种": ins.type.to_numpy(dtype=object), "参保状态": ins.status.to_numpy(dtype=object),
        "首次参保日期": fmt_dates(ins["first"].to_numpy(), "%Y-%m-%d"),
        "手机号码": p.phone.to_numpy(dtype=object)[who],
        "_org_code": f.org_code.to_numpy(dtype=object)[emp], "_reg_no": f.reg_no.to_numpy(dtype=object)[emp],
    })  # fmt: skip
    rows = np.arange(len(ins))
    return Rendered("rsj_cbxx", frame, pd.concat([
        _mentions(rows, "insured", "person", p.person_key.to_numpy(dtype=object)[who]),
        _mentions(rows, "employer", "legal_entity", f.credit_code.to_numpy(dtype=object)[emp])]))  # fmt: skip


def bdc_djxx(world, style: dict, rng: np.random.Generator) -> Rendered:
    o = world.owners
    h = world.houses.loc[o.house.to_numpy()]
    p, f = world.persons, world.firms
    entity = o.kind.to_numpy() == "entity"
    owner = o.owner.to_numpy()
    person_i = np.where(entity, 0, owner)
    firm_i = np.where(entity, owner, 0)
    name = np.where(
        entity, f.name.to_numpy(dtype=object)[firm_i], p.name.to_numpy(dtype=object)[person_i]
    )
    party = np.where(
        entity,
        f.credit_code.to_numpy(dtype=object)[firm_i],
        p.citizen_id.to_numpy(dtype=object)[person_i],
    )
    frame = table({
        "不动产单元号": h.unit_number.to_numpy(dtype=object), "不动产权证号": h.certificate.to_numpy(dtype=object),
        "坐落": address_text(world.places, h.place.to_numpy(), rng, style), "规划用途": h.use.to_numpy(dtype=object),
        "建筑面积": np.char.mod("%.2f", h.area.to_numpy()).astype(object), "权利人": name,
        "权利人证件类型": np.where(entity, "统一社会信用代码", "身份证").astype(object), "权利人证件号": party,
        "共有情况": o.share.to_numpy(dtype=object),
        "登记时间": fmt_dates(h.registered.to_numpy(), "%Y-%m-%d %H:%M:%S"),
    })  # fmt: skip
    rows = np.arange(len(o))
    owner_key = np.where(
        entity,
        f.credit_code.to_numpy(dtype=object)[firm_i],
        p.person_key.to_numpy(dtype=object)[person_i],
    )
    mentions = pd.concat([
        _mentions(rows, "house", "house", h.unit_number.to_numpy(dtype=object)),
        _mentions(rows[~entity], "owner", "person", owner_key[~entity]),
        _mentions(rows[entity], "owner", "legal_entity", owner_key[entity]),
    ])  # fmt: skip
    return Rendered("bdc_djxx", frame, mentions)
