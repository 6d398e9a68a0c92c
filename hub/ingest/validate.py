"""Check a chunk of raw rows against the contract: what is staged, what is quarantined, and why.

Each field goes through its standardizer (``hub.standardize``) once per chunk, vectorised.
A row is quarantined with *every* reason that applies (not only the first); a doubtful value
that does not break the row is staged and listed in the row's ``flags``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from data_contracts.model import DATE_KINDS, IDENTIFIER_KINDS, Contract
from hub.ingest.mapping import ColumnMapping
from hub.ingest.readers import RawChunk, SourceColumn
from hub.standardize.registry import standardize
from hub.vocabulary import QuarantineReason

ARROW_TYPES = {
    "date": pa.date32(),
    "year_month": pa.date32(),
    "datetime": pa.timestamp("s"),
}


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

    def for_rows(self, values: dict[str, pd.Series]) -> dict[int, list[dict]]:
        rows: dict[int, list[dict]] = {}
        for mask, reason in self.masks:
            for i in np.flatnonzero(mask):
                entry = dict(reason)
                fld = entry.get("field")
                if fld in values:
                    raw = values[fld].iat[i]
                    entry["value"] = None if _missing_scalar(raw) else raw
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
        self.seen_rows: set[int] = set()
        self.seen_keys: set[int] = set()

    def validate(self, chunk: RawChunk) -> ValidatedChunk:
        frame = chunk.frame
        n = len(frame)
        reasons = _Reasons(n)
        flags = np.full(n, "", dtype=object)
        out: dict[str, pd.Series] = {}
        raw_by_field: dict[str, pd.Series] = {}
        missing_by_field: dict[str, np.ndarray] = {}

        for f in self.contract.fields:
            label = self.mapping.fields.get(f.name)
            raw = frame[label] if label is not None else pd.Series([None] * n, dtype=object)
            raw = raw.reset_index(drop=True)
            raw_by_field[f.name] = raw
            missing = (
                raw.isna().to_numpy() | (raw.fillna("").astype(str).str.strip() == "").to_numpy()
            )
            missing_by_field[f.name] = missing
            result = standardize(f.kind, raw, **f.params)
            value = result.value.reset_index(drop=True)
            error = result.error.reset_index(drop=True).astype(object)
            if f.pattern:
                text = value.astype(object).where(value.notna(), None)
                matches = text.map(
                    lambda v, rx=re.compile(f.pattern): v is None or bool(rx.match(str(v)))
                )
                error = error.where(matches.to_numpy() | error.notna().to_numpy(), "invalid_format")
            invalid = error.notna().to_numpy() & ~missing
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
                for err in pd.unique(error[invalid]):
                    reasons.add(
                        invalid & (error == err).to_numpy(),
                        {"code": code.value, "field": f.name, "error": err},
                    )
            else:
                for err in pd.unique(error[invalid]):
                    flags = _append_flag(
                        flags, invalid & (error == err).to_numpy(), f"{err}:{f.name}"
                    )
            warning = result.warning.reset_index(drop=True)
            has_warning = warning.notna().to_numpy()
            for w in pd.unique(warning[has_warning]):
                flags = _append_flag(
                    flags, has_warning & (warning == w).to_numpy(), f"{w}:{f.name}"
                )
            out[f.name] = value
            out[f"{f.name}_raw"] = raw
            for extra_name, extra_values in result.extra.items():
                out[f"{f.name}_{extra_name}"] = extra_values.reset_index(drop=True)

        for group in self.contract.require_any:
            none_present = np.logical_and.reduce([missing_by_field[name] for name in group])
            reasons.add(
                none_present,
                {"code": QuarantineReason.MISSING_REQUIRED.value, "field": "|".join(group)},
            )

        # Exact duplicates of an earlier row of this delivery (raw values, all columns).
        if n:
            hashes = pd.util.hash_pandas_object(frame.fillna("\x00"), index=False).to_numpy()
            duplicate = np.zeros(n, dtype=bool)
            for i, h in enumerate(hashes.tolist()):
                if h in self.seen_rows:
                    duplicate[i] = True
                else:
                    self.seen_rows.add(h)
            reasons.add(duplicate, {"code": QuarantineReason.DUPLICATE_ROW.value})

        quarantined_mask = reasons.any()
        duplicate_keys = 0
        if self.contract.key and n:
            key_frame = pd.DataFrame({k: out[k].astype(object) for k in self.contract.key})
            key_hashes = pd.util.hash_pandas_object(
                key_frame.fillna("\x00"), index=False
            ).to_numpy()
            dup_key = np.zeros(n, dtype=bool)
            # A row without a key value (an old enterprise with no credit code) repeats nothing.
            keyless = np.logical_or.reduce([missing_by_field[k] for k in self.contract.key])
            for i in np.flatnonzero(~quarantined_mask & ~keyless):
                h = int(key_hashes[i])
                if h in self.seen_keys:
                    dup_key[i] = True
                else:
                    self.seen_keys.add(h)
            duplicate_keys = int(dup_key.sum())
            flags = _append_flag(flags, dup_key, "duplicate_key")

        quarantined = self._quarantine_rows(chunk, reasons, raw_by_field, quarantined_mask)
        keep = ~quarantined_mask
        staged = self._staged_table(chunk, out, flags, keep)
        return ValidatedChunk(staged, quarantined, duplicate_keys)

    # -- building the outputs ---------------------------------------------------------------
    def _quarantine_rows(self, chunk, reasons, raw_by_field, mask) -> list[QuarantinedRow]:
        rows = []
        per_row = reasons.for_rows(raw_by_field)
        for i in np.flatnonzero(mask):
            rows.append(
                QuarantinedRow(
                    str(chunk.source_rows[i]), self._raw_row(chunk, int(i)), per_row[int(i)]
                )
            )
        for broken in chunk.broken:
            rows.append(
                QuarantinedRow(
                    str(broken.source_row),
                    {"_text": broken.text},
                    [{"code": broken.reason.value, "detail": broken.message}],
                )
            )
        return rows

    def _raw_row(self, chunk: RawChunk, i: int) -> dict:
        if chunk.records is not None:
            return chunk.records[i]
        row = chunk.frame.iloc[i]
        return {
            c.label: (None if _missing_scalar(row.iloc[j]) else row.iloc[j])
            for j, c in enumerate(self.columns)
        }

    def _staged_table(self, chunk, out, flags, keep) -> pa.Table:
        idx = np.flatnonzero(keep)
        arrays = {
            "delivery_id": pa.array(np.full(len(idx), self.delivery_id, dtype=np.int64)),
            "source_row": pa.array(
                [str(chunk.source_rows[i]) for i in idx]
                if self.contract.format == "json"
                else np.asarray(chunk.source_rows, dtype=np.int64)[idx]
            ),
        }
        for f in self.contract.fields:
            value = out[f.name].iloc[idx]
            arrays[f.name] = _to_arrow(value, ARROW_TYPES.get(f.kind))
            arrays[f"{f.name}_raw"] = _to_arrow(out[f"{f.name}_raw"].iloc[idx], pa.string())
        for name, values in out.items():
            if name not in arrays and name in self.copy_columns:
                arrays[name] = _to_arrow(values.iloc[idx], pa.string())
        kept_flags = flags[idx]
        arrays["flags"] = pa.array(
            [("{" + v.lstrip(",") + "}") if v else None for v in kept_flags], type=pa.string()
        )
        arrays["extra"] = pa.array(self._extra_json(chunk, idx), type=pa.string())
        missing = [c for c in self.copy_columns if c not in arrays]
        for name in missing:
            arrays[name] = pa.nulls(len(idx), pa.string())
        return pa.table({name: arrays[name] for name in self.copy_columns})

    def _extra_json(self, chunk: RawChunk, idx: np.ndarray) -> list[str | None]:
        if not self.mapping.extras:
            return [None] * len(idx)
        labels = list(self.mapping.extras)
        sub = chunk.frame[labels].iloc[idx]
        names = [self.mapping.extras[label] for label in labels]
        return [
            json.dumps(
                {k: (None if _missing_scalar(v) else v) for k, v in zip(names, row, strict=True)},
                ensure_ascii=False,
            )
            for row in sub.itertuples(index=False, name=None)
        ]


def _append_flag(flags: np.ndarray, mask: np.ndarray, flag: str) -> np.ndarray:
    if mask.any():
        flags = flags.copy()
        flags[mask] = flags[mask] + "," + flag
    return flags


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
