"""The synthetic city is consistent across departments, and its anomaly list is exactly what a
detector should find in the delivered files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

from hub.demo import CityManifest, generate_city
from hub.demo.config import DefectConfigError, load_config
from hub.demo.ids import org_check
from hub.demo.schema import EXTRACTS
from tests.demo.reading import read_rows, truth

AS_OF = "2026-10-31"


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> CityManifest:
    return generate_city(tmp_path_factory.mktemp("city"), 2500, seed=21)


@pytest.fixture(scope="module")
def t(city):
    class Truth:
        persons = truth(city.out_dir, "persons").set_index("person_key", drop=False)
        firms = truth(city.out_dir, "enterprises").set_index("credit_code", drop=False)
        houses = truth(city.out_dir, "houses")
        owners = truth(city.out_dir, "house_owners")
        places = truth(city.out_dir, "places")
        mentions = truth(city.out_dir, "mentions")
        anomalies = truth(city.out_dir, "anomalies")

    return Truth


def _file(city: CityManifest, extract: str) -> Path:
    return next(p for name, p in city.files if name == extract)


def _keys(t, extract: str, role: str) -> dict[tuple[str, str], str]:
    m = t.mentions[(t.mentions.extract == extract) & (t.mentions.role == role)]
    return dict(zip(zip(m.file_name, m.source_row, strict=True), m.key, strict=True))


def test_households(t):
    reg = t.persons[t.persons.in_police_register == "True"]
    per_hh = reg.groupby("household_number")
    assert (per_hh.relation.apply(lambda r: (r == "02").sum()) == 1).all()
    assert (per_hh.size() <= 6).all() and (per_hh.hj_address_code.nunique() == 1).all()
    head = reg[reg.relation == "02"].set_index("household_number")
    m = reg.join(head[["sex", "birth_date"]].add_suffix("_head"), on="household_number")
    spouse, child, parent = (
        m[m.relation == "10"],
        m[m.relation.isin(["20", "30"])],
        m[m.relation == "50"],
    )
    assert (spouse.sex != spouse.sex_head).all()
    assert (child.birth_date > child.birth_date_head).all()
    assert (child.sex == child.relation.map({"20": "1", "30": "2"})).all()
    assert (parent.birth_date < parent.birth_date_head).all()
    assert reg.hj_county.str.startswith("4205").all()
    tujia = reg[reg.hj_county.isin(["420528", "420529"])].ethnicity.eq("15").mean()
    assert tujia > 0.4 and reg[reg.hj_county == "420502"].ethnicity.eq("15").mean() < 0.1


def test_deaths_and_police_status(city, t):
    p = t.persons
    deceased = set(t.mentions.key[t.mentions.role == "deceased"])
    dead = p[p.alive == "False"]
    assert set(p.person_key[p.police_status == "1"]) <= deceased
    assert set(dead.person_key) == deceased
    unreported = dead[(dead.police_status == "0")]
    assert len(unreported) >= 1 and (unreported.death_date >= "2026-09-01").all()


def test_newborns_not_yet_registered(t):
    p = t.persons
    babies = p[(p.in_police_register == "False") & (p.residence_type == "户籍人口")]
    assert (
        len(babies) >= 1
        and (babies.citizen_id == "").all()
        and (babies.birth_date >= "2026-08-31").all()
    )
    newborns = set(t.mentions.key[t.mentions.role == "newborn"])
    assert set(babies.person_key) <= newborns
    assert not set(babies.person_key) & set(t.mentions.key[t.mentions.extract == "gaj_rkxx"])


def test_births_have_plausible_parents(t):
    m = t.mentions[t.mentions.extract == "wjw_csyxzm"].pivot_table(
        index=["file_name", "source_row"], columns="role", values="key", aggfunc="first"
    )
    p = t.persons
    for row in m.itertuples():
        child = p.loc[row.newborn]
        for parent, sex in ((row.mother, "2"), (row.father, "1")):
            if isinstance(parent, str):
                assert p.sex[parent] == sex and p.birth_date[parent] < str(
                    int(child.birth_date[:4]) - 17
                )


def test_allowance_households(city, t):
    p = t.persons
    share = (p.allowance_status != "").sum() / (p.in_police_register == "True").sum()
    assert 0.01 < share < 0.04
    heads = _keys(t, "mzj_dbdx", "household_head")
    recipients = _keys(t, "mzj_dbdx", "recipient")
    for row, person in recipients.items():
        head = p.loc[heads[row]]
        assert head.relation == "02" and head.household_number == p.household_number[person]


def test_marriages(city, t):
    husbands, wives = _keys(t, "mzj_hydj", "husband"), _keys(t, "mzj_hydj", "wife")
    _, rows = read_rows("mzj_hydj", _file(city, "mzj_hydj"))
    last: dict[str, str] = {}
    p = t.persons
    for key, row in rows.items():
        h, w = (
            husbands[(_file(city, "mzj_hydj").name, key)],
            wives[(_file(city, "mzj_hydj").name, key)],
        )
        assert p.sex[h] == "1" and p.sex[w] == "2"
        last[h] = last[w] = row["登记类型"]
    for person, kind in last.items():
        assert p.marital_status[person] in (("已婚", "丧偶") if kind == "结婚" else ("离婚",)), (
            person
        )
    assert "离婚" in set(last.values())


def test_enterprise_identifiers(city, t):
    f = t.firms
    for row in f.itertuples():
        assert uscc.is_valid(row.credit_code) and row.credit_code[8:17] == row.organization_code
        assert org_check(row.organization_code[:8]) == row.organization_code[8]
        if row.registration_number:
            assert len(row.registration_number) == 15 and mod_11_10.is_valid(
                row.registration_number
            )
        assert row.legal_rep_key in t.persons.index
    path = _file(city, "scjgj_qydj")
    _, rows = read_rows("scjgj_qydj", path)
    entity = _keys(t, "scjgj_qydj", "entity")
    for key, r in rows.items():
        assert r["统一社会信用代码"] or r["注册号"] or r["组织机构代码"]
        if f.credit_code_in_register[entity[(path.name, key)]] == "False":  # closed before 2016
            assert not r["统一社会信用代码"]


def test_houses_and_owners(t):
    assert (t.houses.unit_number.str.len() == 28).all()
    assert (t.houses.unit_number.str.slice(0, 6) == t.houses.address_code.str.slice(0, 6)).all()
    p = t.persons
    for _, owners in t.owners.groupby("unit_number"):
        shares = set(owners.share)
        assert len(shares) == 1
        if shares <= {"共同共有", "按份共有"}:
            assert len(owners) == 2 and p.household_number[owners.owner_key].nunique() == 1
        for o in owners.itertuples():
            assert o.owner_key in (p.index if o.owner_subject == "person" else t.firms.index)
    assert "person" in set(t.owners.owner_subject) <= {"person", "legal_entity"}


def test_gridworkers_see_where_people_live(t):
    m = t.mentions[t.mentions.extract == "wgy_cj"]
    residents = m[m.role == "resident"].set_index(["file_name", "source_row"]).key
    places = m[m.role == "place"].set_index(["file_name", "source_row"]).key
    p = t.persons
    assert (
        p.current_address_code[residents.to_numpy()].to_numpy()
        == places.loc[residents.index].to_numpy()
    ).all()
    moved = p[
        (p.current_address_code != p.hj_address_code)
        & (p.in_police_register == "True")
        & (p.current_address_code != "")
    ]
    assert len(moved) > 0
    outsiders = set(p.person_key[p.residence_type == "流动人口"])
    assert outsiders & set(residents) and not outsiders & set(
        t.mentions.key[t.mentions.extract == "gaj_rkxx"]
    )


def test_anomalies_are_exactly_what_the_files_show(city, t):
    a, p, f = t.anomalies, t.persons, t.firms
    listed = {k: a[a.kind == k] for k in a.kind.unique()}
    assert len(listed) == 6 and all(len(v) >= 1 for v in listed.values())
    on_allowance = set(p.person_key[p.allowance_status == "在保"])
    dead = set(p.person_key[p.alive == "False"])
    assert set(listed["deceased_receiving_allowance"].person_key) == on_allowance & dead
    dwellings = t.owners.merge(t.houses[["unit_number", "use"]], on="unit_number")
    counts = dwellings[
        (dwellings.use == "住宅") & (dwellings.owner_subject == "person")
    ].owner_key.value_counts()
    assert set(listed["allowance_multi_dwelling"].person_key) == on_allowance & set(
        counts.index[counts >= 2]
    )
    active_reps = set(f.legal_rep_key[f.status.isin(["存续", "在业"])])
    assert set(listed["allowance_active_legal_rep"].person_key) == on_allowance & active_reps
    insured, employer = _keys(t, "rsj_cbxx", "insured"), _keys(t, "rsj_cbxx", "employer")
    _, rows = read_rows("rsj_cbxx", _file(city, "rsj_cbxx"))
    paying = [
        (insured[(_file(city, "rsj_cbxx").name, k)], employer[(_file(city, "rsj_cbxx").name, k)])
        for k, r in rows.items()
        if r["参保状态"] == "参保缴费"
    ]
    assert set(listed["deceased_paying_insurance"].person_key) == {
        i for i, _ in paying if i in dead
    }
    closed = set(f.credit_code[f.status.isin(["注销", "吊销"])])
    assert set(listed["dissolved_enterprise_paying_insurance"].entity_key) == {
        e for _, e in paying if e in closed
    }
    registered = set(t.places.address_code[t.places.in_register == "True"])
    seen = set(t.mentions.key[(t.mentions.extract == "wgy_cj") & (t.mentions.role == "place")])
    assert set(listed["unknown_gridworker_address"].place_key) == seen - registered
    _, zr = read_rows("zrzyj_bzdz", _file(city, "zrzyj_bzdz"))
    assert not set(listed["unknown_gridworker_address"].place_key) & {
        r["标准地址编码"] for r in zr.values()
    }


def test_config_is_validated(tmp_path):
    good = load_config()
    assert good.for_extract("gaj_rkxx").columns["GMSFHM"]
    cases = {
        "extracts: {nope: {}}": "unknown extract",
        "extracts: {gaj_rkxx: {columns: {XX: {}}}}": "unknown column",
        "extracts: {gaj_rkxx: {columns: {XM: {banana: 0.1}}}}": "unknown defect kind",
        "extracts: {gaj_rkxx: {columns: {XM: {lowercase_x: 0.1}}}}": "does not apply",
        "extracts: {gaj_rkxx: {columns: {XM: {homophone_typo: 0.9}}}}": "rate must be",
        "extracts: {gaj_rkxx: {columns: {HH: {missing_required: 0.1}}}}": "does not apply",
        "extracts: {mzj_dbdx: {columns: {sfzh: {missing_required: 0.1}}}}": "not required",
        "extracts: {mzj_dbdx: {columns: {sqrq: {date_format_variant: 0.1}}}}": "vary by design",
        "anomalies: {per_100k: {ghosts: 1}}": "unknown anomaly",
    }
    for text, message in cases.items():
        path = tmp_path / "bad.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DefectConfigError, match=message):
            load_config(path)


CONTRACTS = Path(__file__).resolve().parents[2] / "data_contracts"
DATE_KINDS = {"date", "datetime", "year_month", "excel_date"}


@pytest.mark.skipif(not CONTRACTS.is_dir(), reason="no data contracts in this checkout")
def test_expected_outcomes_agree_with_the_data_contracts():
    """A column the generator treats as required/key/date is one the contract quarantines on."""
    for name, spec in EXTRACTS.items():
        contract = yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))
        fields = {f["column"]: f for f in contract["fields"]}
        keys = {f["column"] for f in contract["fields"] if f["name"] in contract.get("key", [])
                and f.get("on_invalid") != "flag"}  # fmt: skip
        for column in spec.columns:
            field = fields[column.name]
            assert column.required == bool(field.get("required")), (name, column.name)
            assert (
                column.key == (column.name in keys and field["kind"] not in ("text",))
                or column.kind == "cert_no"
            )
            assert (column.kind in DATE_KINDS) == (
                field["kind"] in ("date", "datetime", "year_month")
            ), (name, column.name)
