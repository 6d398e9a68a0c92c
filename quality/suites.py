"""Great Expectations suites: one per staging table (from its contract) and one per subject library.

Staging suites are generated from :func:`quality.rules.contract_rules`, never hand-written; the
subject-library (主题库) suites are hand-written because what a golden record must satisfy —
one person per citizen ID, relationships that point at existing records, fresh data — is the
hub's promise, not a department's contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations.expectations as gxe

from data_contracts.model import Contract
from quality.rules import contract_rules

# Days after which the newest loaded delivery makes the libraries stale (freshness).
FRESHNESS_DAYS = 35
# 18-character citizen ID (GB 11643): 17 digits and a digit or X.
CITIZEN_ID_PATTERN = r"^[0-9]{17}[0-9X]$"
ACTIVE_STATUSES = ["存续", "在业"]
ENTITY_STATUSES = ["存续", "在业", "吊销", "注销", "迁出"]


@dataclass(frozen=True)
class Suite:
    """A suite's expectations and the table they run on (schema, table).

    Kept as a plain list: a GX ``ExpectationSuite`` can only be assembled once a data context
    exists, which :func:`quality.validation.run_suites` creates.
    """

    schema: str
    table: str
    expectations: list[gxe.Expectation]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def _expectation(class_name: str, kwargs: dict, description: str, rule: str):
    cls = getattr(gxe, class_name)
    return cls(**kwargs, description=description, meta={"rule": rule})


def staging_suite(contract: Contract) -> Suite:
    """The contract's rules as expectations on ``staging.<extract>``."""
    expectations = [
        _expectation(rule.expectation, rule.kwargs, rule.description, rule.name)
        for rule in contract_rules(contract)
    ]
    return Suite("staging", contract.extract, expectations)


def _orphans(column: str, parent: str, parent_column: str = "master_id") -> gxe.Expectation:
    """Referential integrity: every non-null ``column`` exists in ``parent``."""
    query = (
        # GX aliases {batch} itself; the bare column resolves to the batch's row
        f"select * from {{batch}} where {column} is not null and not exists "
        f"(select 1 from {parent} as p where p.{parent_column} = {column})"
    )
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=query,
        description=f"{column} points at an existing {parent}",
        meta={"rule": f"{column}_references_{parent.split('.')[-1]}"},
    )


def _rows(query: str, description: str, rule: str) -> gxe.Expectation:
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=query, description=description, meta={"rule": rule}
    )


def _unique(column: str, what: str) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta={"rule": f"{column}_is_filled"}),
        gxe.ExpectColumnValuesToBeUnique(
            column=column,
            description=f"one {what} per {column}",
            meta={"rule": f"{column}_is_unique"},
        ),
    ]


def mart_expectations() -> dict[str, list[gxe.Expectation]]:
    """The subject libraries' hand-written expectations, by table of schema ``hub``."""
    fresh = (
        "select * from {batch} where master_id = (select min(master_id) from hub.person) and "
        "(select max(received_at) from staging.delivery where status = 'loaded') "
        f"< now() - interval '{FRESHNESS_DAYS} days'"
    )
    return {
        "person": [
            *_unique("master_id", "golden person"),
            gxe.ExpectColumnValuesToBeUnique(
                column="citizen_id",
                description="one person per valid citizen ID",
                meta={"rule": "one_person_per_citizen_id"},
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column="citizen_id", regex=CITIZEN_ID_PATTERN, meta={"rule": "citizen_id_format"}
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="allowance_status",
                value_set=["在保", "停保"],
                meta={"rule": "allowance_status_accepted"},
            ),  # fmt: skip
            gxe.ExpectColumnValuesToBeInSet(
                column="sex", value_set=["0", "1", "2", "9"], meta={"rule": "sex_accepted"}
            ),
            _rows(
                "select * from {batch} where alive and death_date is not null",
                "a person with a death date is not alive",
                "alive_agrees_with_death_date",
            ),
            _rows(
                "select * from {batch} where birth_date > current_date",
                "no birth date in the future",
                "birth_date_not_in_future",
            ),
            _rows(fresh, f"a delivery loaded within {FRESHNESS_DAYS} days", "libraries_fresh"),
        ],
        "legal_entity": [
            *_unique("master_id", "golden legal entity"),
            gxe.ExpectColumnValuesToBeUnique(
                column="credit_code",
                description="one legal entity per credit code",
                meta={"rule": "one_entity_per_credit_code"},
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="status", value_set=ENTITY_STATUSES, meta={"rule": "status_accepted"}
            ),
            _rows(
                "select * from {batch} where active is distinct from "
                f"(status in ('{ACTIVE_STATUSES[0]}', '{ACTIVE_STATUSES[1]}'))",
                "active means 存续 or 在业",
                "active_agrees_with_status",
            ),
            _orphans("legal_rep_master_id", "hub.person"),
        ],
        "house": [*_unique("master_id", "house")],
        "place": [
            *_unique("master_id", "place"),
            gxe.ExpectColumnValuesToBeUnique(
                column="std_address_code", meta={"rule": "std_address_code_is_unique"}
            ),
        ],
        "house_owner": [
            _orphans("house_master_id", "hub.house"),
            _rows(
                "select * from {batch} where owner_master_id is not null and not exists ("
                "select 1 from hub.person as p where owner_subject = 'person' and "
                "p.master_id = owner_master_id union all select 1 from hub.legal_entity as e "
                "where owner_subject = 'legal_entity' and e.master_id = owner_master_id)",
                "owner_master_id points at an existing person or legal entity",
                "owner_master_id_references_owner",
            ),
        ],
        "employment": [
            _orphans("person_master_id", "hub.person"),
            _orphans("entity_master_id", "hub.legal_entity"),
        ],
        "legal_representative": [
            _orphans("person_master_id", "hub.person"),
            _orphans("entity_master_id", "hub.legal_entity"),
        ],
        "household_membership": [_orphans("person_master_id", "hub.person")],
        "marriage": [
            _orphans("husband_master_id", "hub.person"),
            _orphans("wife_master_id", "hub.person"),
        ],
        "xref": [
            gxe.ExpectColumnValuesToBeInSet(
                column="subject",
                value_set=["person", "legal_entity", "house", "place"],
                meta={"rule": "subject_accepted"},
            ),  # fmt: skip
            _rows(
                "select * from {batch} where master_id is null and method <> 'unlinked'",
                "every mention is linked or explicitly unlinked",
                "mention_linked_or_unlinked",
            ),
        ],
    }


def mart_suites() -> list[Suite]:
    return [Suite("hub", table, found) for table, found in mart_expectations().items()]


def all_suites(contracts: dict[str, Contract]) -> list[Suite]:
    """Staging suites for every contract, then the subject-library suites."""
    return [*(staging_suite(c) for c in contracts.values()), *mart_suites()]
