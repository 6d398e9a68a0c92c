"""Contracts are data: all nine load and validate; mistakes are clear errors; a tenth needs no code."""

from __future__ import annotations

import pytest
import yaml

from data_contracts import ContractError, load_contracts
from data_contracts.loader import CONTRACTS_DIR, load_contract_file

NINE = {
    "gaj_rkxx",
    "scjgj_qydj",
    "mzj_dbdx",
    "mzj_hydj",
    "rsj_cbxx",
    "bdc_djxx",
    "wjw_csyxzm",
    "wjw_swyxzm",
    "zrzyj_bzdz",
    "wgy_cj",
}


def test_every_extract_of_the_spec_has_a_valid_contract():
    contracts = load_contracts()
    assert set(contracts) == NINE
    assert {c.format for c in contracts.values()} == {"csv", "jsonl", "xlsx", "json"}
    assert contracts["gaj_rkxx"].encoding == "gb18030"
    assert contracts["scjgj_qydj"].encoding == "utf-8-sig"
    assert contracts["rsj_cbxx"].sheet == "参保人员"


def _write(tmp_path, data: dict, name: str = "gaj_rkxx"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_typo_in_a_contract_names_the_file_and_the_key(tmp_path):
    data = yaml.safe_load((CONTRACTS_DIR / "gaj_rkxx.yaml").read_text(encoding="utf-8"))
    data["fields"][1]["requird"] = True
    path = _write(tmp_path, data)

    with pytest.raises(ContractError) as error:
        load_contract_file(path)
    assert str(path) in str(error.value) and "fields.1.requird" in str(error.value)


def test_an_unknown_kind_is_refused_at_load(tmp_path):
    data = yaml.safe_load((CONTRACTS_DIR / "gaj_rkxx.yaml").read_text(encoding="utf-8"))
    data["fields"][0]["kind"] = "citizen_idd"

    with pytest.raises(ContractError, match="fields.0.kind: unknown kind 'citizen_idd'"):
        load_contract_file(_write(tmp_path, data))


def test_a_key_naming_an_unknown_field_is_refused(tmp_path):
    data = yaml.safe_load((CONTRACTS_DIR / "gaj_rkxx.yaml").read_text(encoding="utf-8"))
    data["key"] = ["gmsfhm"]

    with pytest.raises(ContractError, match="unknown field 'gmsfhm'"):
        load_contract_file(_write(tmp_path, data))


def test_a_tenth_department_needs_a_contract_file_and_no_code(database, settings, tmp_path):
    from hub.ingest.load import ingest_file
    from tests.ingest.helpers import citizen_id, fetch

    contract_file = _write(
        tmp_path,
        {
            "extract": "cjl_cjrxx",
            "department": "disabled_federation",
            "department_name": "残联",
            "title": "残疾人信息",
            "format": "csv",
            "encoding": "utf-8",
            "mode": "snapshot",
            "key": ["citizen_id"],
            "fields": [
                {
                    "name": "citizen_id",
                    "column": "身份证号",
                    "kind": "citizen_id",
                    "required": True,
                },
                {"name": "name", "column": "姓名", "kind": "person_name", "required": True},
                {"name": "certified_on", "column": "发证日期", "kind": "date"},
            ],
        },
        name="cjl_cjrxx",
    )
    contract = load_contract_file(contract_file)
    delivery = tmp_path / "cjl_cjrxx_20261101.csv"
    delivery.write_text(
        f"身份证号,姓名,发证日期\n{citizen_id()},劉萱若,2020年3月5日\n,无名,2020-01-01\n",
        encoding="utf-8",
    )

    result = ingest_file(delivery, "cjl_cjrxx", database, settings, contract)

    assert (result.rows_staged, result.rows_quarantined) == (1, 1)
    assert fetch(database, "select name, certified_on::text from staging.cjl_cjrxx") == [
        ("刘萱若", "2020-03-05")
    ]
