"""Match a delivered file's columns to its contract's fields (names, aliases, extras)."""

from __future__ import annotations

from dataclasses import dataclass, field

from data_contracts.model import Contract, normalize_column_name
from hub.ingest.errors import DeliveryRejected
from hub.ingest.readers import SourceColumn
from hub.vocabulary import DeliveryWarning


@dataclass
class ColumnMapping:
    """Which source column (by label ``c<i>``) feeds each field, and which columns are extra."""

    fields: dict[str, str | None]
    extras: dict[str, str] = field(default_factory=dict)  # label -> column name as delivered
    warnings: list[tuple[str, str]] = field(default_factory=list)


def map_columns(columns: list[SourceColumn], contract: Contract, file_name: str) -> ColumnMapping:
    """Map columns; a required or key column that is missing rejects the file."""
    by_name: dict[tuple[bool, str], list[int]] = {}
    for i, column in enumerate(columns):
        by_name.setdefault((column.parent, normalize_column_name(column.name)), []).append(i)

    mapping = ColumnMapping(fields={})
    used: set[int] = set()
    missing: list[str] = []
    for f in contract.fields:
        found = [
            (i, name)
            for name in f.all_columns
            for i in by_name.get((f.parent, normalize_column_name(name)), [])
        ]
        positions = sorted({i for i, _ in found})
        if len(positions) > 1:
            names = ", ".join(repr(columns[i].name) for i in positions)
            raise DeliveryRejected(
                f"{file_name}: columns {names} all map to field {f.name!r}; the contract cannot "
                "tell which one to load."
            )
        if not positions:
            mapping.fields[f.name] = None
            if f.required or f.name in contract.key:
                missing.append(
                    f"{f.column!r}"
                    + (f" (or {', '.join(map(repr, f.aliases))})" if f.aliases else "")
                )
            else:
                mapping.warnings.append(
                    (
                        DeliveryWarning.MISSING_OPTIONAL_COLUMN,
                        f"optional column {f.column!r} ({f.name}) is absent; loaded as empty",
                    )
                )
            continue
        i = positions[0]
        used.add(i)
        mapping.fields[f.name] = f"c{i}"
        if normalize_column_name(columns[i].name) != normalize_column_name(f.column):
            mapping.warnings.append(
                (
                    DeliveryWarning.RENAMED_COLUMN,
                    f"column {f.column!r} ({f.name}) arrived as {columns[i].name!r}",
                )
            )
    if missing:
        found_names = ", ".join(repr(c.label) for c in columns) or "none"
        raise DeliveryRejected(
            f"{file_name}: missing required column(s) {', '.join(missing)} of extract "
            f"{contract.extract!r}. Columns found: {found_names}."
        )
    for i, column in enumerate(columns):
        if i not in used:
            mapping.extras[f"c{i}"] = column.label
            mapping.warnings.append(
                (
                    DeliveryWarning.EXTRA_COLUMN,
                    f"unannounced column {column.label!r}: its values are kept in the extra column",
                )
            )
    return mapping
