"""Check a chunk of raw rows against the contract: what is staged, what is quarantined, and why.

Each field goes through its standardizer (``hub.standardize``) once per chunk, vectorised.
A row is quarantined with *every* reason that applies (not only the first); a doubtful value
that does not break the row is staged and listed in the row's ``flags``.

Validation is split in two so that a big delivery can use more than one core:

* ``ChunkValidator.check`` looks at one chunk on its own — standardization, per-field reasons,
  flags, the staged columns — and can run in a worker process (``hub.ingest.workers``);
* ``ChunkValidator.resolve`` compares the chunk with the chunks before it (exact duplicate rows,
  repeated keys). It is cheap and runs in order, in the loading process.

``validate`` is the two in a row. Columns stay in Arrow: the standardizers see each distinct
value once, and the staged columns are built by taking those results, not from a Python object
per row.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from data_contracts.model import DATE_KINDS, IDENTIFIER_KINDS, Contract
from hub.ingest.mapping import ColumnMapping
from hub.ingest.readers import RawChunk, SourceColumn
from hub.standardize.outcome import Columns
from hub.standardize.registry import standardize_arrow
from hub.standardize.text import WHITESPACE_RE2
from hub.vocabulary import QuarantineReason

ARROW_TYPES = {
    "date": pa.date32(),
    "year_month": pa.date32(),
    "datetime": pa.timestamp("s"),
}
# A value that is absent or blank (what ``str.strip()`` leaves empty): missing.
_BLANK_RE2 = f"^{WHITESPACE_RE2}*$"
# The hash of a missing raw value (as pandas' hash of "\x00", which the duplicate check used).
_NULL_TEXT = "\x00"


@dataclass
class QuarantinedRow:
    source_row: str
    raw: dict
    reasons: list[dict]


@dataclass
class ValidatedChunk:
    staged: pa.Table
    quarantined: list[QuarantinedRow]
    duplicate_keys: int = 0


@dataclass
class CheckedChunk:
    """One chunk checked on its own, before it is compared with the chunks before it.

    ``staged`` holds the rows not quarantined for their values (``candidates``, positions in
    the chunk), every staging column but the lineage ones; ``objects`` the columns whose Arrow
    type depends on which rows are staged (decimals), as Python objects for ``resolve``.
    """

    n: int
    quarantined: np.ndarray  # bool per row: quarantined for its values
    reasons: dict[int, list[dict]]  # position -> reasons, for those rows
    candidates: np.ndarray  # positions of the other rows
    staged: dict[str, pa.Array]
    objects: dict[str, np.ndarray]
    row_hashes: np.ndarray  # uint64 per row: equal raw rows, equal hashes
    row_order: np.ndarray | None = None  # a stable argsort of row_hashes
    key_hashes: np.ndarray | None = None  # uint64 per row, of the canonical key
    key_order: np.ndarray | None = None  # a stable argsort of key_hashes
    keyless: np.ndarray | None = None  # bool per row: a key field is missing
    # Set by ``render`` (in a worker): the COPY text of every candidate row, in the column
    # order of ``ChunkValidator.render_columns`` (``flags`` last), and where each row ends.
    copy_text: bytes | None = None
    row_ends: np.ndarray | None = None  # int64, one per candidate: offset after its newline


@dataclass
class RenderedChunk:
    """A chunk resolved against the chunks before it, as COPY text (``render_columns``)."""

    copy_text: list[bytes | memoryview]  # pieces to send one after the other (not joined)
    rows_staged: int
    quarantined: list[QuarantinedRow]
    duplicate_keys: int = 0


@dataclass
class _Reasons:
    """Per-row reasons, collected mask by mask without a Python loop over clean rows."""

    n: int
    masks: list[tuple[np.ndarray, dict]] = field(default_factory=list)

    def add(self, mask, reason: dict) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.masks.append((mask, reason))

    def any(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for mask, _ in self.masks:
            out |= mask
        return out

    def for_rows(self, values: dict[str, pa.Array]) -> dict[int, list[dict]]:
        rows: dict[int, list[dict]] = {}
        for mask, reason in self.masks:
            for i in np.flatnonzero(mask):
                entry = dict(reason)
                fld = entry.get("field")
                if fld in values:
                    entry["value"] = values[fld][int(i)].as_py()
                rows.setdefault(int(i), []).append(entry)
        return rows


def _missing_scalar(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


class ChunkValidator:
    """Validates successive chunks of one delivery (remembers rows and keys already seen)."""

    def __init__(
        self,
        contract: Contract,
        mapping: ColumnMapping,
        columns: list[SourceColumn],
        copy_columns: list[str],
        delivery_id: int,
    ):
        self.contract = contract
        self.mapping = mapping
        self.columns = columns
        self.copy_columns = copy_columns
        self.delivery_id = delivery_id
        # COPY columns of ``render``: ``flags`` last, so that ``resolve_rendered`` can add
        # ``duplicate_key`` to a row by patching the end of its line.
        self.render_columns = [c for c in copy_columns if c != "flags"] + (
            ["flags"] if "flags" in copy_columns else []
        )
        # The sorted hashes of the rows and keys of earlier chunks (a one-element list).
        self.seen_rows: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]
        self.seen_keys: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)]

    def validate(self, chunk: RawChunk) -> ValidatedChunk:
        return self.resolve(chunk, self.check(chunk))

    # -- one chunk on its own (may run in a worker process) -----------------------------------
    def check(self, chunk: RawChunk) -> CheckedChunk:
        n = chunk.num_rows
        reasons = _Reasons(n)
        flag_columns: list[pa.Array] = []
        # Staged columns as (per-entry values, entry of each row or None: one entry per row).
        out: dict[str, tuple[pa.Array, np.ndarray | None]] = {}
        objects: dict[str, np.ndarray] = {}
        raw_by_field: dict[str, pa.Array] = {}
        missing_by_field: dict[str, np.ndarray] = {}
        key_values: dict[str, pa.Array] = {}

        for f in self.contract.fields:
            label = self.mapping.fields.get(f.name)
            raw = chunk.column(label) if label is not None else pa.nulls(n, pa.string())
            raw_by_field[f.name] = raw
            missing = _blank(raw)
            missing_by_field[f.name] = missing
            columns, codes = standardize_arrow(f.kind, raw, **f.params)
            if f.pattern:
                columns.error = _pattern_errors(columns, f.pattern)
            errors = _arrow_text(columns.error)
            error = _spread(errors, codes)
            invalid = _to_bool(error.is_valid()) & ~missing
            if f.required:
                reasons.add(
                    missing, {"code": QuarantineReason.MISSING_REQUIRED.value, "field": f.name}
                )
            action = self.contract.action_on_invalid(f)
            if action == "quarantine":
                code = (
                    QuarantineReason.INVALID_IDENTIFIER
                    if f.kind in IDENTIFIER_KINDS
                    else QuarantineReason.INVALID_DATE
                    if f.kind in DATE_KINDS
                    else QuarantineReason.INVALID_VALUE
                )
                for err in pc.unique(error.filter(pa.array(invalid))).to_pylist():
                    reasons.add(
                        invalid & _to_bool(pc.equal(error, err)),
                        {"code": code.value, "field": f.name, "error": err},
                    )
            elif invalid.any():
                flag_columns.append(_where(_flags(error, f.name), invalid))
            warnings = _arrow_text(columns.warning)
            if warnings.null_count < len(warnings):
                flag_columns.append(_flags(_spread(warnings, codes), f.name))
            value = _typed(columns.value, ARROW_TYPES.get(f.kind))
            if value is None:  # its Arrow type would depend on which rows are staged
                objects[f.name] = columns.value if codes is None else columns.value.take(codes)
            else:
                out[f.name] = (value, codes)
                if f.name in self.contract.key:
                    key_values[f.name] = _spread(value, codes)
            out[f"{f.name}_raw"] = (raw, None)
            for extra_name, extra_values in columns.extra.items():
                name = f"{f.name}_{extra_name}"
                extra = _typed(extra_values, pa.string())
                if extra is None:
                    objects[name] = extra_values if codes is None else extra_values.take(codes)
                else:
                    out[name] = (extra, codes)

        for group in self.contract.require_any:
            none_present = np.logical_and.reduce([missing_by_field[name] for name in group])
            reasons.add(
                none_present,
                {"code": QuarantineReason.MISSING_REQUIRED.value, "field": "|".join(group)},
            )

        quarantined = reasons.any()
        candidates = np.flatnonzero(~quarantined)
        everyone = len(candidates) == n
        staged = {}
        for name, (entries, codes) in out.items():
            if codes is not None:
                staged[name] = entries.take(pa.array(codes if everyone else codes[candidates]))
            else:
                staged[name] = entries if everyone else entries.take(pa.array(candidates))
        flags = _joined_flags(flag_columns, n)
        staged["flags"] = flags if everyone else flags.take(pa.array(candidates))
        staged["extra"] = pa.array(self._extra_json(chunk, candidates), type=pa.string())
        checked = CheckedChunk(
            n=n,
            quarantined=quarantined,
            reasons=reasons.for_rows(raw_by_field) if quarantined.any() else {},
            candidates=candidates,
            staged=staged,
            objects={name: values[candidates] for name, values in objects.items()},
            row_hashes=_row_hashes([chunk.column(c) for c in chunk.table.column_names], n),
        )
        # Sorted here (in the worker), so that ``resolve`` only merges sorted runs.
        checked.row_order = np.argsort(checked.row_hashes, kind="stable")
        if self.contract.key and n:
            parts = []
            for k in self.contract.key:
                if k in key_values:
                    parts.append(key_values[k])
                else:
                    texts = [_text_or_none(v) for v in objects[k]]
                    parts.append(_arrow_text(np.asarray(texts, dtype=object)))
            checked.key_hashes = _row_hashes(parts, n)
            checked.key_order = np.argsort(checked.key_hashes, kind="stable")
            # A row without a key value (an old enterprise with no credit code) repeats nothing.
            checked.keyless = np.logical_or.reduce([missing_by_field[k] for k in self.contract.key])
        return checked

    # -- against the chunks before it (in order, in the loading process) --------------------
    def render(self, chunk: RawChunk, checked: CheckedChunk) -> bool:
        """Render the COPY text of every candidate row of ``checked`` (in a worker process), as
        if none were a duplicate; ``resolve_rendered`` then drops and patches the few that are.
        Not possible (False) when a column's type depends on which rows are staged (decimals),
        or without a ``flags`` column; then ``resolve`` builds the staged table."""
        if checked.objects or self.render_columns[-1:] != ["flags"]:
            return False
        count = len(checked.candidates)
        table = self._staged_table(
            chunk, checked, np.ones(count, dtype=bool), np.zeros(count, dtype=bool)
        ).select(self.render_columns)
        buffer = io.BytesIO()
        if count:
            pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        text = buffer.getvalue()
        row_ends = _csv_row_ends(text, count)
        if len(row_ends) != count:  # pragma: no cover - Arrow's CSV writer changed
            raise RuntimeError(f"rendered {len(row_ends)} CSV lines for {count} rows")
        checked.copy_text = text
        checked.row_ends = row_ends
        checked.staged = {}  # not needed any more: not sent back to the loading process
        return True

    def resolve_rendered(self, chunk: RawChunk, checked: CheckedChunk) -> RenderedChunk:
        """``resolve`` for a chunk rendered by ``render``: the same rows, as COPY text in the
        order of ``render_columns``. Exact duplicates are cut out of the text and a repeated key
        appends ``duplicate_key`` to the row's flags (the last field of its line)."""
        assert checked.copy_text is not None and checked.row_ends is not None
        duplicate, dup_key, quarantined, duplicate_keys = self._resolve(chunk, checked)
        drop = duplicate[checked.candidates]
        patch = dup_key[checked.candidates] & ~drop
        text, ends = checked.copy_text, checked.row_ends
        changed = np.flatnonzero(drop | patch)
        if not len(changed):
            pieces: list[bytes | memoryview] = [text]
        else:
            pieces = []
            at = 0
            view = memoryview(text)
            for i in changed.tolist():
                start = int(ends[i - 1]) if i else 0
                end = int(ends[i])
                pieces.append(view[at:start])
                at = end
                if drop[i]:
                    continue
                line = bytes(view[start:end])
                if line.endswith(b",\n"):  # flags null: an empty last field
                    line = line[:-1] + b'"{duplicate_key}"\n'
                elif line.endswith(b'}"\n'):
                    line = line[:-3] + b',duplicate_key}"\n'
                else:  # pragma: no cover - flags are always last, empty or a quoted array
                    raise RuntimeError(f"unexpected end of a rendered row: {line[-20:]!r}")
                pieces.append(line)
            pieces.append(view[at:])
        rows = len(checked.candidates) - int(drop.sum())
        return RenderedChunk(pieces, rows, quarantined, duplicate_keys)

    def resolve(self, chunk: RawChunk, checked: CheckedChunk) -> ValidatedChunk:
        duplicate, dup_key, quarantined, duplicate_keys = self._resolve(chunk, checked)
        keep = ~duplicate[checked.candidates]
        staged = self._staged_table(chunk, checked, keep, dup_key[checked.candidates][keep])
        return ValidatedChunk(staged, quarantined, duplicate_keys)

    def _resolve(
        self, chunk: RawChunk, checked: CheckedChunk
    ) -> tuple[np.ndarray, np.ndarray, list[QuarantinedRow], int]:
        """Exact duplicate rows and repeated keys (masks per row of the chunk), the quarantined
        rows and how many staged rows repeat a key."""
        n = checked.n
        reasons = {i: list(r) for i, r in checked.reasons.items()}
        # Exact duplicates of an earlier row of this delivery (raw values, all columns).
        duplicate = (
            _repeated(checked.row_hashes, self.seen_rows, checked.row_order)
            if n
            else np.zeros(0, bool)
        )
        for i in np.flatnonzero(duplicate).tolist():
            reasons.setdefault(i, []).append({"code": QuarantineReason.DUPLICATE_ROW.value})
        quarantined_mask = checked.quarantined | duplicate

        dup_key = np.zeros(n, dtype=bool)
        if checked.key_hashes is not None:
            is_eligible = ~quarantined_mask & ~checked.keyless
            eligible = np.flatnonzero(is_eligible)
            order = None
            if checked.key_order is not None:
                # The stable order of the eligible rows' keys, as positions among them.
                kept = checked.key_order[is_eligible[checked.key_order]]
                order = (np.cumsum(is_eligible) - 1)[kept]
            dup_key[eligible] = _repeated(checked.key_hashes[eligible], self.seen_keys, order)
        duplicate_keys = int(dup_key.sum())

        positions = np.flatnonzero(quarantined_mask).tolist()
        quarantined = [
            QuarantinedRow(str(chunk.source_rows[i]), raw, reasons[i])
            for i, raw in zip(positions, self._raw_rows(chunk, positions), strict=True)
        ]
        for broken in chunk.broken:
            quarantined.append(
                QuarantinedRow(
                    str(broken.source_row),
                    {"_text": broken.text},
                    [{"code": broken.reason.value, "detail": broken.message}],
                )
            )
        return duplicate, dup_key, quarantined, duplicate_keys

    # -- building the outputs ---------------------------------------------------------------
    def _raw_rows(self, chunk: RawChunk, positions: list[int]) -> list[dict]:
        """The raw rows at ``positions``, as quarantine keeps them (source label -> value)."""
        if chunk.records is not None:
            return [chunk.records[i] for i in positions]
        if not positions:
            return []
        labels = [c.label for c in self.columns]
        if chunk.reread is not None:
            return [dict(zip(labels, row, strict=True)) for row in chunk.reread(positions)]
        take = pa.array(positions, type=pa.int64())
        values = [chunk.table.column(j).take(take).to_pylist() for j in range(len(labels))]
        return [dict(zip(labels, row, strict=True)) for row in zip(*values, strict=True)]

    def _staged_table(
        self, chunk: RawChunk, checked: CheckedChunk, keep: np.ndarray, dup_key: np.ndarray
    ) -> pa.Table:
        idx = checked.candidates[keep]
        mask = None if keep.all() else pa.array(keep)
        arrays = {
            "delivery_id": pa.array(np.full(len(idx), self.delivery_id, dtype=np.int64)),
            "source_row": pa.array(
                [str(chunk.source_rows[i]) for i in idx]
                if self.contract.format == "json"
                else np.asarray(chunk.source_rows, dtype=np.int64)[idx]
            ),
        }
        for name, array in checked.staged.items():
            arrays[name] = array if mask is None else array.filter(mask)
        for name, values in checked.objects.items():
            kind = next((f.kind for f in self.contract.fields if f.name == name), None)
            arrays[name] = _to_arrow(pd.Series(values[keep], dtype=object), ARROW_TYPES.get(kind))
        if dup_key.any():
            flags = arrays["flags"]
            patched = [
                "{duplicate_key}" if v is None else v[:-1] + ",duplicate_key}"
                for v in flags.filter(pa.array(dup_key)).to_pylist()
            ]
            arrays["flags"] = pc.replace_with_mask(
                flags, pa.array(dup_key), pa.array(patched, pa.string())
            )
        missing = [c for c in self.copy_columns if c not in arrays]
        for name in missing:
            arrays[name] = pa.nulls(len(idx), pa.string())
        return pa.table({name: arrays[name] for name in self.copy_columns})

    def _extra_json(self, chunk: RawChunk, idx: np.ndarray) -> list[str | None]:
        if not self.mapping.extras:
            return [None] * len(idx)
        labels = list(self.mapping.extras)
        names = [self.mapping.extras[label] for label in labels]
        take = pa.array(idx, type=pa.int64())
        values = [chunk.column(label).take(take).to_pylist() for label in labels]
        return [
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False)
            for row in zip(*values, strict=True)
        ]


