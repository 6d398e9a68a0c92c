"""Read a delivered file into chunks of raw text values, one reader per file format.

Readers do not judge values: they turn a file into rows of strings (exactly as delivered) with
their ``source_row``, and hand back the rows they cannot split into fields (a truncated last
line, a line that is not JSON) as *broken rows* for quarantine. Encoding problems and unreadable
files raise :class:`DeliveryRejected` before anything is loaded.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from data_contracts.model import Contract
from hub.ingest.encoding import decode, refuse_other_than_gb18030
from hub.ingest.errors import DeliveryRejected
from hub.ingest.segments import CsvPlan, open_arrow_csv, plan_segments
from hub.vocabulary import QuarantineReason


@dataclass(frozen=True)
class SourceColumn:
    """A column as the file names it; ``parent`` marks a key of the enclosing JSON object."""

    name: str
    parent: bool = False

    @property
    def label(self) -> str:
        return f"{'visit.' if self.parent else ''}{self.name}"


@dataclass
class BrokenRow:
    source_row: int | str
    text: str
    reason: QuarantineReason
    message: str


@dataclass
class RawChunk:
    """Rows of raw strings: ``table`` has one string column per source column, ``c0``, ``c1``…

    Null means the value was absent (a JSON key missing), ``''`` that it was empty. The rows
    stay in Arrow (no Python object per value) until a standardizer needs distinct values.
    ``records`` holds the original JSON objects, so quarantine keeps them exactly.
    """

    table: pa.Table | None
    source_rows: list[int] | list[str]
    broken: list[BrokenRow] = field(default_factory=list)
    records: list[dict] | None = None
    # The raw values of rows by position, when ``table`` stayed in a worker process.
    reread: Callable[[list[int]], list[list[str]]] | None = None

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def column(self, label: str) -> pa.Array:
        """One source column as a single pyarrow string array."""
        column = self.table.column(label)
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


class DeliveryReader:
    columns: list[SourceColumn]
    warnings: list[tuple[str, str]]
    plan: CsvPlan | None = None

    def refuse_undecodable(self) -> None:
        """Raise what decoding the whole file raises (a reader with a ``plan`` has not yet)."""

    def chunks(self, size: int) -> Iterator[RawChunk]:  # pragma: no cover - interface
        raise NotImplementedError


def open_delivery(
    path: Path, contract: Contract, split: bool = False, data: bytes | None = None
) -> DeliveryReader:
    """The reader of ``path`` (whose bytes are ``data`` if already read). ``split``: a CSV file
    may be left undecoded for worker processes to decode and parse in segments
    (``CsvReader.plan``)."""
    if contract.format == "csv":
        return CsvReader(path, contract, split, data)
    if contract.format == "xlsx":
        return XlsxReader(path, contract)
    readers = {"jsonl": JsonLinesReader, "json": NestedJsonReader}
    return readers[contract.format](path, contract, data)


def _labels(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _table(columns: dict[str, list[str | None]]) -> pa.Table:
    """A table of string columns from Python lists (None for absent values)."""
    return pa.table(
        {label: pa.array(values, type=pa.string()) for label, values in columns.items()}
    )


def _empty_table(labels: list[str]) -> pa.Table:
    return _table({label: [] for label in labels})


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DeliveryRejected(f"{path.name}: cannot read the file: {exc.strerror}") from exc


class CsvReader(DeliveryReader):
    """CSV via Arrow's streaming parser: fast, quote-aware, and it reports rows of wrong width."""

    def __init__(
        self, path: Path, contract: Contract, split: bool = False, data: bytes | None = None
    ):
        self.path = path
        self.contract = contract
        raw = _read_bytes(path) if data is None else data
        self.plan = self._plan(raw) if split else None
        if self.plan is not None:
            self._raw = raw
            return
        text, self.warnings = decode(raw, contract.encoding or "utf-8", path.name)
        if not text or text.isspace():  # ``not text.strip()`` without copying the text
            raise DeliveryRejected(f"{path.name}: the file is empty (no header, no rows).")
        first_line = text.split("\n", 1)[0].rstrip("\r")
        header = next(csv.reader([first_line], delimiter=contract.delimiter))
        self.columns = [SourceColumn(name.strip()) for name in header]
        # Arrow parses UTF-8; a GB18030 file is re-encoded once (fast) after strict decoding.
        self._data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        if contract.encoding == "gb18030":
            self._data = text.encode("utf-8")
        del text

    def _plan(self, raw: bytes) -> CsvPlan | None:
        """Segments for worker processes to decode and parse, after the checks that come
        before decoding (the same errors as ``decode``); None: read the file as usual."""
        expected = self.contract.encoding or "utf-8"
        if expected == "gb18030":
            refuse_other_than_gb18030(raw, self.path.name)
            self.warnings = []
            offset = 0
        else:  # UTF-8 decodes fast: checked whole here, parsed as is in the workers
            _, self.warnings = decode(raw, expected, self.path.name)
            offset = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
        end = raw.find(b"\n", offset)
        line = raw[offset : end if end >= 0 else len(raw)]
        if b'"' in line:
            return None  # a quoted header could span lines
        try:
            first_line = line.decode(expected.removesuffix("-sig")).rstrip("\r")
        except UnicodeDecodeError:
            return None
        if not first_line.strip():
            return None
        header = next(csv.reader([first_line], delimiter=self.contract.delimiter))
        plan = plan_segments(
            raw,
            offset,
            "gb18030" if expected == "gb18030" else "utf-8",
            self.contract.delimiter,
            self.path.name,
            len(header),
        )
        if plan is not None:
            self.columns = [SourceColumn(name.strip()) for name in header]
        return plan

    def refuse_undecodable(self) -> None:
        if self.plan is not None:
            decode(self._raw, self.contract.encoding or "utf-8", self.path.name)

    def chunks(self, size: int) -> Iterator[RawChunk]:
        assert self.plan is None, "a planned file is parsed in segments (parse_segment)"
        width = len(self.columns)
        broken: dict[int, BrokenRow] = {}

        def on_invalid(row) -> str:
            number = row.number - 1 if row.number is not None else None
            found = broken_row(row, number)
            if found is not None:
                broken[number] = found
            return "skip"

        labels = _labels(width)
        reader = open_arrow_csv(self._data, self.contract.delimiter, labels, 1, on_invalid)
        next_row = 1
        skipped: set[int] = set()
        reported: set[int] = set()
        try:
            for batch in reader:
                table = pa.Table.from_batches([batch])
                rows, next_row = _number_rows(table.num_rows, next_row, broken, skipped)
                fresh = [b for n, b in broken.items() if n not in reported]
                for b in fresh:
                    # Arrow numbers a bad row when it reaches it; one numbered below a row
                    # already handed out would mean the numbering went wrong: refuse, loudly.
                    if b.source_row is None or (
                        b.source_row < next_row and b.source_row not in skipped
                    ):
                        raise DeliveryRejected(f"{self.path.name}: cannot number its rows reliably")
                    reported.add(b.source_row)
                yield from _split(table, rows, fresh, size)
        except pa.ArrowInvalid as exc:
            raise DeliveryRejected(f"{self.path.name}: not readable as CSV: {exc}") from exc
        leftovers = [b for n, b in broken.items() if n not in reported]
        if leftovers:
            yield RawChunk(_empty_table(labels), [], leftovers)


