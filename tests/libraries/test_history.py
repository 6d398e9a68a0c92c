"""Golden records over time: a changed name, the history that keeps the old one, stable ids."""

from __future__ import annotations

import os
import subprocess

import psycopg

from hub.demo.load import load_demo_city
from hub.ingest.load import ingest_file
from hub.libraries.build import build_libraries
from hub.libraries.dbt import PROJECT_DIR, dbt_env, dbt_executable

INCREMENTAL_TABLES = (
    "intermediate.int_person_mentions",
    "intermediate.int_entity_mentions",
    "intermediate.int_person_golden_attributes",
    "hub.person",
    "hub.xref",
    "hub.conflict",
    "hub.household_membership",
    "hub.marriage",
    "hub.employment",
    "hub.house_owner",
)

FINGERPRINTS = "intermediate.int_person_input_fingerprints"
LIVE_FINGERPRINTS = f"select master_id, inputs, fingerprint from {FINGERPRINTS} where inputs > 0"


def _masters(conn) -> dict[str, str]:
    return dict(
        conn.execute(
            "select citizen_id, master_id from hub.person where citizen_id is not null"
        ).fetchall()
    )


def test_a_new_police_snapshot_changes_the_name_keeps_history_and_no_id(settings, database):
    """Also: a person the new snapshot no longer lists (and nobody else mentions) leaves the
    golden tables, and their history versions are closed, not deleted."""
    manifest, _ = load_demo_city(settings, database, persons=300, seed=7, build=True)
    police = next(path for extract, path in manifest.files if extract == "gaj_rkxx")
    lines = police.read_text(encoding="gb18030").splitlines()
    header, first = lines[0].split(","), lines[1].split(",")
    citizen_id, old_name = first[0], first[1]
    with psycopg.connect(database) as conn:
        before = _masters(conn)
        assert conn.execute(
            "select name from hub.person where citizen_id = %s", [citizen_id]
        ).fetchone() == (old_name,)

        # a person only the police register mentions, on a later line
        (gone_master, gone_row) = conn.execute(
            "select x.master_id, x.source_row from hub.xref x "
            "where x.subject = 'person' and x.extract = 'gaj_rkxx' and x.source_row <> '1' "
            "and not exists (select 1 from hub.xref y where y.subject = 'person' "
            "and y.master_id = x.master_id and (y.extract, y.source_row) <> (x.extract, x.source_row)) "
            "order by 1 limit 1"
        ).fetchone()
        gone_row = int(gone_row)
        tables = _table_ids(conn)

    new_name = "欧阳" + old_name[-1]
    first[header.index("XM")] = new_name
    changed = police.with_name("gaj_rkxx_20261115.csv")
    kept = [line for row, line in enumerate(lines[2:], start=2) if row != gone_row]
    changed.write_text("\n".join([lines[0], ",".join(first), *kept]) + "\n", encoding="gb18030")
    result = ingest_file(changed, "gaj_rkxx", database, settings)
    assert result.status == "loaded"
    build_libraries(settings, ephemeral=True)

    with psycopg.connect(database) as conn:
        after = _masters(conn)
        assert after == {k: v for k, v in before.items() if v != gone_master}, (
            "a new delivery renumbered persons"
        )
        master_id = after[citizen_id]
        assert conn.execute(
            "select name from hub.person where master_id = %s", [master_id]
        ).fetchone() == (new_name,)
        history = conn.execute(
            "select value, delivery_id, dbt_valid_to is null "
            "from history.person_attribute_history "
            "where master_id = %s and attribute = 'name' order by dbt_valid_from",
            [master_id],
        ).fetchall()
        assert [(v, current) for v, _, current in history] == [
            (old_name, False),
            (new_name, True),
        ]
        assert history[-1][1] == result.delivery_id, "history names the changing delivery"
        versions = conn.execute(
            "select name from history.person_history where master_id = %s order by dbt_valid_from",
            [master_id],
        ).fetchall()
        assert [v for (v,) in versions] == [old_name, new_name]
        assert conn.execute(
            "select count(*) from hub.person where master_id = %s", [gone_master]
        ).fetchone() == (0,)
        closed = conn.execute(
            "select count(*), count(*) filter (where dbt_valid_to is null) "
            "from history.person_attribute_history where master_id = %s",
            [gone_master],
        ).fetchone()
        assert closed[0] > 0 and closed[1] == 0, "the gone person's versions are closed"
        assert conn.execute(
            "select count(*) filter (where dbt_valid_to is null), count(*) "
            "from history.person_history where master_id = %s",
            [gone_master],
        ).fetchone() == (0, 1)

        # the person snapshots compared only the persons whose inputs changed, and their current
        # versions still say what the golden records say (a version keeps the lineage of the
        # value it recorded: the same value from a later row is no new version)
        person_columns = [c for c in _columns(conn, "hub.person") if c != "last_delivery_id"]
        for history, golden, columns in (
            ("history.person_history", "hub.person", person_columns),
            (
                "history.person_attribute_history",
                "hub.person_attribute",
                ["master_id", "attribute", "value"],
            ),
        ):
            _assert_current_versions_are(conn, history, golden, columns)
        # every model kept by person recorded the fingerprint build it is up to: this one
        (latest,) = conn.execute(
            "select max(changed_in) from intermediate.int_person_input_fingerprints"
        ).fetchone()
        recorded = dict(
            conn.execute("select basis, build from intermediate.fingerprint_basis").fetchall()
        )
        for basis in (
            "person_history_basis",
            "person_attribute_history_basis",
            "int_person_golden_basis",
            "hub_person_basis",
            "hub_conflict_basis",
            "hub_xref_basis",
            "marriage_person_basis",
            "household_membership_person_basis",
        ):
            assert recorded[basis] == latest, basis
        # and only the persons the snapshot touched changed in it: the renamed one, the one
        # no longer listed (kept with no inputs), and those sharing their rows
        changed_now = dict(
            conn.execute(
                "select master_id, inputs from intermediate.int_person_input_fingerprints "
                "where changed_in = %s",
                [latest],
            ).fetchall()
        )
        assert master_id in changed_now and changed_now[gone_master] == 0
        assert len(changed_now) < 10, changed_now

        # the snapshot was staged as its change set: the rows it repeated unchanged keep the
        # first file as their lineage, and only the changed person's values name the new one
        files = dict(
            conn.execute(
                "select file_name, count(*) from hub.xref where extract = 'gaj_rkxx' group by 1"
            ).fetchall()
        )
        assert files == {police.name: len(lines) - 3, changed.name: 1}
        assert conn.execute(
            "select distinct master_id from hub.person_attribute where delivery_id = %s",
            [result.delivery_id],
        ).fetchall() == [(master_id,)]

        # the mention and survivorship tables were brought up to date in place (incremental),
        # not rebuilt…
        assert _table_ids(conn) == tables
        for table in INCREMENTAL_TABLES:
            conn.execute(f"create table {table}_incremental as select * from {table}")
        conn.execute(f"create table {FINGERPRINTS}_incremental as {LIVE_FINGERPRINTS}")
        conn.commit()
    # …and hold exactly what building them from scratch gives (the fingerprints: of the persons
    # who have inputs; the build numbers differ)
    models = " ".join(table.split(".")[1] for table in (*INCREMENTAL_TABLES, FINGERPRINTS))
    _dbt(settings, "run", "--full-refresh", "--select", models)
    with psycopg.connect(database) as conn:
        assert all(a != b for a, b in zip(_table_ids(conn), tables, strict=True))
        conn.execute(f"create table {FINGERPRINTS}_full as {LIVE_FINGERPRINTS}")
        for table in (*INCREMENTAL_TABLES, FINGERPRINTS):
            if table == FINGERPRINTS:
                table = f"{FINGERPRINTS}_full"
            incremental = table.replace("_full", "") + "_incremental"
            for a, b in ((table, incremental), (incremental, table)):
                (extra,) = conn.execute(
                    f"select count(*) from (select * from {a} except all select * from {b}) d"
                ).fetchone()
                assert extra == 0, f"{a} has {extra} rows {b} has not"


def _columns(conn, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        column
        for (column,) in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def _assert_current_versions_are(conn, history: str, golden: str, columns: list[str]) -> None:
    """The open versions of ``history`` hold exactly the ``columns`` of ``golden``, both ways."""
    listed = ", ".join(columns)
    current = f"select {listed} from {history} where dbt_valid_to is null"
    now = f"select {listed} from {golden}"
    for a, b in ((current, now), (now, current)):
        (extra,) = conn.execute(f"select count(*) from ({a} except all {b}) d").fetchone()
        assert extra == 0, f"{history}: {extra} current rows differ from {golden}"


def _table_ids(conn) -> list[int]:
    return [conn.execute("select %s::regclass::oid", [t]).fetchone()[0] for t in INCREMENTAL_TABLES]


def _dbt(settings, *args: str) -> None:
    done = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, **dbt_env(settings)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
