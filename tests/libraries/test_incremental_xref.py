"""hub.xref is written incrementally in parts (macros/incremental_xref.sql): a build rewrites
the rows of the persons and the parts whose inputs changed, and leaves every other row alone —
and the result is what building the table from scratch gives."""

from __future__ import annotations

import psycopg

from hub.demo.load import load_demo_city
from hub.ingest.load import ingest_file
from hub.libraries.build import build_libraries
from tests.libraries.test_history import _dbt

# written incrementally, and compared with a build from scratch at the end
TABLES = (
    "hub.xref",
    "hub.house",
    "hub.place",
    "intermediate.int_entity_attribute_candidates",
    "intermediate.int_entity_golden_attributes",
)
ROW_LOCATIONS = "select subject, extract, source_row, ctid::text from hub.xref"


def _without_line(path, line: bytes, name: str):
    """The file again under ``name`` without ``line`` (bytes, so its encoding is kept)."""
    lines = path.read_bytes().split(b"\n")
    assert line in lines
    changed = path.with_name(name)
    changed.write_bytes(b"\n".join(x for x in lines if x != line))
    return changed


def test_new_snapshots_rewrite_only_the_parts_they_change(settings, database):
    manifest, _ = load_demo_city(settings, database, persons=300, seed=11, build=True)
    files = dict(manifest.files)
    with psycopg.connect(database) as conn:
        # an address the register lists and a gridworker visited
        (code,) = conn.execute(
            "select master_id from hub.xref where subject = 'place' and extract = 'wgy_cj' "
            "and method = 'valid_key' order by 1 limit 1"
        ).fetchone()
        visits = conn.execute(
            "select count(*) from hub.xref where subject = 'place' and extract = 'wgy_cj' "
            "and master_id = %s",
            [code],
        ).fetchone()[0]
        places_before = set(conn.execute(ROW_LOCATIONS + " where subject = 'place'"))
        place_rows = set(conn.execute("select master_id, ctid::text from hub.place"))

    # a property snapshot without its first row: houses, their owners and entities change
    properties = files["bdc_djxx"]
    property_line = properties.read_bytes().split(b"\n")[1]
    changed = _without_line(properties, property_line, "bdc_djxx_20261201.csv")
    result = ingest_file(changed, "bdc_djxx", database, settings)
    assert result.status == "loaded" and result.rows_removed == 1, result
    build_libraries(settings, ephemeral=True)
    with psycopg.connect(database) as conn:
        # the removed row is no longer cross-referenced: every row is a staged one
        assert conn.execute(
            "select count(*) from hub.xref as x where x.extract = 'bdc_djxx' and not exists ("
            "select 1 from staging.bdc_djxx as s "
            "where s.delivery_id = x.delivery_id and s.source_row::text = x.source_row)"
        ).fetchone() == (0,)
        # the places' parts, whose inputs did not change, were left where they were
        assert set(conn.execute(ROW_LOCATIONS + " where subject = 'place'")) == places_before
        # and hub.place, whose register did not deliver, was not written again
        # (macros/rewrite_when_changed.sql)
        assert set(conn.execute("select master_id, ctid::text from hub.place")) == place_rows

    # an address register snapshot without the address
    register = files["zrzyj_bzdz"]
    address_line = next(
        line for line in register.read_bytes().split(b"\n") if line.startswith(code.encode() + b",")
    )
    changed = _without_line(register, address_line, "zrzyj_bzdz_20261201.csv")
    result = ingest_file(changed, "zrzyj_bzdz", database, settings)
    assert result.status == "loaded" and result.rows_removed == 1, result
    build_libraries(settings, ephemeral=True)

    with psycopg.connect(database) as conn:
        # the register no longer lists the address: the visits to it are unlinked now
        assert conn.execute(
            "select count(*) from hub.xref where subject = 'place' and master_id = %s", [code]
        ).fetchone() == (0,)
        assert (
            conn.execute(
                "select count(*) from hub.xref as x join stg.stg_wgy_cj__resident_visits as s "
                "using (delivery_id, source_row) "
                "where x.subject = 'place' and x.method = 'unlinked' and s.std_address_code = %s",
                [code],
            ).fetchone()[0]
            == visits
        )
        for table in TABLES:
            conn.execute(f"create table {table}_incremental as select * from {table}")
        conn.commit()

    # and the tables hold exactly what building them from scratch gives
    _dbt(settings, "run", "--full-refresh", "--select", *(t.split(".")[1] for t in TABLES))
    with psycopg.connect(database) as conn:
        for table in TABLES:
            for a, b in ((table, f"{table}_incremental"), (f"{table}_incremental", table)):
                (extra,) = conn.execute(
                    f"select count(*) from (select * from {a} except all select * from {b}) d"
                ).fetchone()
                assert extra == 0, f"{a} has {extra} rows {b} has not"
