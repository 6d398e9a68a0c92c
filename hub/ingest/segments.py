"""Split a big CSV delivery on record boundaries, so that worker processes decode and parse it.

The loading process finds where records end (a line end outside quotes) with numpy over the raw
bytes, without decoding them: in GB18030 as in UTF-8, the newline, carriage return, quote and
delimiter bytes never occur inside a multi-byte character. Each worker decodes and parses its
own segment and numbers its rows from the count of records before it; the loading process
hands quarantined rows to the quarantine in the order ``CsvReader.chunks`` would have
(``QuarantineOrder``). Rows, row numbers, broken rows, encoding errors and quarantine come out
exactly as from ``CsvReader.chunks``. Where that cannot be promised cheaply — quoting that is not
plain, a blank line, a lone carriage return, a very long record — the file is read the
ordinary way (``plan_segments`` returns None).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from hub.ingest.encoding import gb18030_error
from hub.ingest.errors import DeliveryRejected

# Arrow's block size in ``CsvReader.chunks``: Arrow yields one batch per block.
BLOCK_BYTES = 16 << 20
# A record longer than this is read the ordinary way (it could span Arrow blocks unevenly).
MAX_RECORD_BYTES = 1 << 20
# Records per segment at most: small enough to keep both cores and COPY busy from the start.
SEGMENT_ROWS = 50_000

_NL, _CR, _QUOTE = 0x0A, 0x0D, 0x22


class UndecodableSegment(DeliveryRejected):
    """A worker found bytes that are not valid in the contract's encoding: the file is refused
    as if its decoding had failed before the load began (same message, same delivery number)."""


@dataclass
class Segment:
    index: int
    start: int  # byte offsets in the body (the file after a byte-order mark)
    end: int
    first_record: int  # records before it, the header included
    records: int


@dataclass
class CsvPlan:
    """Where a CSV file's records end, and the segments the workers parse."""

    data: bytes  # the whole file as delivered
    offset: int  # where the body starts (after a UTF-8 byte-order mark)
    encoding: str  # "gb18030" (workers decode) or "utf-8" (already checked, parsed as is)
    delimiter: str
    file_name: str
    labels: list[str]
    record_ends: np.ndarray  # offset in the body of the last byte of each record, header first
    segments: list[Segment] = field(default_factory=list)

    def body(self, start: int, end: int) -> bytes:
        return self.data[self.offset + start : self.offset + end]

    def raw_values(self, records: list[int]) -> list[list[str]]:
        """The fields of these (valid) records as Arrow parses them, read again from the bytes."""
        if not records:
            return []
        ends = self.record_ends
        pieces = []
        for r in records:
            piece = self.body(int(ends[r - 1]) + 1 if r else 0, int(ends[r]) + 1)
            pieces.append(piece if piece.endswith(b"\n") else piece + b"\n")
        data = b"".join(pieces)
        if self.encoding == "gb18030":
            data = data.decode("gb18030").encode("utf-8")

        def refuse(row) -> str:  # pragma: no cover - these records parsed once already
            raise RuntimeError(f"record {row.number} of {self.file_name} no longer parses")

        table = _read_csv(data, self.delimiter, self.labels, 0, refuse)
        return [list(row) for row in zip(*table.to_pydict().values(), strict=True)]


@dataclass
class ParsedSegment:
    """A segment decoded and parsed by a worker: what ``CsvReader.chunks`` would have yielded
    for these rows, and where each record ends in the UTF-8 text (for ``QuarantineOrder``)."""

    segment: Segment
    table: pa.Table | None
    source_rows: np.ndarray  # int64, one per row of ``table``
    broken: list  # BrokenRow
    utf8_ends: np.ndarray  # int64 per record of the segment: offset of its last byte
    utf8_size: int
    checked: object = None  # the CheckedChunk, once checked
    slot: int | None = None  # the shared memory holding its COPY text (``workers``)
    slot_bytes: int = 0


def plan_segments(
    data: bytes, offset: int, encoding: str, delimiter: str, file_name: str, width: int
) -> CsvPlan | None:
    """Segments of about ``SEGMENT_ROWS`` records, or None where the file must be read the
    ordinary way. ``encoding``: "gb18030" if the workers decode, "utf-8" if the bytes were
    decoded (checked) already."""
    if len(delimiter.encode()) != 1:
        return None
    ends = _record_ends(data, offset, ord(delimiter))
    if ends is None or len(ends) < 2:
        return None
    plan = CsvPlan(
        data, offset, encoding, delimiter, file_name, [f"c{i}" for i in range(width)], ends
    )
    first = 0
    while first < len(ends):
        last = min(first + SEGMENT_ROWS + (first == 0), len(ends))
        start = int(ends[first - 1]) + 1 if first else 0
        plan.segments.append(
            Segment(len(plan.segments), start, int(ends[last - 1]) + 1, first, last - first)
        )
        first = last
    return plan


