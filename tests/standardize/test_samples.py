"""The spec's sample extracts through the registry: their known defects come out as expected."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hub.standardize.registry import standardize
from tests.oracles import citizen_id_is_valid
from tests.standardize.samples import SAMPLES


@pytest.fixture
def police() -> pd.DataFrame:
    path = SAMPLES / "gaj_rkxx" / "gaj_rkxx_20261030.csv"
    if not path.is_file():
        pytest.skip("sample extracts not found")
    return pd.read_csv(path, dtype=str, encoding="gb18030", keep_default_na=False)


_independently_valid = citizen_id_is_valid


def test_police_citizen_ids(police):
    result = standardize("citizen_id", police["GMSFHM"])
    for raw, value, error in zip(police["GMSFHM"], result.value, result.error, strict=True):
        if not raw.strip():
            assert (value, error) == (None, None)
        else:
            assert (error is None) == _independently_valid(raw), raw
    by_raw = dict(
        zip(
            police["GMSFHM"],
            zip(result.value, result.error, result.warning, strict=True),
            strict=True,
        )
    )
    assert by_raw["420500810705191"] == ("420500198107051919", None, "legacy_id_upgraded")
    assert by_raw["４２０５００１９８１１０１１１８７１"] == ("420500198110111871", None, None)
    assert by_raw[" 420500194710027712 "] == ("420500194710027712", None, None)
    assert by_raw["420502 20130910 5521"][1] is None
    assert by_raw["120202197307301469"] == ("120202197307301469", None, "area_code_not_in_force")
    assert by_raw["420500179409069562"][1] == "invalid_birth_date"


def test_police_other_columns(police):
    assert standardize("code", police["XB"], table="sex").error.isna().all()
    assert standardize("code", police["MZ"], table="ethnicity").error.isna().all()
    assert standardize("code", police["YHZGX"], table="family_relation").error.isna().all()
    assert standardize("code", police["RYZT"], table="person_status").error.isna().all()
    assert standardize("code", police["HJDZ_XZQHDM"], table="county").error.isna().all()
    assert standardize("date", police["CSRQ"]).error.isna().all()
    assert standardize("datetime", police["GXSJ"]).error.isna().all()
    names = standardize("person_name", police["XM"])
    assert {"刘萱若", "赵宇皓", "杨洪", "叶华丽"} <= set(names.value)
    addresses = standardize("address", police["HJDZ_DZMC"])
    assert not any("號" in a for a in addresses.value)


def test_civil_affairs_allowances():
    path = SAMPLES / "mzj_dbdx" / "mzj_dbdx_20261021.jsonl"
    if not path.is_file():
        pytest.skip("sample extracts not found")
    records = pd.DataFrame(
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    )
    dates = standardize("date", records["sqrq"].astype(str))
    assert dates.error.isna().all()  # three formats in one file, all parsed
    amounts = standardize("decimal", records["dbje"].astype(str))
    assert set(records["dbje"][amounts.error.notna()]) == {"720元", "620元", "750元"}
    phones = standardize("phone", records["lxdh"].astype(str))
    assert phones.error.isna().all()
    assert "15742579403" in set(phones.value)  # from 157-4257-9403
    assert "18042379005" in set(phones.value)  # from full width
    sex = standardize("code", records["xb"], table="sex")
    assert set(sex.value) == {"1", "2"}


def test_enterprise_register():
    path = SAMPLES / "scjgj_qydj" / "scjgj_qydj_20261028.csv"
    if not path.is_file():
        pytest.skip("sample extracts not found")
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    codes = standardize("credit_code", frame["统一社会信用代码"])
    assert codes.error.isna().all()
    assert codes.extra["organization_code"].str.match(r"^[0-9A-Z]{8}-[0-9X]$").all()
    numbers = standardize("registration_number", frame["注册号"])
    assert numbers.error.isna().all()
    representatives = standardize("citizen_id", frame["法定代表人证件号码"])
    assert representatives.value.iat[3] == "422724195406255065"  # "422724 19540625 5065"
    assert standardize("decimal", frame["注册资本(万元)"]).error.isna().all()