def broken_row(row, number: int | None) -> BrokenRow | None:
    """The broken row of a record Arrow cannot split into the header's fields (``row``, an
    Arrow InvalidRow), numbered ``number``; None for a blank line, which is not a row."""
    if row.actual_columns == 1 and not row.text.strip():
        return None
    reason = (
        QuarantineReason.TRUNCATED_ROW
        if row.actual_columns < row.expected_columns
        else QuarantineReason.MALFORMED_ROW
    )
    message = f"{row.actual_columns} fields where the header has {row.expected_columns}"
    return BrokenRow(number, row.text, reason, message)


def _number_rows(n: int, next_row: int, broken: dict, skipped: set[int]) -> tuple[list[int], int]:
    """The next n row numbers, skipping those Arrow reported as broken."""
    if not any(number >= next_row for number in broken):
        return list(range(next_row, next_row + n)), next_row + n
    rows: list[int] = []
    while len(rows) < n:
        if next_row in broken:
            skipped.add(next_row)
        else:
            rows.append(next_row)
        next_row += 1
    return rows, next_row


def _split(table: pa.Table, rows: list, broken: list[BrokenRow], size: int) -> Iterator[RawChunk]:
    if table.num_rows <= size:
        yield RawChunk(table, rows, broken)
        return
    for start in range(0, table.num_rows, size):
        part = table.slice(start, size)
        yield RawChunk(part, rows[start : start + size], broken if start == 0 else [])


