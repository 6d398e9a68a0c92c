"""Distribute and correct, end to end on a demo city: shards, incremental push, corrections, sync.

The tests run in file order on one module-scoped city (building it is the slow part); each
says which records it touches so they do not step on one another.
"""

from __future__ import annotations

import csv

import psycopg
import pytest

from hub.distribute.corrections import CorrectionError, record_correction, review_correction
from hub.distribute.push import CountyUnreachableError, push_county
from hub.distribute.shard import refresh_record_versions
from hub.distribute.substore import city_counties, substore_conninfo
from hub.distribute.sync import sync_county

COUNTY = "420502"  # 西陵区, the most populous county of the demo city
OTHER = "420506"  # 夷陵区


def _push_all(city) -> dict:
    with psycopg.connect(city.url) as conn:
        refresh_record_versions(conn)
    return {c: push_county(city.settings, city.url, c) for c in sorted(city_counties())}


def _sub(city, county=COUNTY) -> psycopg.Connection:
    return psycopg.connect(substore_conninfo(city.settings, county))


def _person_in(city, county: str, offset: int = 0) -> str:
    """A person with a police record living (and registered) in the county."""
    return city.query(
        "select p.master_id from hub.person p join hub.person_attribute a "
        "on a.master_id = p.master_id and a.attribute = 'name' and a.extract = 'gaj_rkxx' "
        "where p.counties = array[%s]::text[] and p.citizen_id is not null and p.alive "
        "order by p.master_id offset %s limit 1",
        [county, offset],
    )[0][0]


def _approved(city, county, master_id, **kwargs) -> str:
    with _sub(city, county) as sub:
        c = record_correction(sub, county, subject="person", record_id=master_id, **kwargs)
        review_correction(sub, c.correction_id, reviewer="station-1", approve=True)
    return c.correction_id


def test_a_county_substore_holds_exactly_its_shard(city):
    reports = _push_all(city)
    assert all(r.status == "delivered" for r in reports.values())
    for county in (COUNTY, OTHER):
        expected = {
            r[0]
            for r in city.query(
                "select master_id from hub.person where %s = any(counties)", [county]
            )
        }
        with _sub(city, county) as sub:
            held = {r[0] for r in sub.execute("select record_id from county.person")}
            foreign = sub.execute(
                "select (select count(*) from county.house where county <> %(c)s) + "
                "(select count(*) from county.place where county <> %(c)s) + "
                "(select count(*) from county.household_membership where county <> %(c)s) + "
                "(select count(*) from county.person where not %(c)s = any(counties))",
                {"c": county},
            ).fetchone()[0]
            places = sub.execute("select count(*) from county.place").fetchone()[0]
            tasks = sub.execute("select count(*), count(grid_code) from county.task").fetchone()
        assert held == expected and held
        assert foreign == 0
        assert (
            places == city.query("select count(*) from hub.place where county = %s", [county])[0][0]
        )
        assert tasks[0] > 0 and tasks[1] > 0  # tasks exist and most carry a grid


def test_a_second_push_after_a_change_moves_only_the_changed_records(city):
    again = push_county(city.settings, city.url, COUNTY)
    assert again.records_moved == 0 and again.tasks_opened == 0  # a retried push changes nothing

    changed = _person_in(city, COUNTY, offset=5)
    city.execute("update hub.person set phone = '13700000005' where master_id = %s", [changed])
    with psycopg.connect(city.url) as conn:
        assert refresh_record_versions(conn)["person"] == 1
    report = push_county(city.settings, city.url, COUNTY)
    assert report.upserted == {**{k: 0 for k in report.upserted}, "person": 1}
    with _sub(city) as sub:
        assert sub.execute(
            "select phone from county.person where record_id = %s", [changed]
        ).fetchone() == ("13700000005",)


def test_a_county_offline_during_a_push_catches_up_on_the_next(city):
    changed = _person_in(city, OTHER, offset=1)
    city.execute("update hub.person set phone = '13700000006' where master_id = %s", [changed])
    with psycopg.connect(city.url) as conn:
        refresh_record_versions(conn)
    offline = city.settings.model_copy(
        update={"county_urls": {OTHER: "postgresql://hub@127.0.0.1:1/nowhere"}}
    )
    with pytest.raises(CountyUnreachableError):
        push_county(offline, city.url, OTHER)
    assert push_county(offline, city.url, COUNTY).status == "delivered"  # others go on
    assert (
        city.query(
            "select status from distribute.county_push where county = %s order by push_id desc "
            "limit 1",
            [OTHER],
        )[0][0]
        == "unreachable"
    )

    caught_up = push_county(city.settings, city.url, OTHER)
    assert caught_up.upserted["person"] == 1
    with _sub(city, OTHER) as sub:
        assert sub.execute(
            "select phone from county.person where record_id = %s", [changed]
        ).fetchone() == ("13700000006",)


def test_a_gridworker_cannot_review_their_own_correction(city):
    with _sub(city) as sub:
        c = record_correction(
            sub,
            COUNTY,
            subject="person",
            record_id=_person_in(city, COUNTY),
            action="confirm",
            gridworker="w-9",
        )
        with pytest.raises(CorrectionError):
            review_correction(sub, c.correction_id, reviewer="w-9", approve=True)
        assert review_correction(sub, c.correction_id, reviewer="s-1", approve=False) == "rejected"


