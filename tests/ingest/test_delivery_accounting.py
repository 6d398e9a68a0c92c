"""A delivery is loaded once, in full or not at all, and every row is accounted for."""

from __future__ import annotations

from hub.ingest.load import ingest_file
from tests.ingest.helpers import (
    citizen_id,
    fetch,
    one,
    police_row,
    police_rows,
    write_police,
    wrong_check,
)


def test_rows_read_equal_rows_staged_plus_rows_quarantined(database, settings, tmp_path):
    rows = police_rows(20)
    rows.append(police_row(21, GMSFHM=""))  # missing key
    rows.append(police_row(22, CSRQ="20230230"))  # impossible date
    rows.append(list(rows[0]))  # exact duplicate of row 1
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", rows)

    result = ingest_file(path, "gaj_rkxx", database, settings)

    assert result.status == "loaded"
    assert (result.rows_read, result.rows_staged, result.rows_quarantined) == (23, 20, 3)
    recorded = fetch(
        database,
        "select status, rows_read, rows_staged, rows_quarantined, file_name from staging.delivery",
    )
    assert recorded == [("loaded", 23, 20, 3, "gaj_rkxx_20261101.csv")]
    assert one(database, "select count(*) from staging.gaj_rkxx") == 20
    assert one(database, "select count(*) from staging.quarantine") == 3


def test_quarantined_row_keeps_raw_values_and_every_reason(database, settings, tmp_path):
    broken = police_row(5, XM="", CSRQ="19801345")
    broken[0] = wrong_check(broken[0])
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(3) + [broken])

    ingest_file(path, "gaj_rkxx", database, settings)

    (source_row, raw, codes, reasons) = fetch(
        database, "select source_row, raw, reason_codes, reasons from staging.quarantine"
    )[0]
    assert source_row == "4"
    assert raw["GMSFHM"] == broken[0] and raw["CSRQ"] == "19801345"
    assert set(codes) == {"missing_required", "invalid_identifier", "invalid_date"}
    fields = {(r["code"], r.get("field")) for r in reasons}
    assert ("missing_required", "name") in fields
    assert ("invalid_identifier", "citizen_id") in fields
    assert ("invalid_date", "birth_date") in fields


def test_staged_rows_carry_lineage_raw_and_canonical_values(database, settings, tmp_path):
    spaced = police_row(7)
    spaced[0] = " " + spaced[0][:6] + " " + spaced[0][6:] + " "
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", [police_row(1), spaced])

    result = ingest_file(path, "gaj_rkxx", database, settings)

    rows = fetch(
        database,
        "select delivery_id, source_row, citizen_id, citizen_id_raw, birth_date::text "
        "from staging.gaj_rkxx order by source_row",
    )
    assert rows[1][0] == result.delivery_id
    assert [r[1] for r in rows] == [1, 2]
    assert rows[1][2] == citizen_id(seq=7)
    assert rows[1][3] == spaced[0]
    assert rows[1][4] == "1980-01-01"


def test_redelivered_file_loads_nothing_twice(database, settings, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(10))
    first = ingest_file(path, "gaj_rkxx", database, settings)
    copy = tmp_path / "renamed_copy.csv"
    copy.write_bytes(path.read_bytes())

    second = ingest_file(copy, "gaj_rkxx", database, settings)

    assert second.status == "duplicate" and second.duplicate_of == first.delivery_id
    assert one(database, "select count(*) from staging.delivery") == 1
    assert one(database, "select count(*) from staging.gaj_rkxx") == 10


