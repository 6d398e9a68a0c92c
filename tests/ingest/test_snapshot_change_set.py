"""A snapshot is staged as its change set: a row delivered again unchanged keeps its lineage."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

import hub.ingest.load as load
from data_contracts.loader import load_contract
from hub.ingest.load import ingest_file
from quality.scorecard import compute_scorecard
from tests.ingest.helpers import fetch, one, police_row, police_rows, write_police


def staged(database) -> dict[str, tuple]:
    """citizen id → (name, delivery, source row) of every staged police row."""
    rows = fetch(database, "select citizen_id, name, delivery_id, source_row from staging.gaj_rkxx")
    return {cid: (name, delivery, row) for cid, name, delivery, row in rows}


def test_a_snapshot_stages_only_what_changed(database, settings, tmp_path):
    first_rows = police_rows(10)
    first = ingest_file(
        write_police(tmp_path / "gaj_rkxx_20261101.csv", first_rows), "gaj_rkxx", database, settings
    )
    before = staged(database)
    renamed = list(first_rows[3])
    renamed[1] = "李娜"
    # reordered, row 4 renamed, row 10 gone, two new persons
    second_rows = first_rows[5:9] + [renamed] + first_rows[:3] + [first_rows[4]]
    second_rows += police_rows(2, start=500)
    second = ingest_file(
        write_police(tmp_path / "gaj_rkxx_20261201.csv", second_rows),
        "gaj_rkxx",
        database,
        settings,
    )

    assert (second.rows_read, second.rows_staged, second.rows_quarantined) == (11, 11, 0)
    assert (second.rows_new, second.rows_unchanged, second.rows_removed) == (3, 8, 2)
    after = staged(database)
    # staging holds exactly the second snapshot
    assert sorted((cid, name) for cid, (name, _, _) in after.items()) == sorted(
        (r[0], r[1]) for r in second_rows
    )
    # the eight unchanged rows keep the delivery and row that first brought them
    unchanged = [r[0] for r in first_rows[:3] + first_rows[4:9]]
    assert all(after[cid] == before[cid] for cid in unchanged)
    assert {after[cid][1] for cid in unchanged} == {first.delivery_id}
    # the changed and the new rows are staged under the new delivery, at their row in its file
    assert after[renamed[0]] == ("李娜", second.delivery_id, 5)
    assert [after[r[0]][1:] for r in second_rows[9:]] == [
        (second.delivery_id, 10),
        (second.delivery_id, 11),
    ]
    assert first_rows[9][0] not in after
    # the delivery that first brought the kept rows is superseded as a delivery
    assert second.superseded == [first.delivery_id]
    recorded = fetch(
        database,
        "select delivery_id, status, rows_staged, rows_new, rows_unchanged, rows_removed "
        "from staging.delivery order by delivery_id",
    )
    assert recorded == [
        (first.delivery_id, "superseded", 10, 10, 0, 0),
        (second.delivery_id, "loaded", 11, 3, 8, 2),
    ]
    # the two rows taken out are listed, one by one, under the snapshot that removed them
    # (row 4 as first delivered, and row 10)
    assert fetch(
        database,
        "select removed_by, extract, delivery_id, source_row from staging.removed_row "
        "order by source_row::int",
    ) == [
        (second.delivery_id, "gaj_rkxx", first.delivery_id, "4"),
        (second.delivery_id, "gaj_rkxx", first.delivery_id, "10"),
    ]


def test_the_same_records_in_a_new_file_stage_nothing_new(database, settings, tmp_path):
    rows = police_rows(6)
    first = ingest_file(
        write_police(tmp_path / "gaj_rkxx_20261101.csv", rows), "gaj_rkxx", database, settings
    )
    # another file (the rows in reverse order): the same records
    again = write_police(tmp_path / "gaj_rkxx_20261201.csv", rows[::-1])
    second = ingest_file(again, "gaj_rkxx", database, settings)

    assert second.status == "loaded"
    assert (second.rows_new, second.rows_unchanged, second.rows_removed) == (0, 6, 0)
    assert fetch(database, "select distinct delivery_id from staging.gaj_rkxx") == [
        (first.delivery_id,)
    ]


def test_a_row_changed_only_in_its_raw_text_is_staged_again(database, settings, tmp_path):
    # the canonical values agree, the delivered text does not: the row as delivered changed
    rows = police_rows(3)
    ingest_file(write_police(tmp_path / "gaj_rkxx_1.csv", rows), "gaj_rkxx", database, settings)
    spaced = list(rows[1])
    spaced[1] = f" {spaced[1]} "
    second = ingest_file(
        write_police(tmp_path / "gaj_rkxx_2.csv", [rows[0], spaced, rows[2]]),
        "gaj_rkxx",
        database,
        settings,
    )

    assert (second.rows_new, second.rows_unchanged, second.rows_removed) == (1, 2, 1)
    assert one(database, "select name_raw from staging.gaj_rkxx where source_row = 2") == " 张伟 "


def test_a_refused_snapshot_leaves_the_staged_rows_and_their_lineage(database, settings, tmp_path):
    first = ingest_file(
        write_police(tmp_path / "gaj_rkxx_1.csv", police_rows(10)), "gaj_rkxx", database, settings
    )
    before = staged(database)
    broken = police_rows(2) + [police_row(i, CSRQ="20231399") for i in range(3, 11)]
    refused = ingest_file(
        write_police(tmp_path / "gaj_rkxx_2.csv", broken), "gaj_rkxx", database, settings
    )

    assert refused.status == "rejected"
    assert staged(database) == before
    assert one(
        database, "select status from staging.delivery where delivery_id = %s", first.delivery_id
    ) == ("loaded")


def test_a_crash_while_applying_the_change_set_leaves_everything_as_it_was(
    database, settings, tmp_path, monkeypatch
):
    rows = police_rows(5)
    ingest_file(write_police(tmp_path / "gaj_rkxx_1.csv", rows), "gaj_rkxx", database, settings)
    before = staged(database)
    real = load.apply_change_set

    def crash_after_applying(*args, **kwargs):
        real(*args, **kwargs)  # the old rows are deleted and the new ones inserted, then…
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(load, "apply_change_set", crash_after_applying)
    changed = rows[:4] + [police_row(900, name="王芳")]
    path = write_police(tmp_path / "gaj_rkxx_2.csv", changed)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(path, "gaj_rkxx", database, settings)

    assert staged(database) == before
    assert one(database, "select count(*) from staging.delivery") == 1
    assert one(database, "select count(*) from staging.removed_row") == 0
    monkeypatch.setattr(load, "apply_change_set", real)
    retried = ingest_file(path, "gaj_rkxx", database, settings)  # the retry completes the load
    assert (retried.rows_new, retried.rows_unchanged, retried.rows_removed) == (1, 4, 1)
    assert fetch(database, "select removed_by, source_row from staging.removed_row") == [
        (retried.delivery_id, "5")
    ]


def test_the_scorecard_scores_the_whole_current_snapshot(database, settings, tmp_path):
    # one invalid code in the first snapshot, delivered again unchanged in the second
    rows = police_rows(9) + [police_row(10, MZ="99")]  # no such ethnicity code
    ingest_file(write_police(tmp_path / "gaj_rkxx_1.csv", rows), "gaj_rkxx", database, settings)
    first_scores = _police_scores(database)
    second = ingest_file(
        write_police(tmp_path / "gaj_rkxx_2.csv", rows + police_rows(1, start=600)),
        "gaj_rkxx",
        database,
        settings,
    )
    assert (second.rows_new, second.rows_unchanged) == (1, 10)

    lines = _police_scores(database)
    assert [line.delivery_id for line in lines] == [second.delivery_id]
    # the kept invalid row still counts: validity as low as the first snapshot's, or lower
    assert lines[0].rows == 11
    assert lines[0].scores["validity"] < 1
    assert lines[0].scores["validity"] == pytest.approx(
        1 - (1 - first_scores[0].scores["validity"]) * 10 / 11
    )


def _police_scores(database):
    contract = load_contract("gaj_rkxx")
    with psycopg.connect(database) as conn:
        rows = compute_scorecard(conn, {"gaj_rkxx": contract}, datetime.now(UTC))
    return [r for r in rows if r.delivery_id is not None]


def test_identical_rows_staged_twice_stop_the_load_instead_of_miscounting(
    database, settings, tmp_path
):
    # cannot happen through ingest (a repeated row is quarantined); if it ever did, the change
    # set could not say which copy a snapshot keeps: the load stops, nothing changes
    rows = police_rows(3)
    ingest_file(write_police(tmp_path / "gaj_rkxx_1.csv", rows), "gaj_rkxx", database, settings)
    with psycopg.connect(database) as conn:
        conn.execute(
            "insert into staging.gaj_rkxx select delivery_id, 99, citizen_id, citizen_id_raw, "
            "citizen_id_suggestion, name, name_raw, name_phonetic_key, sex, sex_raw, ethnicity, "
            "ethnicity_raw, birth_date, birth_date_raw, registration_county, "
            "registration_county_raw, registration_address, registration_address_raw, "
            "household_number, household_number_raw, relation_to_head, relation_to_head_raw, "
            "person_status, person_status_raw, updated_at, updated_at_raw, flags, extra "
            "from staging.gaj_rkxx where source_row = 1"
        )
    before = fetch(database, "select * from staging.gaj_rkxx order by source_row")

    with pytest.raises(RuntimeError, match="does not add up"):
        ingest_file(
            write_police(tmp_path / "gaj_rkxx_2.csv", rows + police_rows(1, start=700)),
            "gaj_rkxx",
            database,
            settings,
        )
    assert fetch(database, "select * from staging.gaj_rkxx order by source_row") == before
    assert one(database, "select count(*) from staging.delivery") == 1