# -- column helpers ---------------------------------------------------------------------------


def _to_bool(array: pa.Array, null: bool = False) -> np.ndarray:
    return array.fill_null(null).to_numpy(zero_copy_only=False)


def _spread(array: pa.Array, codes: np.ndarray | None) -> pa.Array:
    """Per-row values from per-entry values (``codes`` None: already one entry per row)."""
    return array if codes is None else array.take(pa.array(codes))


def _arrow_text(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string(), from_pandas=True)


def _flags(codes: pa.Array, field_name: str) -> pa.Array:
    """``<code>:<field>`` where there is a code, else null."""
    return pc.binary_join_element_wise(codes, f":{field_name}", "")


def _where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(mask), values, pa.scalar(None, pa.string()))


def _csv_row_ends(text: bytes, expected: int = -1) -> np.ndarray:
    """The offset after each line of CSV text: a newline ends a row unless it is inside quotes
    (an even number of quote characters before it: escaped quotes come in pairs)."""
    data = np.frombuffer(text, dtype=np.uint8)
    newlines = np.flatnonzero(data == 0x0A)
    if len(newlines) == expected:  # no newline inside a value: each one ends a row
        return (newlines + 1).astype(np.int64)
    quotes = np.flatnonzero(data == 0x22)
    outside = (np.searchsorted(quotes, newlines) & 1) == 0
    return (newlines[outside] + 1).astype(np.int64)


