"""Write extracts byte-for-byte the way the samples come: GB18030 with CRLF for the police,
UTF-8 with BOM for market regulation, JSON Lines, an openpyxl-style workbook, and indented JSON
arrays for gridworker uploads.

The workbook's sheet XML is written directly (inline strings and date cells exactly as
openpyxl writes them) into a workbook skeleton made by openpyxl: a few hundred thousand rows
through openpyxl's cell objects would take minutes.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from hub.demo.schema import Extract


def csv_chunks(frame: pd.DataFrame, columns: list[str], newline: str = "\n", size: int = 100_000):
    """Minimal-quoting CSV text in chunks of ``size`` rows (header first), as departments'
    exports look. Plain joins are several times faster than ``to_csv``; values holding a comma,
    quote or line break (the generator writes none) raise ``_NeedsQuoting``."""
    arrays = []
    for c in columns:
        if frame[c].dtype.kind in "biuf":
            arrays.append(frame[c].to_numpy().astype(str).astype(object))
            continue
        values = frame[c].to_numpy(dtype=object)
        missing = pd.isna(values)
        if missing.any():
            values = np.where(missing, "", values)
        arrays.append(values)
    yield ",".join(columns) + newline
    for start in range(0, len(frame), size):
        lines = [
            ",".join(row) for row in zip(*(a[start : start + size] for a in arrays), strict=True)
        ]
        text = newline.join(lines) + newline
        rows = len(lines)
        if not (text.count(",") == rows * (len(columns) - 1) and '"' not in text and text.count("\n") == rows
                and text.count("\r") == (rows if newline == "\r\n" else 0)):  # fmt: skip
            raise _NeedsQuoting
        yield text


class _NeedsQuoting(Exception):
    pass


def write_csv(path: Path, frame: pd.DataFrame, extract: Extract, truncated: bool = False) -> None:
    """CSV as departments export it, written chunk by chunk; ``truncated`` cuts the last row
    after half of its fields (and drops its line break), as an interrupted export does."""
    columns, newline = extract.column_names, extract.newline
    try:
        encoder = codecs.getincrementalencoder(extract.encoding)()  # one BOM, not one per chunk
        with path.open("wb") as out:
            for chunk in csv_chunks(frame, columns, newline):
                out.write(encoder.encode(chunk))
            out.write(encoder.encode("", final=True))
    except _NeedsQuoting:
        path.write_bytes(
            frame[columns].to_csv(index=False, lineterminator=newline).encode(extract.encoding)
        )
    if truncated:
        data = path.read_bytes().decode(extract.encoding)
        body = data[: -len(newline)]
        cut = body.rfind(newline) + len(newline)
        fields = body[cut:].split(",")
        kept = ",".join(fields[: extract.fields_kept_when_truncated])
        path.write_bytes((body[:cut] + kept).encode(extract.encoding))


def write_jsonl(path: Path, frame: pd.DataFrame, extract: Extract) -> None:
    """One JSON object per line; amounts that are plain numbers stay JSON numbers (``680``)."""
    lines = []
    for record in frame[extract.column_names].to_dict("records"):
        amount = record.get("dbje")
        if isinstance(amount, str) and amount.isdigit():
            record["dbje"] = int(amount)
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_json(path: Path, visits: list[dict]) -> None:
    path.write_text(json.dumps(visits, ensure_ascii=False, indent=1), encoding="utf-8")


# -- XLSX -----------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = date(1899, 12, 30)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _skeleton(sheet: str, delivered: datetime) -> tuple[dict[str, bytes], str, str]:
    """An openpyxl workbook (styles with the yyyy-mm-dd date style as index 1) split around
    the rows of its sheet; the timestamps in docProps are the delivery day, for determinism."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["x", datetime(2000, 1, 1)])
    ws["B1"].number_format = "yyyy-mm-dd"
    wb.properties.created = wb.properties.modified = delivered
    buf = io.BytesIO()
    wb.save(buf)
    parts = {}
    with zipfile.ZipFile(buf) as z:
        for info in z.infolist():
            parts[info.filename] = z.read(info.filename)
    stamp = delivered.strftime("%Y-%m-%dT%H:%M:%SZ")  # openpyxl stamps the save time: pin it
    parts["docProps/core.xml"] = re.sub(
        r"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
        lambda m: m.group(1) + stamp,
        parts["docProps/core.xml"].decode(),
    ).encode()
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    head = xml[: xml.index("<sheetData>") + len("<sheetData>")]
    head = re.sub(r"<dimension[^>]*/>", "", head)
    tail = xml[xml.index("</sheetData>") :]
    return parts, head, tail


def _cell(ref: str, value, date_column: bool) -> str:
    if value is None or value == "":
        return ""
    text = str(value)
    if date_column and _ISO_DAY.fullmatch(text):
        try:
            serial = (date.fromisoformat(text) - _EPOCH).days
            return f'<c r="{ref}" s="1" t="n"><v>{serial}</v></c>'
        except ValueError:
            pass  # an impossible date stays text, as a hand-typed cell would
    text = _ILLEGAL_XML.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def write_xlsx(path: Path, frame: pd.DataFrame, extract: Extract) -> None:
    """Header on row 1 of sheet ``extract.sheet``; ISO dates of ``excel_date`` columns become
    date cells (``yyyy-mm-dd``), anything else in them stays text."""
    delivered = datetime.strptime(extract.delivered, "%Y%m%d").replace(hour=9)
    parts, head, tail = _skeleton(extract.sheet, delivered)
    columns = extract.column_names
    dates = [extract.column(c).kind == "excel_date" for c in columns]
    refs = [_col(i) for i in range(len(columns))]
    out = [head]
    out.append(
        '<row r="1">'
        + "".join(_cell(f"{r}1", c, False) for r, c in zip(refs, columns, strict=True))
        + "</row>"
    )
    for n, values in enumerate(frame[columns].itertuples(index=False, name=None), start=2):
        cells = "".join(_cell(f"{r}{n}", v, d) for r, v, d in zip(refs, values, dates, strict=True))
        out.append(f'<row r="{n}">{cells}</row>')
    out.append(tail)
    parts["xl/worksheets/sheet1.xml"] = "".join(out).encode()
    stamp = (delivered.year, delivered.month, delivered.day, 9, 0, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(
                zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED
            )