def test_a_stale_correction_becomes_a_conflict_for_a_steward(city):
    person = _person_in(city, COUNTY, offset=2)
    with _sub(city) as sub:
        c = record_correction(
            sub,
            COUNTY,
            subject="person",
            record_id=person,
            action="correct",
            attribute="phone",
            value="13911112222",
            gridworker="w-2",
        )
    # Meanwhile the city's record changes the same attribute.
    city.execute("update hub.person set phone = '13833334444' where master_id = %s", [person])
    with psycopg.connect(city.url) as conn:
        refresh_record_versions(conn)
    with _sub(city) as sub:
        review_correction(sub, c.correction_id, reviewer="station-1", approve=True)
    report = sync_county(city.settings, city.url, COUNTY)
    assert report.outcomes["conflict"] == 1
    assert city.query(
        "select proposed_value, current_value, status from distribute.correction_conflict "
        "where correction_id = %s",
        [c.correction_id],
    ) == [("13911112222", "13833334444", "open")]


def test_killing_the_sync_midway_loses_and_duplicates_nothing(city):
    people = [_person_in(city, OTHER, offset=i) for i in range(5)]
    ids = {_approved(city, OTHER, p, action="confirm", gridworker="w-3") for p in people}

    def crash(batch: int) -> None:
        if batch == 1:
            raise KeyboardInterrupt("killed after the city committed the first batch")

    with pytest.raises(KeyboardInterrupt):
        sync_county(city.settings, city.url, OTHER, batch_size=2, on_batch_landed=crash)
    assert (
        len(
            city.query(
                "select 1 from distribute.correction where correction_id = any(%s)", [list(ids)]
            )
        )
        == 2
    )

    report = sync_county(city.settings, city.url, OTHER, batch_size=2)
    assert (report.landed, report.already_landed) == (3, 2)
    landed = city.query(
        "select correction_id, count(*) from distribute.correction "
        "where correction_id = any(%s) group by 1",
        [list(ids)],
    )
    assert {r[0] for r in landed} == ids and all(n == 1 for _, n in landed)
    with _sub(city, OTHER) as sub:
        assert (
            sub.execute(
                "select count(*) from county.correction where synced_at is null "
                "and review_status = 'approved'"
            ).fetchone()[0]
            == 0
        )
    assert sync_county(city.settings, city.url, OTHER).landed == 0


@pytest.mark.slow  # a second build of the city (≈1 minute)
def test_phone_reaches_the_golden_record_and_a_name_becomes_police_feedback(city, tmp_path):
    from hub.distribute.feedback import export_feedback
    from hub.ingest.load import ingest_file
    from hub.libraries.build import build_libraries

    phone_person = _person_in(city, COUNTY, offset=3)
    name_person = _person_in(city, COUNTY, offset=4)
    citizen_id, old_name = city.query(
        "select citizen_id, name from hub.person where master_id = %s", [name_person]
    )[0]
    new_name = old_name[0] + "新改"
    _push_all(city)  # the county sees the current versions
    _approved(
        city,
        COUNTY,
        phone_person,
        action="correct",
        attribute="phone",
        value="13955556666",
        gridworker="w-1",
    )
    _approved(
        city,
        COUNTY,
        name_person,
        action="correct",
        attribute="name",
        value=new_name,
        gridworker="w-1",
    )
    report = sync_county(city.settings, city.url, COUNTY)
    assert report.outcomes["candidate"] == 1 and report.outcomes["feedback"] == 1

    # The police receive it in their own column names, and the hub keeps the police name.
    with psycopg.connect(city.url) as conn:
        assert export_feedback(conn, "gaj_rkxx", tmp_path / "police.csv") == 1
    with (tmp_path / "police.csv").open(encoding="gb18030") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["GMSFHM"] == citizen_id and rows[0]["XM"] == new_name

    # The police fix their register: a new snapshot carries the corrected name.
    police = next(p for e, p in city.manifest.files if e == "gaj_rkxx")
    text = police.read_text(encoding="gb18030")
    fixed = tmp_path / "gaj_rkxx_20261201.csv"
    lines = [
        line.replace(old_name, new_name, 1) if citizen_id in line else line
        for line in text.splitlines(keepends=True)
    ]
    fixed.write_text("".join(lines), encoding="gb18030")
    ingest_file(fixed, "gaj_rkxx", city.url, city.settings)
    build_libraries(city.settings, ephemeral=True)

    assert city.query(
        "select p.phone, a.extract from hub.person p join hub.person_attribute a "
        "on a.master_id = p.master_id and a.attribute = 'phone' where p.master_id = %s",
        [phone_person],
    ) == [("13955556666", "wgy_jz")]
    assert city.query("select name from hub.person where master_id = %s", [name_person]) == [
        (new_name,)
    ]
    assert city.query(
        "select f.status from distribute.feedback f join distribute.correction c "
        "using (correction_id) where c.record_id = %s",
        [name_person],
    ) == [("closed",)]
