"""The checks a data contract implies for its staging table, derived once and used twice.

The same :class:`Rule` list becomes the Great Expectations suite of ``staging.<extract>``
(:mod:`quality.suites`) and the SQL behind the department scorecards (:mod:`quality.scorecard`),
so a field's ``required``, ``pattern``, code table or key is never written down a second time
(datacontract-cli: the contract is the source, everything else is generated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from data_contracts.model import DATE_KINDS, Contract, Field_
from hub.standardize import code_tables
from hub.standardize.errors import ERROR_CODES

Dimension = Literal["completeness", "validity", "uniqueness"]

# Kinds whose value has one standard written form (GB 11643 citizen ID, GB 32100 credit code,
# mobile number, a name without stray spaces or traditional characters): a value the hub had to
# repair on load (raw ≠ canonical) was delivered non-conforming, even though it could be saved.
STANDARD_FORM_KINDS = frozenset(
    {
        "citizen_id",
        "credit_code",
        "organization_code",
        "party_id",
        "phone",
        "person_name",
        "std_address_code",
        "unit_number",
        "grid_code",
    }
)


@dataclass(frozen=True)
class Rule:
    """One expectation on one staging table.

    ``failing`` is a SQL predicate over a staging row that is true when the row breaks the rule;
    ``expectation`` names the GX expectation class and ``kwargs`` its arguments.
    """

    name: str
    dimension: Dimension
    field: str
    failing: str
    expectation: str
    kwargs: dict = field(default_factory=dict, hash=False, compare=False)
    description: str = ""


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: list[str]) -> str:
    return ", ".join(_quote(v) for v in values)


def _allowed_values(f: Field_) -> list[str] | None:
    if f.kind == "code":
        return sorted(code_tables.table(f.params["table"]).labels)
    if f.kind == "enum":
        return [str(v) for v in f.params["allowed"]]
    return None


def field_rules(contract: Contract, f: Field_) -> list[Rule]:
    """The rules one contract field implies (required, pattern, code table, date, form, flags)."""
    rules: list[Rule] = []
    col = f.name
    if f.required:
        rules.append(
            Rule(
                f"{col}_is_filled", "completeness", col, f"{col} is null",
                "ExpectColumnValuesToNotBeNull", {"column": col},
                f"{col} is required by the contract",
            )
        )  # fmt: skip
    if f.pattern:
        rules.append(
            Rule(
                f"{col}_matches_pattern", "validity", col, f"{col} !~ {_quote(f.pattern)}",
                "ExpectColumnValuesToMatchRegex", {"column": col, "regex": f.pattern},
                f"{col} matches {f.pattern}",
            )
        )  # fmt: skip
    allowed = _allowed_values(f)
    if allowed is not None:
        source = f"code table {f.params['table']}" if f.kind == "code" else "the contract"
        rules.append(
            Rule(
                f"{col}_in_value_set", "validity", col, f"{col} not in ({_in_list(allowed)})",
                "ExpectColumnValuesToBeInSet", {"column": col, "value_set": allowed},
                f"{col} is a value of {source}",
            )
        )  # fmt: skip
    if f.kind in DATE_KINDS:
        rules.append(
            Rule(
                f"{col}_not_in_future", "validity", col, f"{col} > now()",
                "UnexpectedRowsExpectation",
                {"unexpected_rows_query": f"select * from {{batch}} where {col} > now()"},
                f"{col} is not in the future",
            )
        )  # fmt: skip
    errors = [f"{code}:{col}" for code in ERROR_CODES]
    flagged = f"flags && array[{_in_list(errors)}]::text[]"
    rules.append(
        Rule(
            f"{col}_has_no_error_flag", "validity", col, flagged,
            "UnexpectedRowsExpectation",
            {"unexpected_rows_query": f"select * from {{batch}} where {flagged}"},
            f"{col} was staged without an error flag (invalid values kept for linkage)",
        )
    )  # fmt: skip
    if f.kind in STANDARD_FORM_KINDS:
        raw = f"{col}_raw"
        repaired = f"nullif(btrim({raw}), '') is not null and {raw} is distinct from {col}::text"
        rules.append(
            Rule(
                f"{col}_delivered_in_standard_form", "validity", col, repaired,
                "ExpectColumnPairValuesToBeEqual",
                {"column_A": raw, "column_B": col, "ignore_row_if": "either_value_is_missing"},
                f"{col} arrived in its standard form (no trimming, full-width or 15→18 repair)",
            )
        )  # fmt: skip
    return rules


def contract_rules(contract: Contract) -> list[Rule]:
    """Every rule of ``staging.<extract>``: per field, then the key's uniqueness per delivery
    (for a snapshot: over the extract's current rows, which its change set may have left under
    several deliveries, hub/ingest/changes.py)."""
    rules = [r for f in contract.fields for r in field_rules(contract, f)]
    if contract.key:
        snapshot = contract.mode == "snapshot"
        cols = [*contract.key] if snapshot else ["delivery_id", *contract.key]
        within = "the current snapshot" if snapshot else "a delivery"
        rules.append(
            Rule(
                "key_is_unique_per_delivery", "uniqueness", ",".join(contract.key),
                # the row repeats a key an earlier row of the same delivery already has; the
                # scorecard numbers the rows of each (delivery, key) as key_rank
                "key_rank > 1",
                *(
                    ("ExpectCompoundColumnsToBeUnique",
                     {"column_list": cols, "ignore_row_if": "any_value_is_missing"})
                    if len(cols) > 1
                    else ("ExpectColumnValuesToBeUnique", {"column": cols[0]})
                ),
                f"({', '.join(contract.key)}) is unique within {within}",
            )
        )  # fmt: skip
    return rules
