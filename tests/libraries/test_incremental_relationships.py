"""The relationship marts are incremental by staged row (macros/incremental_relationships.sql):
a build reads again only the rows naming a person or entity whose inputs changed, leaves every
other row where it was, and ends with what building the tables from scratch gives."""

from __future__ import annotations

import openpyxl
import psycopg

from hub.demo.load import load_demo_city
from hub.ingest.load import ingest_file
from hub.libraries.build import build_libraries
from tests.libraries.test_history import _dbt

RELATIONSHIPS = ("employment", "marriage", "household_membership", "house_owner")


def _employment_snapshot(path, name: str) -> tuple[str, str, str]:
    """The social-security workbook again under ``name``: its first insured person gone, and
    the second one insured with the employer of the first row that has another. Returns the
    citizen ids of the two, and of the person whose employer the second now has."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    cid, code, employer = (
        header.index(c) for c in ("证件号码", "单位统一社会信用代码", "单位名称")
    )
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    gone, moved = rows[0], rows[1]
    other = next(r for r in rows[2:] if r[code] and r[code] != moved[code])
    sheet.delete_rows(2)  # the first insured person
    sheet.cell(row=2, column=code + 1, value=other[code])  # the second, now at row 2
    sheet.cell(row=2, column=employer + 1, value=other[employer])
    changed = path.with_name(name)
    book.save(changed)
    return gone[cid], moved[cid], other[cid]


PERSON_COLUMNS = {
    "marriage": ("husband_master_id", "wife_master_id"),
    "household_membership": ("person_master_id",),
    "house_owner": ("owner_master_id",),
}


def _rows_naming(conn, table: str, columns: tuple[str, ...], masters: list[str]) -> set[tuple]:
    where = " or ".join(f"{c} = any(%s)" for c in columns)
    query = f"select delivery_id, source_row from hub.{table} where {where}"
    return set(conn.execute(query, [masters] * len(columns)).fetchall())


def _locations(conn, table: str) -> dict[tuple, str]:
    rows = conn.execute(f"select delivery_id, source_row, ctid::text from hub.{table}").fetchall()
    return {(d, r): ctid for d, r, ctid in rows}


def test_a_snapshot_rewrites_only_the_rows_it_touches(settings, database):
    manifest, _ = load_demo_city(settings, database, persons=300, seed=13, build=True)
    files = dict(manifest.files)
    gone, moved, colleague = _employment_snapshot(files["rsj_cbxx"], "rsj_cbxx_20261201.xlsx")
    employers = (
        "select e.entity_master_id from hub.employment as e "
        "join hub.person as p on p.master_id = e.person_master_id "
        "where p.citizen_id in (%s, %s, %s) and e.entity_master_id is not null"
    )
    with psycopg.connect(database) as conn:
        before = {table: _locations(conn, table) for table in RELATIONSHIPS}
        employed = conn.execute("select count(*) from hub.employment").fetchone()[0]
        # the employers that lose or gain an employee
        touched = {e for (e,) in conn.execute(employers, [gone, moved, colleague]).fetchall()}

    result = ingest_file(
        files["rsj_cbxx"].with_name("rsj_cbxx_20261201.xlsx"), "rsj_cbxx", database, settings
    )
    assert (result.status, result.rows_new, result.rows_removed) == ("loaded", 1, 2), result
    build_libraries(settings, ephemeral=True)

    with psycopg.connect(database) as conn:

        def employer_of(citizen_id):
            return conn.execute(
                "select e.entity_master_id from hub.employment as e "
                "join hub.person as p on p.master_id = e.person_master_id "
                "where p.citizen_id = %s",
                [citizen_id],
            ).fetchall()

        assert employer_of(gone) == [], "the person no longer insured has no employment row"
        assert employer_of(moved) and set(employer_of(moved)) <= set(employer_of(colleague))
        assert conn.execute("select count(*) from hub.employment").fetchone()[0] == employed - 1
        # only the rows naming the two persons or the employers they left or joined were read
        # again: every other row is where it was
        (two,) = conn.execute(
            "select array_agg(master_id) from hub.person where citizen_id in (%s, %s)",
            [gone, moved],
        ).fetchone()
        others = (
            "select delivery_id, source_row, ctid::text from hub.employment "
            "where person_master_id <> all(%s) "
            "and coalesce(entity_master_id, '') <> all(%s)"
        )
        after = {
            (d, r): ctid for d, r, ctid in conn.execute(others, [two, list(touched)]).fetchall()
        }
        assert 0 < len(after) < employed
        assert all(before["employment"][k] == ctid for k, ctid in after.items())
        # in the other relationship tables, only the two persons' rows were read again
        for table, columns in PERSON_COLUMNS.items():
            kept = {
                k: v
                for k, v in _locations(conn, table).items()
                if k not in _rows_naming(conn, table, columns, two)
            }
            assert kept and all(before[table][k] == ctid for k, ctid in kept.items()), table
        for table in RELATIONSHIPS:
            conn.execute(f"create table hub.{table}_incremental as select * from hub.{table}")
        conn.commit()

    # and the tables hold exactly what building them from scratch gives
    _dbt(settings, "run", "--full-refresh", "--select", " ".join(RELATIONSHIPS))
    with psycopg.connect(database) as conn:
        for table in RELATIONSHIPS:
            a, b = f"hub.{table}", f"hub.{table}_incremental"
            for x, y in ((a, b), (b, a)):
                (extra,) = conn.execute(
                    f"select count(*) from (select * from {x} except all select * from {y}) d"
                ).fetchone()
                assert extra == 0, f"{x} has {extra} rows {y} has not"
