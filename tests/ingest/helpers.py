"""Small builders for delivered files in tests: real formats, written the way departments do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from stdnum.cn.ric import calc_check_digit

POLICE_HEADER = "GMSFHM,XM,XB,MZ,CSRQ,HJDZ_XZQHDM,HJDZ_DZMC,HH,YHZGX,RYZT,GXSJ"


# Every sample file of ../shared/extracts/samples, by extract.
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
    ("wgy_cj", "wgy_cj_420581_20260107_001.json"),
]


def citizen_id(area: str = "420502", birth: str = "19800101", seq: int = 1) -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + calc_check_digit(body + "0")  # stdnum expects the number with a check position


def wrong_check(valid: str) -> str:
    last = valid[-1]
    return valid[:-1] + ("1" if last != "1" else "2")


def police_row(seq: int, name: str = "张伟", birth: str = "19800101", **overrides) -> list[str]:
    row = {
        "GMSFHM": citizen_id(birth=birth, seq=seq),
        "XM": name,
        "XB": "1" if seq % 2 else "2",
        "MZ": "01",
        "CSRQ": birth,
        "HJDZ_XZQHDM": "420502",
        "HJDZ_DZMC": "湖北省宜昌市西陵区青岛路124号1栋1单元101室",
        "HH": f"4205020000{seq:02d}",
        "YHZGX": "02",
        "RYZT": "0",
        "GXSJ": "20250313121623",
    }
    row.update(overrides)
    return list(row.values())


def write_police(
    path: Path,
    rows: list[list[str]],
    header: str = POLICE_HEADER,
    encoding: str = "gb18030",
    newline_at_end: bool = True,
) -> Path:
    lines = [header] + [",".join(r) for r in rows]
    text = "\r\n".join(lines) + ("\r\n" if newline_at_end else "")
    path.write_bytes(text.encode(encoding))
    return path


def police_rows(n: int, start: int = 1) -> list[list[str]]:
    """n rows of distinct people (distinct birth dates once the 3-digit sequence runs out)."""
    import datetime as dt

    rows = []
    for i in range(start, start + n):
        birth = (dt.date(1950, 1, 1) + dt.timedelta(days=i // 900)).strftime("%Y%m%d")
        rows.append(police_row(i % 900 + 1, birth=birth))
    return rows


def fetch(url: str, query: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def one(url: str, query: str, *params):
    rows = fetch(url, query, *params)
    return rows[0][0] if rows else None


def staged_count(url: str, extract: str) -> int:
    """Rows in staging.<extract>, 0 when the table was never created."""
    if one(url, "select to_regclass(%s) is null", f"staging.{extract}"):
        return 0
    return one(url, f"select count(*) from staging.{extract}")


def ingest_in_subprocess(path: Path) -> subprocess.Popen:
    """``hub ingest gaj_rkxx PATH`` in its own process, in small chunks (so that a test can
    kill it in the middle of the load)."""
    return subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "ingest", "gaj_rkxx", str(path)],
        env={**os.environ, "HUB_INGEST_CHUNK_ROWS": "2000"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
