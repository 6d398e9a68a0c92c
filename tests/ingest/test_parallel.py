"""Checking chunks in worker processes changes nothing: the same staged rows, the same
quarantine, the same accounting as checking them one after the other in the loading process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pytest

from hub.ingest.load import ingest_file
from hub.ingest.validate import _blank, _repeated, _row_hashes, _string_hashes
from tests.ingest.helpers import one, police_rows, write_police

SAMPLE_FILES = [
    ("gaj_rkxx", "gaj_rkxx_20261030.csv"),
    ("scjgj_qydj", "scjgj_qydj_20261028.csv"),
    ("mzj_dbdx", "mzj_dbdx_20261021.jsonl"),
    ("mzj_hydj", "mzj_hydj_20261030.csv"),
    ("rsj_cbxx", "rsj_cbxx_20261024.xlsx"),
    ("bdc_djxx", "bdc_djxx_20261019.csv"),
    ("wjw_csyxzm", "wjw_csyxzm_20261029.csv"),
    ("wjw_swyxzm", "wjw_swyxzm_20261029.csv"),
    ("zrzyj_bzdz", "zrzyj_bzdz_20261001.csv"),
    ("wgy_cj", "wgy_cj_420502_20251219_001.json"),
]


def _snapshot(url: str, extracts: set[str]) -> dict:
    """Everything a load leaves behind, as text, in a stable order."""
    with psycopg.connect(url) as conn:
        snap = {
            "delivery": conn.execute(
                "select delivery_id, extract, file_name, status, rows_read, rows_staged, "
                "rows_quarantined, warnings::text, error, superseded_by "
                "from staging.delivery order by delivery_id"
            ).fetchall(),
            "quarantine": conn.execute(
                "select quarantine_id, delivery_id, extract, source_row, raw::text, "
                "reasons::text, reason_codes::text from staging.quarantine order by quarantine_id"
            ).fetchall(),
        }
        for extract in sorted(extracts):
            if conn.execute("select to_regclass(%s)", [f"staging.{extract}"]).fetchone()[0]:
                snap[extract] = [
                    tuple(map(str, row))
                    for row in conn.execute(
                        f"select * from staging.{extract} order by delivery_id, source_row"
                    )
                ]
    return snap


def _reset(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("drop schema staging cascade")


def _load_all(url, settings, files, workers) -> dict:
    for extract, path in files:
        result = ingest_file(path, extract, url, settings, workers=workers)
        assert result.status == "loaded", result.error
    return _snapshot(url, {extract for extract, _ in files})


def _assert_parallel_equals_serial(url, settings, files, chunk_rows: int) -> None:
    settings.ingest_chunk_rows = chunk_rows  # many chunks: duplicates cross chunk boundaries
    serial = _load_all(url, settings, files, workers=0)
    _reset(url)
    parallel = _load_all(url, settings, files, workers=2)
    assert serial.keys() == parallel.keys()
    for name in serial:
        assert serial[name] == parallel[name], name
    assert sum(len(serial[e]) for e, _ in files if e in serial) > 0


def test_parallel_check_stages_exactly_what_the_serial_check_stages_samples(
    database, settings, samples
):
    files = [(extract, samples / extract / name) for extract, name in SAMPLE_FILES]
    _assert_parallel_equals_serial(database, settings, files, chunk_rows=37)


@pytest.fixture(scope="module")
def small_city(tmp_path_factory):
    from hub.demo import generate_city

    return generate_city(tmp_path_factory.mktemp("city"), 300)


def test_parallel_check_stages_exactly_what_the_serial_check_stages_city(
    database, settings, small_city
):
    _assert_parallel_equals_serial(database, settings, sorted(small_city.files), chunk_rows=101)


def test_killed_parallel_load_leaves_no_worker_behind(database, settings, tmp_path):
    path = write_police(tmp_path / "gaj_rkxx_20261102.csv", police_rows(60_000))
    assert path.stat().st_size >= 4 << 20  # big enough for the worker processes
    env = {**os.environ, "HUB_INGEST_CHUNK_ROWS": "2000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "ingest", "gaj_rkxx", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if one(
            database,
            "select count(*) from pg_stat_activity where query ilike 'copy \"staging\".%%'",
        ):
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("the load never reached COPY")
    assert _processes_loading(path), "no process is loading the file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while _processes_loading(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_loading(path)
    assert one(database, "select count(*) from staging.delivery") == 0


def _processes_loading(path: Path) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if str(path).encode() in cmdline and state != "Z":
                found.append(int(pid))
    return found


# -- the pieces the parallel path rests on ---------------------------------------------------


def test_equal_values_hash_equal_wherever_they_sit_in_their_arrays():
    values = [
        "",
        "a",
        "张伟",
        "湖北省宜昌市西陵区夷陵大道115号3栋1单元1202室",
        "12345678",
        "123456789",
    ]
    whole = pa.array(["x", *values, None, "\x00"])
    sliced = pa.array(["pad", "pad", *values, None, "\x00"]).slice(2)
    a, b = _string_hashes(whole)[1:], _string_hashes(sliced)
    assert a.tolist() == b.tolist()
    assert a[-2] == a[-1]  # a missing value hashes as "\x00", as the duplicate check always did
    assert len(set(a[:-1].tolist())) == len(values) + 1


def test_row_hashes_tell_rows_apart_by_every_column():
    left = [pa.array(["a", "a", "ab", "a"]), pa.array(["bc", "bc", "c", "b"])]
    hashes = _row_hashes(left, 4).tolist()
    assert hashes[0] == hashes[1]
    assert len({hashes[0], hashes[2], hashes[3]}) == 3


def test_repeated_finds_earlier_hashes_within_and_across_chunks():
    seen = [np.zeros(0, dtype=np.uint64)]
    first = _repeated(np.array([5, 3, 5, 7], dtype=np.uint64), seen)
    second = _repeated(np.array([7, 1, 1, 9], dtype=np.uint64), seen)
    assert first.tolist() == [False, False, True, False]
    assert second.tolist() == [True, False, True, False]


def test_blank_is_what_str_strip_leaves_empty():
    values = [None, "", " ", "\u3000", "\t\r\n", "\x1c", "\u200b", " a ", "\u3000张", "\xa0", "x"]
    expected = [v is None or v.strip() == "" for v in values]
    assert _blank(pa.array(values, type=pa.string())).tolist() == expected