def _offsets_and_data(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's value offsets (n + 1, int64) and its data bytes, from Arrow's buffers."""
    n = len(array)
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    _, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[array.offset : array.offset + n + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return offsets.astype(np.int64), data


# First UTF-8 bytes of the characters Python's str.isspace() holds true (ASCII controls and
# space; U+0085, U+00A0; U+1680; U+2000-U+205F; U+3000).
_SPACE_LEAD = np.zeros(256, dtype=bool)
_SPACE_LEAD[
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]
] = True


def _blank(raw: pa.Array) -> np.ndarray:
    """Missing per row: absent, empty, or only whitespace (``str.strip()`` leaves nothing).

    Only values that start with a byte that may begin a whitespace character go through the
    regex: blank text must start with whitespace.
    """
    if raw.null_count == len(raw):
        return np.ones(len(raw), dtype=bool)
    offsets, data = _offsets_and_data(raw)
    starts, lengths = offsets[:-1], np.diff(offsets)
    blank = (lengths == 0) | ~_to_bool(raw.is_valid())
    first = np.zeros(len(raw), dtype=bool)
    present = lengths > 0
    first[present] = _SPACE_LEAD[data[starts[present]]]
    maybe = np.flatnonzero(first & ~blank)
    if len(maybe):
        blank[maybe] = _to_bool(
            pc.match_substring_regex(raw.take(pa.array(maybe)), _BLANK_RE2), null=True
        )
    return blank


def _joined_flags(flag_columns: list[pa.Array], n: int) -> pa.Array:
    """The ``flags`` column: a row's flags in field order as a text[] literal, else null."""
    if not flag_columns:
        return pa.nulls(n, pa.string())
    # Flags hold no comma; nulls joined as '' leave runs of commas to squeeze. (pyarrow 26's
    # null_handling="skip" drops rows whose every input is null, so it is not used.)
    joined = pc.binary_join_element_wise(*[c.fill_null("") for c in flag_columns], ",")
    if len(flag_columns) > 1:
        joined = pc.utf8_trim(pc.replace_substring_regex(joined, ",,+", ","), ",")
    wrapped = pc.binary_join_element_wise("{", joined, "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), wrapped)


def _pattern_errors(columns: Columns, pattern: str) -> np.ndarray:
    """``invalid_format`` where a value has no error yet and does not match ``pattern``."""
    rx = re.compile(pattern)
    errors = columns.error.copy()
    for i, (value, error) in enumerate(zip(columns.value, errors, strict=True)):
        if error is None and not _missing_scalar(value) and not rx.match(str(value)):
            errors[i] = "invalid_format"
    return errors


def _typed(values: np.ndarray, kind: pa.DataType | None) -> pa.Array | None:
    """Per-entry values as Arrow, or None when the type would depend on the rows (decimals:
    the scale of a column is that of its longest staged value)."""
    array = _to_arrow(pd.Series(values, dtype=object), kind)
    return None if pa.types.is_decimal(array.type) else array


def _text_or_none(value) -> str | None:
    return None if _missing_scalar(value) else str(value)


_MIX_1 = np.uint64(0x9E3779B97F4A7C15)
_MIX_2 = np.uint64(0xC2B2AE3D27D4EB4F)
# _LOW_BYTES[k]: a mask of the k low bytes of a little-endian word (k = 0..8).
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _string_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit hash of each value of a string array (a missing value hashed as ``"\x00"``).

    Computed with numpy straight from Arrow's buffers, eight bytes at a time: each step mixes
    one word into the state with a bijection, so two values of equal length that differ in one
    word never collide, and any others only by chance (2^-64).
    """
    if array.null_count:
        array = array.fill_null(_NULL_TEXT)
    offsets, data = _offsets_and_data(array)
    starts, lengths = offsets[:-1], np.diff(offsets)
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    # words[i]: the eight bytes from byte i on (unaligned reads, no copy).
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    state = lengths.astype(np.uint64) * _MIX_1
    last = len(words) - 1
    with np.errstate(over="ignore"):
        for at in range(0, int(lengths.max(initial=0)), 8):
            left = lengths - at
            word = words[np.minimum(starts + at, last)] & _LOW_BYTES[np.clip(left, 0, 8)]
            mixed = state ^ (word * _MIX_2)
            mixed = ((mixed << np.uint64(31)) | (mixed >> np.uint64(33))) * _MIX_1
            state = np.where(left > 0, mixed, state)
        state ^= state >> np.uint64(33)
        state *= _MIX_2
        state ^= state >> np.uint64(29)
    return state


def _row_hashes(columns: list[pa.Array], n: int) -> np.ndarray:
    """A 64-bit hash per row of ``columns``: equal values in every column, equal hash."""
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for array in columns:
            if isinstance(array, pa.ChunkedArray):
                array = array.combine_chunks()
            if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
                array = array.cast(pa.string())
            combined = (combined * _MIX_1) ^ _string_hashes(array)
    return combined


def _repeated(
    hashes: np.ndarray, seen: list[np.ndarray], order: np.ndarray | None = None
) -> np.ndarray:
    """Which hashes occurred earlier, in ``seen[0]`` (the sorted hashes of earlier chunks) or
    before in ``hashes``; merges this chunk's hashes into ``seen[0]``. ``order``: a stable
    argsort of ``hashes`` if already known (computed in a worker process)."""
    if order is None:
        order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    # In stable order the first of equal hashes is the earliest row: the only one not repeated.
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    distinct = ordered[first]
    repeated_ordered = ~first
    earlier = seen[0]
    if len(earlier) and len(distinct):
        # Sorted queries: searchsorted walks ``earlier`` in order (cache-friendly).
        at = np.minimum(np.searchsorted(earlier, distinct), len(earlier) - 1)
        found = earlier[at] == distinct
        repeated_ordered |= found[np.cumsum(first) - 1]
    repeated = np.empty(len(hashes), dtype=bool)
    repeated[order] = repeated_ordered
    # Two sorted runs: the stable sort (timsort) merges them in linear time.
    seen[0] = np.sort(np.concatenate([earlier, distinct]), kind="stable")
    return repeated


def _to_arrow(values: pd.Series, kind: pa.DataType | None) -> pa.Array:
    """A column for COPY; strings go through Arrow's C conversion, not a Python loop."""
    if kind is not None and not pa.types.is_string(kind):
        return pa.array(values.astype(object).where(values.notna(), None).tolist(), type=kind)
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array(
            values.astype(object).where(values.notna(), None).tolist(), from_pandas=True
        )
    if pa.types.is_null(array.type):
        return pa.nulls(len(values), pa.string())
    if pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if not (
        pa.types.is_string(array.type)
        or pa.types.is_decimal(array.type)
        or pa.types.is_floating(array.type)
        or pa.types.is_integer(array.type)
    ):
        array = pa.array(
            [
                None if v is None else str(v)
                for v in values.astype(object).where(values.notna(), None)
            ],
            type=pa.string(),
        )
    return array
