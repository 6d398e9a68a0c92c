"""Workers that decode and parse a CSV file in segments load exactly what one reader loads: the
same rows and row numbers, the same quarantine in the same order, the same refusals."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from hub.ingest import segments
from hub.ingest.load import ingest_file
from hub.ingest.segments import plan_segments
from tests.ingest.helpers import POLICE_HEADER, police_row, police_rows, write_police
from tests.ingest.test_parallel import _reset, _snapshot


@pytest.fixture
def tiny_segments(monkeypatch):
    """Segments of 7 records and Arrow blocks of 1,500 bytes: many of both in a small file."""
    monkeypatch.setattr(segments, "SEGMENT_ROWS", 7)
    monkeypatch.setattr(segments, "BLOCK_BYTES", 1500)


def _serial_and_segmented(url, settings, files, chunk_rows=5) -> tuple[dict, dict, list]:
    settings.ingest_chunk_rows = chunk_rows
    results = []
    snaps = []
    for workers in (0, 2):
        got = [
            ingest_file(path, extract, url, settings, workers=workers) for extract, path in files
        ]
        results.append([(r.status, r.error, r.delivery_id, r.rows_read) for r in got])
        snaps.append(_snapshot(url, {extract for extract, _ in files}))
        _reset(url)
    assert results[0] == results[1]
    return snaps[0], snaps[1], results[0]


def _messy_police_file(path, encoding="gb18030"):
    """Quarantined values, broken rows in many blocks, duplicates, repeated keys, quotes,
    commas and newlines inside values, CRLF line ends, and a truncated last line."""
    rows = [police_row(i % 900 + 1, birth=f"19{50 + i // 900:02d}0101") for i in range(1, 160)]
    rows[3][0] = "123"  # an invalid citizen id
    rows[10][6] = '湖北省宜昌市"西陵区",青岛路\n124号'
    rows[11][1] = '王"五'
    rows[40][4] = "notadate"
    rows += [rows[5], rows[10], rows[60]]  # exact duplicates, one with a newline inside
    again = list(rows[70])
    again[1] = "李娜"
    rows.append(again)  # a repeated key
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(POLICE_HEADER.split(","))
    for i, row in enumerate(rows):
        if i % 23 == 7:
            buffer.write(",".join(row[:5]) + "\r\n")  # too few fields
        elif i % 31 == 9:
            buffer.write(",".join(row + ["extra"]) + "\r\n")  # too many
        writer.writerow(row)
    text = buffer.getvalue() + ",".join(police_row(899)[:4])  # cut off mid-row
    path.write_bytes(text.encode(encoding))
    return path


def test_segmented_load_equals_one_reader_row_for_row_and_in_quarantine_order(
    database, settings, tmp_path, tiny_segments
):
    path = _messy_police_file(tmp_path / "gaj_rkxx_20261104.csv")
    assert plan_segments(path.read_bytes(), 0, "gb18030", ",", path.name, 11) is not None
    for chunk_rows in (3, 5, 1000):
        serial, segmented, results = _serial_and_segmented(
            database, settings, [("gaj_rkxx", path)], chunk_rows
        )
        assert serial == segmented
        assert results[0][0] == "loaded"
        reasons = {codes for *_, codes in serial["quarantine"]}
        assert {"{truncated_row}", "{malformed_row}", "{duplicate_row}"} <= reasons


def test_segmented_utf8_extract_equals_one_reader(database, settings, tmp_path, tiny_segments):
    header = "死亡医学证明编号,姓名,身份证号,性别,死亡日期,死亡地点"
    lines = [header] + [
        f'S{i:09d},"张,三{i % 7}",{police_row(i % 900 + 1)[0]},男,2025-01-{i % 28 + 1:02d},家中'
        for i in range(1, 200)
    ]
    lines[50] = "S1,only,three"
    path = tmp_path / "wjw_swyxzm_20261104.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    serial, segmented, results = _serial_and_segmented(database, settings, [("wjw_swyxzm", path)])
    assert serial == segmented and results[0][0] == "loaded"


def test_a_byte_that_is_not_gb18030_far_into_the_file_refuses_it_as_one_reader_does(
    database, settings, tmp_path, tiny_segments
):
    good = write_police(tmp_path / "gaj_rkxx_20261105.csv", police_rows(120))
    data = good.read_bytes()
    at = data.index(b"\r\n", len(data) * 3 // 4) + 2
    bad = tmp_path / "gaj_rkxx_20261106.csv"
    bad.write_bytes(data[:at] + b"\x81\x20" + data[at:])
    files = [("gaj_rkxx", good), ("gaj_rkxx", bad), ("gaj_rkxx", good)]
    serial, segmented, results = _serial_and_segmented(database, settings, files)
    assert serial == segmented
    assert [status for status, *_ in results] == ["loaded", "rejected", "duplicate"]
    assert f"not valid GB18030 at byte {at}" in results[1][1]


def test_a_wrong_header_in_a_file_that_does_not_decode_is_refused_for_the_encoding(
    database, settings, tmp_path, tiny_segments
):
    rows = police_rows(60)
    path = write_police(tmp_path / "gaj_rkxx_20261107.csv", rows, header="A,B,C,D,E,F,G,H,I,J,K")
    path.write_bytes(path.read_bytes() + b"\xff\xff\r\n")
    serial, segmented, results = _serial_and_segmented(database, settings, [("gaj_rkxx", path)])
    assert serial == segmented
    assert "not valid GB18030" in results[0][1]


@pytest.mark.parametrize(
    "body",
    [
        b"a,b\r\n1,2\r\n\r\n3,4\r\n",  # a blank line
        b"a,b\r\n1,2\r3,4\r\n",  # a lone carriage return
        b'a,b\r\n1,x"y\r\n3,4\r\n',  # a quote inside an unquoted value
        b'a,b\r\n1,"x"y\r\n3,4\r\n',  # text after a closing quote
        b'a,b\r\n1,"x\r\n3,4\r\n',  # a quote never closed
        b"a,b\r\n1,2\r\n   \r\n",  # a line of spaces
    ],
)
def test_files_whose_records_cannot_be_found_by_counting_are_read_as_usual(body):
    assert plan_segments(body, 0, "utf-8", ",", "f.csv", 2) is None


def test_records_end_at_line_ends_outside_quotes():
    body = b'a,b\r\n1,"x\r\ny"\r\n"2","""q"""\r\n3,4'
    plan = plan_segments(body, 0, "utf-8", ",", "f.csv", 2)
    assert plan is not None
    ends = plan.record_ends.tolist()
    assert [body[e] for e in ends[:-1]] == [0x0A] * 3 and ends[-1] == len(body) - 1
    assert np.diff([-1, *ends]).tolist() == [5, 10, 13, 3]
    assert plan.raw_values([1, 2, 3]) == [["1", "x\r\ny"], ["2", '"q"'], ["3", "4"]]


def test_copy_text_too_big_for_shared_memory_comes_back_through_the_pipe(
    database, settings, tmp_path, monkeypatch
):
    from hub.ingest import workers

    monkeypatch.setattr(workers, "SLOT_FACTOR", 0)  # slots of 64 KiB: too small for the text
    slots_used = []
    with_copy_text = workers._with_copy_text

    def noting_slot(parsed, slots):
        slots_used.append(parsed.slot)
        return with_copy_text(parsed, slots)

    monkeypatch.setattr(workers, "_with_copy_text", noting_slot)
    rows = police_rows(600)
    rows += rows[100:110]
    path = write_police(tmp_path / "gaj_rkxx_20261108.csv", rows)
    serial, segmented, results = _serial_and_segmented(database, settings, [("gaj_rkxx", path)])
    assert serial == segmented and results[0][0] == "loaded"
    assert slots_used == [None]
