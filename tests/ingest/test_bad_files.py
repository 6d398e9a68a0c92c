"""Bad input gets a clear error and loses nothing: wrong encodings, columns, truncation."""

from __future__ import annotations

import json

from hub.ingest.load import ingest_file
from tests.ingest.helpers import (
    POLICE_HEADER,
    citizen_id,
    fetch,
    one,
    police_rows,
    staged_count,
    write_police,
)


def test_gb18030_extract_delivered_as_utf8_is_rejected_not_loaded_as_mojibake(
    database, settings, tmp_path
):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(5), encoding="utf-8")

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "rejected"
    assert "gaj_rkxx_20261101.csv" in result.error
    assert "UTF-8" in result.error and "GB18030" in result.error
    assert fetch(database, "select status, rows_read, error is not null from staging.delivery") == [
        ("rejected", 0, True)
    ]
    assert staged_count(database, "gaj_rkxx") == 0


def test_utf8_extract_delivered_as_gbk_is_rejected(database, settings, tmp_path):
    path = tmp_path / "wjw_swyxzm_20261101.csv"
    path.write_bytes(
        f"死亡医学证明编号,姓名,身份证号,性别,死亡日期,死亡地点\nS000000001,张三,{citizen_id()},男,2025-01-02,家中\n".encode(
            "gb18030"
        )
    )

    result = ingest_file(path, "wjw_swyxzm", database, settings)

    assert result.status == "rejected"
    assert "not valid UTF-8" in result.error and "GB18030" in result.error


def test_missing_required_column_rejects_the_file_and_names_it(database, settings, tmp_path):
    header = POLICE_HEADER.replace("GMSFHM,", "")
    rows = [r[1:] for r in police_rows(3)]
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", rows, header=header)

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "rejected"
    assert "GMSFHM" in result.error and "missing required column" in result.error
    assert "XM" in result.error  # what was found instead


def test_renamed_column_covered_by_an_alias_loads_with_a_warning(database, settings, tmp_path):
    path = write_police(
        tmp_path / "gaj_rkxx_20261101.csv",
        police_rows(3),
        header=POLICE_HEADER.replace("XM,", "姓名,"),
    )

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "loaded" and result.rows_staged == 3
    warnings = one(database, "select warnings from staging.delivery")
    assert any(w["code"] == "renamed_column" and "姓名" in w["message"] for w in warnings)
    assert one(database, "select count(*) from staging.gaj_rkxx where name = '张伟'") == 3


def test_unannounced_extra_column_is_kept_and_warned_about(database, settings, tmp_path):
    rows = [r + [f"备注{i}"] for i, r in enumerate(police_rows(2))]
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", rows, header=POLICE_HEADER + ",BZ")

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "loaded"
    assert any(w["code"] == "extra_column" for w in result.warnings)
    assert fetch(database, "select extra->>'BZ' from staging.gaj_rkxx order by source_row") == [
        ("备注0",),
        ("备注1",),
    ]


def test_truncated_last_csv_line_quarantines_that_row_not_the_file(database, settings, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(5), newline_at_end=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b",") - 20])  # cut the file inside its last row

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "loaded"
    assert (result.rows_staged, result.rows_quarantined) == (4, 1)
    assert fetch(database, "select source_row, reason_codes from staging.quarantine") == [
        ("5", ["truncated_row"])
    ]


def test_truncated_json_lines_file_quarantines_the_cut_line(database, settings, tmp_path):
    good = {
        "sfzh": citizen_id(),
        "xm": "张三",
        "xb": "男",
        "dbzt": "在保",
        "dbje": 680,
        "sqrq": "2021/3/5",
    }
    text = "\n".join(json.dumps(dict(good, xm=f"张{i}"), ensure_ascii=False) for i in range(3))
    path = tmp_path / "mzj_dbdx_20261101.jsonl"
    path.write_text(text[:-15], encoding="utf-8")

    result = ingest_file(path, "mzj_dbdx", database, settings)

    assert (result.rows_read, result.rows_staged, result.rows_quarantined) == (3, 2, 1)
    assert fetch(database, "select source_row, reason_codes from staging.quarantine") == [
        ("3", ["truncated_row"])
    ]


def test_truncated_gridworker_upload_keeps_every_complete_visit(database, settings, tmp_path):
    visits = [
        {
            "grid_code": "420502001001001",
            "std_address_code": "42050200100100100101-1-101",
            "address_text": "湖北省宜昌市西陵区青岛路124号1栋1单元101室",
            "collector_id": "WGY1",
            "collected_at": "2025-12-19 12:42:33",
            "residents": [
                {
                    "name": f"王{v}{r}",
                    "id_no": "",
                    "phone": "13800000000",
                    "relation": "户主",
                    "residence_type": "户籍人口",
                }
                for r in range(2)
            ],
        }
        for v in range(3)
    ]
    text = json.dumps(visits, ensure_ascii=False, indent=1)
    path = tmp_path / "wgy_cj_420502_20261101_001.json"
    path.write_text(text[: len(text) - 40], encoding="utf-8")

    result = ingest_file(path, "wgy_cj", database, settings)

    assert result.status == "loaded"
    assert (result.rows_staged, result.rows_quarantined) == (4, 1)
    assert [r[0] for r in fetch(database, "select source_row from staging.wgy_cj order by 1")] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
    ]
    assert fetch(database, "select source_row, reason_codes from staging.quarantine") == [
        ("3", ["truncated_row"])
    ]


def test_unreadable_workbook_is_rejected(database, settings, tmp_path):
    path = tmp_path / "rsj_cbxx_20261101.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")

    result = ingest_file(path, "rsj_cbxx", database, settings)

    assert result.status == "rejected" and "not a readable XLSX" in result.error


def test_workbook_without_the_contract_sheet_is_rejected(database, settings, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["证件号码", "姓名"])
    path = tmp_path / "rsj_cbxx_20261101.xlsx"
    wb.save(path)

    result = ingest_file(path, "rsj_cbxx", database, settings)

    assert result.status == "rejected" and "参保人员" in result.error and "Sheet1" in result.error


def test_invalid_id_outside_the_extract_key_is_staged_and_flagged(database, settings, tmp_path):
    bad = citizen_id(seq=3)[:-1] + ("0" if citizen_id(seq=3)[-1] != "0" else "1")
    record = {
        "sfzh": bad,
        "xm": "刘兰霞",
        "xb": "女",
        "dbzt": "在保",
        "dbje": 680,
        "sqrq": "2022/5/21",
    }
    path = tmp_path / "mzj_dbdx_20261101.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")

    result = ingest_file(path, "mzj_dbdx", database, settings)

    assert (result.rows_staged, result.rows_quarantined) == (1, 0)
    flags = one(database, "select flags from staging.mzj_dbdx")
    assert "invalid_check_character:citizen_id" in flags