def _record_ends(data: bytes, offset: int, delimiter: int) -> np.ndarray | None:
    """The offset (from ``offset``) of the last byte of each record of ``data``, if the file is
    plain enough for records to be found without parsing: quotes open a field and close it (or
    are doubled inside it), every line end outside quotes is LF or CRLF, every record holds a
    delimiter (no blank lines), and no record is longer than ``MAX_RECORD_BYTES``."""
    body = np.frombuffer(data, dtype=np.uint8)[offset:]
    n = len(body)
    if not n:
        return None
    quotes = np.flatnonzero(body == _QUOTE)
    quoted = len(quotes) > 0
    if quoted and (len(quotes) % 2 or not _plain_quotes(body, quotes, delimiter)):
        return None
    all_newlines = np.flatnonzero(body == _NL)
    newlines = all_newlines
    if quoted:
        newlines = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
    carriage_returns = np.count_nonzero(body == _CR)
    if carriage_returns and carriage_returns != np.count_nonzero(
        body[all_newlines[all_newlines > 0] - 1] == _CR
    ):  # not every CR is followed by LF: find those outside quotes
        returns = np.flatnonzero(body == _CR)
        if quoted:
            returns = returns[(np.searchsorted(quotes, returns) & 1) == 0]
        after = returns + 1
        if len(returns) and (after[-1] >= n or (body[np.minimum(after, n - 1)] != _NL).any()):
            return None  # a lone carriage return ends a record for Arrow: read it the usual way
    ends = newlines if body[-1] == _NL else np.append(newlines, n - 1)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    if int((ends - starts).max()) >= MAX_RECORD_BYTES:
        return None
    if not np.logical_or.reduceat(body == delimiter, starts).all():
        return None  # a record without a delimiter: maybe a blank line (Arrow skips those)
    return ends.astype(np.int64)


def _plain_quotes(body: np.ndarray, quotes: np.ndarray, delimiter: int) -> bool:
    """Quotes as Arrow reads them when counting them tells what is inside a quoted field: each
    opening quote starts a field, each closing quote ends one, and a doubled quote inside a
    field is a pair of adjacent quotes."""
    n = len(body)
    opening = quotes[0::2]
    closing = quotes[1::2]
    before = body[np.maximum(opening - 1, 0)]
    escaped_open = np.zeros(len(opening), dtype=bool)  # the second quote of a doubled pair
    escaped_open[1:] = opening[1:] == closing[:-1] + 1
    opens_field = (opening == 0) | (before == delimiter) | (before == _NL) | escaped_open
    after = body[np.minimum(closing + 1, n - 1)]
    escaped_close = np.zeros(len(closing), dtype=bool)  # the first quote of a doubled pair
    escaped_close[:-1] = opening[1:] == closing[:-1] + 1
    closes_field = (
        (closing == n - 1) | (after == delimiter) | (after == _NL) | (after == _CR) | escaped_close
    )
    return bool(opens_field.all() and closes_field.all())


def _read_csv(data: bytes, delimiter: str, labels: list[str], skip_rows: int, on_invalid):
    reader = open_arrow_csv(data, delimiter, labels, skip_rows, on_invalid)
    return reader.read_all()


