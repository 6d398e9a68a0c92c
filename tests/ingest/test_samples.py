"""Every sample extract from the spec ingests: defective rows quarantined, the rest staged."""

from __future__ import annotations

import pytest

from hub.ingest.load import ingest_file
from tests.ingest.helpers import SAMPLE_FILES, fetch, one
from tests.oracles import citizen_id_is_valid


@pytest.mark.parametrize(("extract", "file_name"), SAMPLE_FILES)
def test_sample_file_loads_with_every_row_accounted_for(
    database, settings, samples, extract, file_name
):
    result = ingest_file(samples / extract / file_name, extract, database, settings)

    assert result.status == "loaded", result.error
    assert result.rows_read == result.rows_staged + result.rows_quarantined
    assert result.rows_staged > 0
    staged = one(database, f"select count(*) from staging.{extract}")
    quarantined = one(database, "select count(*) from staging.quarantine")
    assert (staged, quarantined) == (result.rows_staged, result.rows_quarantined)
    assert (
        one(database, "select count(*) from staging.quarantine where cardinality(reason_codes) = 0")
        == 0
    )


def _raw_lines(path, encoding):
    return path.read_bytes().decode(encoding).splitlines()[1:]


def test_police_sample_quarantines_exactly_its_broken_rows(database, settings, samples):
    path = samples / "gaj_rkxx" / "gaj_rkxx_20261030.csv"
    lines = _raw_lines(path, "gb18030")
    expected: dict[str, set[str]] = {}
    seen = set()
    for number, line in enumerate(lines, start=1):
        reasons = set()
        gmsfhm = line.split(",")[0]
        compact = (
            "".join(gmsfhm.split())
            .translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
            .upper()
        )
        if not compact:
            reasons.add("missing_required")
        elif not citizen_id_is_valid(compact):
            reasons.add("invalid_identifier")
        if line in seen:
            reasons.add("duplicate_row")
        seen.add(line)
        if reasons:
            expected[str(number)] = reasons

    ingest_file(path, "gaj_rkxx", database, settings)

    found = {
        row: set(codes)
        for row, codes in fetch(database, "select source_row, reason_codes from staging.quarantine")
    }
    assert found == expected
    assert expected  # the sample does carry defects


def test_gridworker_sample_numbers_rows_visit_dot_resident(database, settings, samples):
    ingest_file(
        samples / "wgy_cj" / "wgy_cj_420502_20251219_001.json", "wgy_cj", database, settings
    )

    rows = [r[0] for r in fetch(database, "select source_row from staging.wgy_cj")]
    assert "1.1" in rows and "2.2" in rows
    assert all(len(r.split(".")) == 2 for r in rows)


def test_workbook_sample_rows_are_numbered_from_the_first_data_row(database, settings, samples):
    ingest_file(samples / "rsj_cbxx" / "rsj_cbxx_20261024.xlsx", "rsj_cbxx", database, settings)

    rows = [r[0] for r in fetch(database, "select source_row from staging.rsj_cbxx order by 1")]
    quarantined = [int(r[0]) for r in fetch(database, "select source_row from staging.quarantine")]
    assert sorted(rows + quarantined)[0] == 1