def _as_text(value) -> str | None:
    """A JSON or spreadsheet value as the text a department meant by it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    return str(value)


def _table_from_records(
    records: list[dict], columns: list[SourceColumn], parents: list[dict] | None = None
) -> pa.Table:
    data = {}
    for i, column in enumerate(columns):
        source = parents if column.parent else records
        data[f"c{i}"] = [_as_text(obj.get(column.name)) for obj in source]
    return _table(data)


def _columns_in_order(objects: list[dict], parent: bool = False) -> list[SourceColumn]:
    seen: dict[str, None] = {}
    for obj in objects:
        for key in obj:
            seen.setdefault(key, None)
    return [SourceColumn(key, parent) for key in seen]


class JsonLinesReader(DeliveryReader):
    """One JSON object per line; a line that does not parse is a broken row, not a broken file."""

    def __init__(self, path: Path, contract: Contract, data: bytes | None = None):
        self.path = path
        raw = _read_bytes(path) if data is None else data
        text, self.warnings = decode(raw, contract.encoding or "utf-8", path.name)
        lines = text.split("\n")
        last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
        self.records: list[dict] = []
        self.source_rows: list[int] = []
        self.broken: list[BrokenRow] = []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                truncated = i == last and not text.endswith("\n")
                reason = (
                    QuarantineReason.TRUNCATED_ROW if truncated else QuarantineReason.MALFORMED_ROW
                )
                self.broken.append(BrokenRow(i + 1, line, reason, f"not JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict):
                self.broken.append(
                    BrokenRow(i + 1, line, QuarantineReason.MALFORMED_ROW, "not a JSON object")
                )
                continue
            self.records.append(obj)
            self.source_rows.append(i + 1)
        if not self.records and not self.broken:
            raise DeliveryRejected(f"{path.name}: the file holds no JSON lines.")
        self.columns = _columns_in_order(self.records)

    def chunks(self, size: int) -> Iterator[RawChunk]:
        for start in range(0, max(len(self.records), 1), size):
            part = self.records[start : start + size]
            yield RawChunk(
                _table_from_records(part, self.columns),
                self.source_rows[start : start + size],
                self.broken if start == 0 else [],
                part,
            )


class XlsxReader(DeliveryReader):
    """A sheet of a workbook, read with calamine (fast, no formulas evaluated)."""

    def __init__(self, path: Path, contract: Contract):
        from python_calamine import CalamineWorkbook

        self.path = path
        self.warnings = []
        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types for broken workbooks
            raise DeliveryRejected(f"{path.name}: not a readable XLSX workbook: {exc}") from exc
        if contract.sheet not in workbook.sheet_names:
            raise DeliveryRejected(
                f"{path.name}: no sheet named {contract.sheet!r} (the contract expects it); the "
                f"workbook has: {', '.join(workbook.sheet_names) or 'no sheets'}."
            )
        try:
            rows = workbook.get_sheet_by_name(contract.sheet).to_python(skip_empty_area=False)
        except Exception as exc:
            raise DeliveryRejected(
                f"{path.name}: cannot read sheet {contract.sheet!r}: {exc}"
            ) from exc
        header_index = contract.header_row - 1
        if len(rows) <= header_index:
            raise DeliveryRejected(f"{path.name}: sheet {contract.sheet!r} has no header row.")
        header = [_as_text(v) or "" for v in rows[header_index]]
        while header and not header[-1].strip():
            header.pop()
        self.columns = [SourceColumn(name.strip()) for name in header]
        width = len(header)
        self.rows: list[list[str | None]] = []
        self.source_rows: list[int] = []
        for number, row in enumerate(rows[header_index + 1 :], start=1):
            values = [_as_text(v) if v != "" else "" for v in row]
            if not any((v or "").strip() for v in values):
                continue  # an empty spreadsheet row is not a row
            values = (values + [""] * width)[:width] if len(values) < width else values[:width]
            self.rows.append(values)
            self.source_rows.append(number)

    def chunks(self, size: int) -> Iterator[RawChunk]:
        labels = _labels(len(self.columns))
        for start in range(0, max(len(self.rows), 1), size):
            part = self.rows[start : start + size]
            table = _table({label: [row[j] for row in part] for j, label in enumerate(labels)})
            yield RawChunk(table, self.source_rows[start : start + size])


class NestedJsonReader(DeliveryReader):
    """An array of objects each holding an array of records (a gridworker upload).

    ``source_row`` is ``<object>.<record>``, both 1-based. A file cut off mid-way still yields
    every complete object; the cut-off one becomes a broken row.
    """

    def __init__(self, path: Path, contract: Contract, data: bytes | None = None):
        self.path = path
        self.records_key = contract.records or "records"
        raw = _read_bytes(path) if data is None else data
        text, self.warnings = decode(raw, contract.encoding or "utf-8", path.name)
        objects, self.broken = _parse_array_tolerantly(text, path.name)
        self.parents: list[dict] = []
        self.records: list[dict] = []
        self.source_rows: list[str] = []
        for v, obj in enumerate(objects, start=1):
            if not isinstance(obj, dict):
                self.broken.append(
                    BrokenRow(
                        f"{v}",
                        json.dumps(obj, ensure_ascii=False),
                        QuarantineReason.MALFORMED_ROW,
                        "not a JSON object",
                    )
                )
                continue
            members = obj.get(self.records_key)
            parent = {k: val for k, val in obj.items() if k != self.records_key}
            if not isinstance(members, list) or not members:
                self.broken.append(
                    BrokenRow(
                        f"{v}.0",
                        json.dumps(obj, ensure_ascii=False),
                        QuarantineReason.NO_RECORDS,
                        f"no {self.records_key!r} in this object",
                    )
                )
                continue
            for r, record in enumerate(members, start=1):
                if not isinstance(record, dict):
                    self.broken.append(
                        BrokenRow(
                            f"{v}.{r}",
                            json.dumps(record, ensure_ascii=False),
                            QuarantineReason.MALFORMED_ROW,
                            "not a JSON object",
                        )
                    )
                    continue
                self.parents.append(parent)
                self.records.append(record)
                self.source_rows.append(f"{v}.{r}")
        self.columns = _columns_in_order(self.parents, parent=True) + _columns_in_order(
            self.records
        )

    def chunks(self, size: int) -> Iterator[RawChunk]:
        for start in range(0, max(len(self.records), 1), size):
            part = self.records[start : start + size]
            parents = self.parents[start : start + size]
            yield RawChunk(
                _table_from_records(part, self.columns, parents),
                self.source_rows[start : start + size],
                self.broken if start == 0 else [],
                [{"visit": p, "record": r} for p, r in zip(parents, part, strict=True)],
            )


def _parse_array_tolerantly(text: str, file_name: str) -> tuple[list, list[BrokenRow]]:
    """Parse a top-level JSON array; if it is cut off, keep the complete elements."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        pass
    else:
        if not isinstance(value, list):
            raise DeliveryRejected(
                f"{file_name}: expected a JSON array of objects at the top level."
            )
        return value, []
    decoder = json.JSONDecoder()
    position = text.find("[")
    if position < 0 or text[:position].strip():
        raise DeliveryRejected(f"{file_name}: not a JSON array (no opening '[').")
    position += 1
    items: list = []
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            break
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            rest = text[position:]
            broken = BrokenRow(
                f"{len(items) + 1}",
                rest[:10_000],
                QuarantineReason.TRUNCATED_ROW,
                f"object {len(items) + 1} is cut off ({exc.msg}); the file ends inside it",
            )
            return items, [broken]
        items.append(item)
    return items, []