def test_new_snapshot_supersedes_the_previous_one(database, settings, tmp_path):
    old = ingest_file(
        write_police(tmp_path / "gaj_rkxx_1.csv", police_rows(10)), "gaj_rkxx", database, settings
    )
    new = ingest_file(
        write_police(tmp_path / "gaj_rkxx_2.csv", police_rows(4, start=100)),
        "gaj_rkxx",
        database,
        settings,
    )

    assert new.superseded == [old.delivery_id]
    statuses = dict(fetch(database, "select delivery_id, status from staging.delivery"))
    assert statuses == {old.delivery_id: "superseded", new.delivery_id: "loaded"}
    assert (
        one(
            database,
            "select superseded_by from staging.delivery where delivery_id = %s",
            old.delivery_id,
        )
        == new.delivery_id
    )
    staged = fetch(database, "select distinct delivery_id from staging.gaj_rkxx")
    assert staged == [(new.delivery_id,)]
    assert one(database, "select count(*) from staging.gaj_rkxx") == 4


def test_incremental_deliveries_append(database, settings, tmp_path):
    header = "死亡医学证明编号,姓名,身份证号,性别,死亡日期,死亡地点"
    first = tmp_path / "wjw_swyxzm_1.csv"
    first.write_text(
        f"{header}\nS000000001,张三,{citizen_id(seq=1)},男,2025-01-02,家中\n", encoding="utf-8"
    )
    second = tmp_path / "wjw_swyxzm_2.csv"
    second.write_text(
        f"{header}\nS000000002,李四,{citizen_id(seq=2)},女,2025/2/3,家中\n", encoding="utf-8"
    )

    a = ingest_file(first, "wjw_swyxzm", database, settings)
    b = ingest_file(second, "wjw_swyxzm", database, settings)

    assert a.status == b.status == "loaded" and not b.superseded
    assert fetch(
        database, "select certificate_number, death_date::text from staging.wjw_swyxzm order by 1"
    ) == [
        ("S000000001", "2025-01-02"),
        ("S000000002", "2025-02-03"),
    ]


def test_a_snapshot_that_is_mostly_broken_is_refused_and_keeps_the_current_data(
    database, settings, tmp_path
):
    ingest_file(
        write_police(tmp_path / "gaj_rkxx_1.csv", police_rows(10)), "gaj_rkxx", database, settings
    )
    garbage = [police_row(i, CSRQ="2023-99-99") for i in range(20, 30)]

    result = ingest_file(
        write_police(tmp_path / "gaj_rkxx_2.csv", garbage), "gaj_rkxx", database, settings
    )

    assert result.status == "rejected" and "10 of 10 rows" in result.error
    assert one(database, "select count(*) from staging.gaj_rkxx") == 10
    assert one(database, "select count(*) from staging.delivery where status = 'loaded'") == 1


def test_rows_without_a_key_value_are_not_duplicate_keys(database, settings, tmp_path):
    header = "统一社会信用代码,注册号,组织机构代码,企业名称,企业类型,法定代表人,法定代表人证件类型,法定代表人证件号码,注册资本(万元),成立日期,住所,登记机关,登记状态,核准日期"
    rows = [
        ",420500145799244,,宜昌甲公司,有限责任公司,张三,居民身份证,,100,2000-03-08,宜昌市,宜昌市工商局,存续,2007-02-13",
        ",420582110822991,,宜昌乙公司,有限责任公司,李四,居民身份证,,100,2001-03-08,宜昌市,宜昌市工商局,存续,2007-02-13",
        "91110000600037341L,,,北京丙公司,有限责任公司,王五,居民身份证,,100,2002-03-08,北京市,北京市工商局,存续,2007-02-13",
        "91110000600037341L,,,北京丙公司（重复）,有限责任公司,王五,居民身份证,,100,2002-03-08,北京市,北京市工商局,存续,2008-02-13",
    ]
    path = tmp_path / "scjgj_qydj_20261101.csv"
    path.write_bytes(("\ufeff" + header + "\n" + "\n".join(rows) + "\n").encode("utf-8"))

    result = ingest_file(path, "scjgj_qydj", database, settings)

    assert result.rows_staged == 4
    flagged = fetch(
        database, "select source_row from staging.scjgj_qydj where 'duplicate_key' = any(flags)"
    )
    assert flagged == [(4,)]
