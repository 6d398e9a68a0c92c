"""Re-runs are safe: replaying a past delivery, rebuilding, or restoring a backup and rebuilding
gives the same subject libraries as the first time.

Each builds a small city twice (≈3 minutes on a 2-core machine), hence ``slow``.
"""

from __future__ import annotations

import psycopg
import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.demo.load import load_demo_city
from hub.ingest.load import ingest_file
from hub.libraries.build import LIBRARY_TABLES, build_libraries

pytestmark = pytest.mark.slow


def library_fingerprint(conninfo: str) -> dict[str, tuple[int, str]]:
    """Rows and a content hash per library table (order-independent)."""
    out = {}
    with psycopg.connect(conninfo) as conn:
        for table in LIBRARY_TABLES:
            out[table] = conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
                f"from hub.{table} as t"
            ).fetchone()
    return out


@pytest.fixture
def small_city(database, settings):
    manifest, results = load_demo_city(settings, database, persons=200, build=True)
    return manifest, results


def test_replaying_past_deliveries_and_rebuilding_gives_the_same_libraries(
    small_city, database, settings
):
    manifest, _ = small_city
    before = library_fingerprint(database)
    assert before["person"][0] > 0

    replayed = [ingest_file(path, extract, database, settings) for extract, path in manifest.files]
    build_libraries(settings, ephemeral=True)

    assert {r.status for r in replayed} == {"duplicate"}
    assert library_fingerprint(database) == before


def test_back_up_drop_restore_and_rebuild_gives_the_same_libraries(
    small_city, database, settings, tmp_path
):
    before = library_fingerprint(database)
    runner = CliRunner()
    archive = tmp_path / "hub.dump"

    backed_up = runner.invoke(app, ["backup", str(archive)])
    assert backed_up.exit_code == 0, backed_up.output
    name = psycopg.conninfo.conninfo_to_dict(database)["dbname"]
    admin = psycopg.conninfo.make_conninfo(database, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)')

    restored = runner.invoke(app, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    with psycopg.connect(database) as conn:  # the libraries go, as if lost with a bad migration
        for table in LIBRARY_TABLES:
            conn.execute(f"truncate hub.{table} cascade")
    build_libraries(settings, ephemeral=True)

    assert library_fingerprint(database) == before
