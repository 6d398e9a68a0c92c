"""Checking chunks in worker processes changes nothing: the same staged rows, the same
quarantine, the same accounting as checking them one after the other in the loading process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pytest

from hub.ingest.load import ingest_file
from hub.ingest.validate import _blank, _repeated, _row_hashes, _string_hashes
from tests.ingest.helpers import SAMPLE_FILES, ingest_in_subprocess, one, police_rows, write_police


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
    proc = ingest_in_subprocess(path)
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


def test_rendered_copy_text_is_what_the_staged_table_renders(tmp_path):
    """``render`` (in a worker) + ``resolve_rendered`` give byte for byte the CSV of
    ``resolve``'s staged table: exact duplicates cut out, repeated keys flagged, across chunks,
    with quotes and newlines inside fields."""
    import csv
    import io

    import pyarrow.csv as pacsv

    from data_contracts import load_contract
    from hub.database.schema import staging_columns
    from hub.ingest.mapping import map_columns
    from hub.ingest.readers import open_delivery
    from hub.ingest.validate import ChunkValidator
    from tests.ingest.helpers import POLICE_HEADER, police_row

    rows = [police_row(i, name="张伟" if i % 3 else '张"伟') + [f"备注{i}"] for i in range(1, 40)]
    rows[4][6] = "湖北省宜昌市\n西陵区青岛路124号"  # a newline inside an address
    rows[7][10] = "notadate"  # flagged or quarantined
    rows += [rows[2], rows[4], rows[30]]  # exact duplicates, one with a newline
    again = list(rows[5])
    again[1] = "李娜"
    rows += [again, list(rows[4])]  # a repeated key; a duplicate of a row with a newline
    rows[-1][1] = '王"五'  # now a repeated key too, with a quote
    rows.append(rows[0][:1] + rows[0][1:10] + ["", rows[0][11]])  # repeated key, no flags
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(POLICE_HEADER.split(",") + ["BZ"])
    writer.writerows(rows)
    path = tmp_path / "gaj_rkxx_20261103.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))

    contract = load_contract("gaj_rkxx")
    columns = [name for name, _ in staging_columns(contract)]
    outputs = []
    for rendered in (False, True):
        reader = open_delivery(path, contract)
        mapping = map_columns(reader.columns, contract, path.name)
        validator = ChunkValidator(contract, mapping, reader.columns, columns, 7)
        text, staged, quarantined, dup_keys = b"", 0, [], 0
        for chunk in reader.chunks(9):
            checked = validator.check(chunk)
            if rendered:
                assert validator.render(chunk, checked)
                out = validator.resolve_rendered(chunk, checked)
                text += b"".join(out.copy_text)
                staged += out.rows_staged
            else:
                out = validator.resolve(chunk, checked)
                csv_out = io.BytesIO()
                table = out.staged.select(validator.render_columns)
                if table.num_rows:
                    pacsv.write_csv(table, csv_out, pacsv.WriteOptions(include_header=False))
                text += csv_out.getvalue()
                staged += out.staged.num_rows
            quarantined += [(q.source_row, q.raw, q.reasons) for q in out.quarantined]
            dup_keys += out.duplicate_keys
        outputs.append((text, staged, quarantined, dup_keys))
    assert outputs[0] == outputs[1]
    text, staged, quarantined, dup_keys = outputs[1]
    assert dup_keys >= 2 and len(quarantined) >= 4
    assert b"duplicate_key" in text and b"\n" in text.split(b"\n", 1)[1]


def test_repeated_matches_a_plain_loop_with_or_without_a_precomputed_order():
    rng = np.random.default_rng(7)
    chunks = [rng.integers(0, 50, size=size).astype(np.uint64) for size in (0, 30, 1, 40, 25)]
    seen_plain: set[int] = set()
    seen = [np.zeros(0, dtype=np.uint64)]
    seen_ordered = [np.zeros(0, dtype=np.uint64)]
    for hashes in chunks:
        expected = []
        for h in hashes.tolist():
            expected.append(h in seen_plain)
            seen_plain.add(h)
        order = np.argsort(hashes, kind="stable")
        assert _repeated(hashes, seen).tolist() == expected
        assert _repeated(hashes, seen_ordered, order).tolist() == expected
        assert seen[0].tolist() == seen_ordered[0].tolist()
        assert sorted(set(seen[0].tolist())) == sorted(seen_plain)
