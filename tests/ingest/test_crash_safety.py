"""A crash or kill in the middle of a load leaves the database as before; a re-run completes."""

from __future__ import annotations

import os
import signal
import time

import pytest

from hub.ingest import load
from hub.ingest.load import ingest_file
from tests.ingest.helpers import (
    fetch,
    ingest_in_subprocess,
    one,
    police_rows,
    staged_count,
    write_police,
)


def _database_is_untouched(url: str) -> bool:
    deliveries = one(url, "select count(*) from staging.delivery")
    staged = staged_count(url, "gaj_rkxx")
    return deliveries == 0 and staged == 0


def test_failure_after_the_first_chunk_rolls_back_the_whole_delivery(
    database, settings, tmp_path, monkeypatch
):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(50))
    settings.ingest_chunk_rows = 10
    real_validate = load.ChunkValidator.validate
    calls = {"n": 0}

    def failing_validate(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real_validate(self, chunk)

    monkeypatch.setattr(load.ChunkValidator, "validate", failing_validate)
    with pytest.raises(RuntimeError, match="power cut"):
        ingest_file(path, "gaj_rkxx", database, settings)
    assert _database_is_untouched(database)

    monkeypatch.setattr(load.ChunkValidator, "validate", real_validate)
    result = ingest_file(path, "gaj_rkxx", database, settings)
    assert result.status == "loaded" and result.rows_staged == 50


def test_killed_load_leaves_nothing_and_the_rerun_completes(database, settings, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261101.csv", police_rows(60_000))
    proc = ingest_in_subprocess(path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        copying = one(
            database,
            "select count(*) from pg_stat_activity where query ilike 'copy \"staging\".%%'",
        )
        if copying:
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("the load never reached COPY")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)

    assert _database_is_untouched(database)
    result = ingest_file(path, "gaj_rkxx", database, settings)
    assert result.status == "loaded"
    assert result.rows_read == result.rows_staged == 60_000
    assert fetch(database, "select count(*), count(distinct citizen_id) from staging.gaj_rkxx") == [
        (60_000, 60_000)
    ]
