"""The schema every contract file must follow (pydantic models, validated on load)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,50}$")

# Kinds whose invalid values quarantine the row even outside the key: the spec treats an
# impossible date as a broken row, not a doubtful value.
DATE_KINDS = frozenset({"date", "datetime", "year_month"})
IDENTIFIER_KINDS = frozenset(
    {
        "citizen_id",
        "credit_code",
        "organization_code",
        "registration_number",
        "party_id",
        "unit_number",
        "std_address_code",
        "grid_code",
    }
)


def normalize_column_name(name: str) -> str:
    """How column names are compared: NFKC, no BOM, no surrounding space, case-insensitive."""
    return unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().casefold()


class Field_(BaseModel):
    """One field of an extract: where it comes from and what it must look like."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Canonical field name: the staging column.")
    column: str = Field(description="Column (or JSON key) name as the department delivers it.")
    aliases: list[str] = Field(default_factory=list, description="Other names seen for it.")
    kind: str = Field(description="What the value is; picks the standardizer (hub.standardize).")
    params: dict[str, Any] = Field(default_factory=dict, description="Standardizer options.")
    required: bool = False
    pattern: str | None = Field(default=None, description="Regex the canonical value must match.")
    on_invalid: Literal["quarantine", "flag"] | None = Field(
        default=None,
        description="What an invalid value does; default: quarantine for key fields and dates.",
    )
    parent: bool = Field(
        default=False, description="Nested JSON: taken from the enclosing object (the visit)."
    )
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"field name {value!r} must be lower_snake_case (a SQL column name)")
        return value

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @property
    def all_columns(self) -> list[str]:
        return [self.column, *self.aliases]


class Contract(BaseModel):
    """A department extract's contract."""

    model_config = ConfigDict(extra="forbid")

    extract: str
    department: str = Field(description="Short name of the delivering department, e.g. police.")
    department_name: str = Field(description="The department as it names itself (公安局).")
    title: str
    description: str = ""
    format: Literal["csv", "jsonl", "xlsx", "json"]
    encoding: Literal["gb18030", "utf-8", "utf-8-sig"] | None = None
    delimiter: str = ","
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)
    records: str | None = Field(
        default=None, description="Nested JSON: key of the record array inside each object."
    )
    mode: Literal["snapshot", "incremental"]
    key: list[str] = Field(default_factory=list)
    require_any: list[list[str]] = Field(
        default_factory=list,
        description="Groups of fields of which at least one must have a value in every row.",
    )
    cadence: Literal["daily", "weekly", "monthly", "quarterly", "on_event"] = "monthly"
    authoritative_for: list[str] = Field(default_factory=list)
    max_quarantine_ratio: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A delivery quarantining more than this share of rows is rejected whole.",
    )
    fields: list[Field_]

    @field_validator("extract")
    @classmethod
    def _extract_is_identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"extract name {value!r} must be lower_snake_case (a table name)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Contract:
        names = [f.name for f in self.fields]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"fields named twice: {sorted(duplicates)}")
        reserved = {"delivery_id", "source_row", "flags", "extra"}
        clash = reserved & set(names) | {n for n in names if n.endswith("_raw")}
        if clash:
            raise ValueError(f"field names reserved for lineage columns: {sorted(clash)}")
        seen: dict[str, str] = {}
        for field in self.fields:
            for column in field.all_columns:
                norm = (field.parent, normalize_column_name(column))
                if norm in seen:
                    raise ValueError(
                        f"column {column!r} maps to both {seen[norm]!r} and {field.name!r}"
                    )
                seen[norm] = field.name
        for name in self.key + [n for group in self.require_any for n in group]:
            if name not in names:
                raise ValueError(f"key/require_any names unknown field {name!r}")
        if self.format in ("csv", "jsonl", "json") and self.encoding is None:
            raise ValueError(f"format {self.format} needs an encoding")
        if self.format == "xlsx" and not self.sheet:
            raise ValueError("format xlsx needs the sheet name")
        if self.format == "json" and not self.records:
            raise ValueError("format json needs `records`: the key of the nested record array")
        if self.format != "json" and any(f.parent for f in self.fields):
            raise ValueError("`parent` fields only exist in nested JSON extracts")
        return self

    def field(self, name: str) -> Field_:
        return next(f for f in self.fields if f.name == name)

    def action_on_invalid(self, field: Field_) -> str:
        if field.on_invalid:
            return field.on_invalid
        if field.name in self.key or field.kind in DATE_KINDS:
            return "quarantine"
        return "flag"