def open_arrow_csv(
    data: bytes | memoryview, delimiter: str, labels: list[str], skip_rows: int, on_invalid
) -> pacsv.CSVStreamingReader:
    """Arrow's streaming CSV reader as every reader of the hub uses it: all values text, an
    empty value empty (not null), newlines allowed inside quoted values."""
    return pacsv.open_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(
            use_threads=False, block_size=BLOCK_BYTES, skip_rows=skip_rows, column_names=labels
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={label: pa.string() for label in labels},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def parse_segment(plan: CsvPlan, segment: Segment, broken_row: Callable) -> ParsedSegment:
    """Decode and parse one segment (in a worker). ``broken_row(row, number)``: the BrokenRow
    of a record Arrow cannot split into the header's fields, as ``CsvReader.chunks`` makes it."""
    raw = plan.body(segment.start, segment.end)
    if plan.encoding == "gb18030":
        try:
            utf8 = raw.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            at = plan.offset + segment.start + exc.start
            raise UndecodableSegment(gb18030_error(plan.data, at, plan.file_name)) from exc
    else:
        utf8 = raw
    header = segment.first_record == 0
    broken = []

    def on_invalid(row) -> str:
        # Arrow numbers the records it reads from 1; ``CsvReader`` numbers the header 0.
        if row.number is not None:
            found = broken_row(row, row.number - 1 + segment.first_record)
            if found is not None:  # a blank line: the count below refuses the segment
                broken.append(found)
        return "skip"

    table = _read_csv(utf8, plan.delimiter, plan.labels, 1 if header else 0, on_invalid)
    numbers = np.arange(segment.first_record, segment.first_record + segment.records)
    if header:
        numbers = numbers[1:]
    if len(broken) + table.num_rows != len(numbers):
        raise DeliveryRejected(f"{plan.file_name}: cannot number its rows reliably")
    if broken:
        numbers = numbers[~np.isin(numbers, [b.source_row for b in broken])]
    utf8_ends = _record_ends(utf8, 0, ord(plan.delimiter))
    if utf8_ends is None or len(utf8_ends) != segment.records:
        raise DeliveryRejected(f"{plan.file_name}: cannot number its rows reliably")
    return ParsedSegment(segment, table, numbers, broken, utf8_ends, len(utf8))


class QuarantineOrder:
    """Hands quarantined rows on in the order ``CsvReader.chunks`` + ``_resolve`` would have
    written them: chunk by chunk, the chunk's rows in file order, then the broken rows Arrow
    reported while the chunk was read. A chunk is an Arrow batch (one per ``BLOCK_BYTES`` of
    UTF-8 text) cut into pieces of ``size`` rows; Arrow reads one block ahead, so the broken
    records of block j come with batch j - 1 (and those of blocks 0 and 1 with batch 0)."""

    def __init__(self, size: int):
        self.size = size
        self.base = 0  # UTF-8 offset of the next segment
        self.rows_in_batch: dict[int, int] = {}
        self.pending: list[tuple[tuple[int, int, int, int], object]] = []
        self.sequence = 0

    def add(self, parsed: ParsedSegment, quarantined: list, broken_count: int) -> list:
        """Take a segment's quarantined rows (``_resolve``'s list: rows in order, then the
        segment's broken rows); give back those whose chunk is complete, in order."""
        segment = parsed.segment
        blocks = (parsed.utf8_ends + self.base) // BLOCK_BYTES
        rows = len(quarantined) - broken_count
        # The batch and piece of every row of the segment.
        row_records = parsed.source_rows - segment.first_record
        row_batches = blocks[row_records]
        pieces = np.empty(len(row_batches), dtype=np.int64)
        for batch in np.unique(row_batches).tolist():
            mask = row_batches == batch
            seen = self.rows_in_batch.get(batch, 0)
            count = int(mask.sum())
            pieces[mask] = (np.arange(seen, seen + count)) // self.size
            self.rows_in_batch[batch] = seen + count
        # Rows are numbered in increasing order: a quarantined row's position by bisection.
        at = np.searchsorted(
            parsed.source_rows, [int(row.source_row) for row in quarantined[:rows]]
        )
        for row, i in zip(quarantined[:rows], at.tolist(), strict=True):
            self._push((int(row_batches[i]), int(pieces[i]), 0), row)
        for row in quarantined[rows:]:
            block = int(blocks[int(row.source_row) - segment.first_record])
            self._push((max(block - 1, 0), 0, 1), row)
        self.base += parsed.utf8_size
        # Rows to come lie in blocks from ``base // BLOCK_BYTES`` on: batches before the one
        # before it are complete.
        return self._take(self.base // BLOCK_BYTES - 1)

    def rest(self) -> list:
        return self._take(None)

    def _push(self, key: tuple[int, int, int], row) -> None:
        self.pending.append(((*key, self.sequence), row))
        self.sequence += 1

    def _take(self, before_batch: int | None) -> list:
        ready = [p for p in self.pending if before_batch is None or p[0][0] < before_batch]
        if not ready:
            return []
        self.pending = [
            p for p in self.pending if not (before_batch is None or p[0][0] < before_batch)
        ]
        return [row for _, row in sorted(ready, key=lambda p: p[0])]
