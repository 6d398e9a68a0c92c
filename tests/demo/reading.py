"""Read generated extracts back, independently of the generator: rows keyed by source_row."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from stdnum.cn import uscc

from hub.demo.schema import EXTRACTS


def read_rows(extract: str, path: Path) -> tuple[list[str], dict[str, dict]]:
    """(header, {source_row: {column: value}}); a short CSV row gets ``None`` for missing fields."""
    spec = EXTRACTS[extract]
    if spec.fmt == "csv":
        text = path.read_bytes().decode(spec.encoding)
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        rows = {}
        for i, fields in enumerate(reader, start=1):
            rows[str(i)] = dict(
                zip(header, fields + [None] * (len(header) - len(fields)), strict=True)
            )
        return header, rows
    if spec.fmt == "jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return spec.column_names, {
            str(i): json.loads(line) for i, line in enumerate(lines, start=1)
        }
    if spec.fmt == "xlsx":
        ws = openpyxl.load_workbook(path, read_only=True)[spec.sheet]
        it = ws.iter_rows(values_only=True)
        header = list(next(it))
        rows = {}
        for i, values in enumerate(it, start=1):
            values = [
                v.date().isoformat() if isinstance(v, datetime) else "" if v is None else v
                for v in values
            ]
            rows[str(i)] = dict(
                zip(header, values + [""] * (len(header) - len(values)), strict=True)
            )
        return header, rows
    visits = json.loads(path.read_text(encoding="utf-8"))
    rows = {}
    for v, visit in enumerate(visits, start=1):
        parent = {k: val for k, val in visit.items() if k != "residents"}
        for r, resident in enumerate(visit["residents"], start=1):
            rows[f"{v}.{r}"] = {**parent, **resident}
    return spec.column_names, rows


_RIC_W = [pow(2, 17 - i, 11) for i in range(17)]


def ric_ok(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return (
        "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], _RIC_W, strict=True)) % 11]
        == value[17]
    )


def canonical_id(value) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).replace(" ", "").upper()


def id_invalid(value, column_kind: str) -> bool:
    v = canonical_id(value)
    if column_kind in ("credit_code", "employer_code"):
        return len(v) == 18 and not uscc.is_valid(v)
    return len(v) == 18 and not ric_ok(v)


def parses_as_date(value: str) -> bool:
    digits = re.findall(r"\d+", str(value))
    if not digits:
        return False
    if len(digits) == 1:
        d = digits[0]
        parts = [d[:4], d[4:6], d[6:8]] if len(d) >= 8 else [d[:4], d[4:6], "01"]
    else:
        parts = digits[:3] if len(digits) >= 3 else [*digits[:2], "01"]
    try:
        date(int(parts[0]), int(parts[1]), int(parts[2]))
        return True
    except ValueError:
        return False


def truth(city: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(city / "truth" / f"{name}.csv", dtype=str, keep_default_na=False)
