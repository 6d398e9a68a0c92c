"""The HTTP routes: thin — validate the identifier, ask :mod:`queries`, cut to the grant.

Every route records in the request's audit entry the identifiers asked for and how many records
it returned; the audit middleware writes the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from hub.share import queries
from hub.share.access import Caller, CallerDep
from hub.share.audit import AuditEntry
from hub.share.checks import run_batch, wanted_checks
from hub.share.errors import ShareError
from hub.share.masking import project
from hub.share.models import BatchCheckRequest, BatchCheckResponse, RelationsResponse
from hub.share.vocabulary import ErrorCode, Relation, Subject

router = APIRouter(prefix="/v1")

FieldsQuery = Annotated[
    str | None,
    Query(
        description="Comma-separated fields wanted (each must be granted); default: all granted."
    ),
]


def _standard(kind: str, value: str) -> str:
    from hub.standardize.registry import standardize_one

    outcome = standardize_one(kind, value)
    if outcome.error or not outcome.value:
        raise ShareError(
            ErrorCode.INVALID_IDENTIFIER,
            f"not a valid {kind.replace('_', ' ')}",
            detail={"value": value[:64], "error": outcome.error or "missing"},
        )
    return outcome.value


def _shape(caller: Caller, subject: Subject, record: dict, fields: str | None) -> dict[str, Any]:
    granted = caller.subject(subject)
    if fields:
        wanted = [f.strip() for f in fields.split(",") if f.strip()]
        refused = [f for f in wanted if f not in granted.fields]
        if refused:
            raise ShareError(
                ErrorCode.FIELD_NOT_GRANTED,
                f"fields not granted on {subject.value}: {', '.join(f[:64] for f in refused)}",
            )
        granted = granted.model_copy(update={"fields": tuple(wanted)})
    return project(record, granted, subject.value)


def _audit(request: Request, identifiers: list[str], returned: int) -> None:
    request.state.audit.identifiers = identifiers
    request.state.audit.records_returned = returned


def _not_found(what: str) -> ShareError:
    return ShareError(ErrorCode.NOT_FOUND, f"no {what} found (within your scope)")


@router.get("/persons/{citizen_id}", summary="A person by citizen ID")
def person(request: Request, caller: CallerDep, citizen_id: str, fields: FieldsQuery = None):
    # Served by the lookup lane (hub.share.lookup_lane) in the running service; this route
    # documents it in OpenAPI and answers identically.
    return person_answer(request.app.state, caller, request.state.audit, citizen_id, fields)


def person_answer(
    state, caller: Caller, entry: AuditEntry, citizen_id: str, fields: str | None
) -> dict[str, Any]:
    """A person by citizen ID, cut to the grant (``state``: the app's state)."""
    caller.subject(Subject.PERSON)
    entry.identifiers, entry.records_returned = [citizen_id], 0
    cid = _standard("citizen_id", citizen_id)
    with state.pool.connection() as conn:
        record = queries.person_by_citizen_id(conn, cid, caller.county)
    if record is None:
        raise _not_found("person")
    entry.records_returned = 1
    return _shape(caller, Subject.PERSON, record, fields)


@router.get(
    "/persons/{citizen_id}/relations",
    summary="A person's household, houses owned, entities represented, employer",
    response_model=RelationsResponse,
    response_model_exclude_none=True,
)
def relations(
    request: Request,
    caller: CallerDep,
    citizen_id: str,
    include: Annotated[
        list[Relation] | None, Query(description="Relations wanted; default: all granted.")
    ] = None,
):
    caller.subject(Subject.PERSON)
    wanted = list(dict.fromkeys(include or caller.grant.relations))
    refused = [r.value for r in wanted if r not in caller.grant.relations]
    if refused or not wanted:
        raise ShareError(
            ErrorCode.RELATION_NOT_GRANTED,
            f"relations not granted for {caller.purpose!r}: {', '.join(refused) or 'any'}",
        )
    _audit(request, [citizen_id], 0)
    cid = _standard("citizen_id", citizen_id)
    county = caller.county
    fetch = {
        Relation.HOUSEHOLD: (queries.household_members, Subject.PERSON),
        Relation.HOUSES: (queries.houses_owned, Subject.HOUSE),
        Relation.ENTITIES: (queries.entities_represented, Subject.LEGAL_ENTITY),
        Relation.EMPLOYER: (queries.employers, Subject.LEGAL_ENTITY),
    }
    with request.app.state.pool.connection() as conn:
        me = queries.person_by_citizen_id(conn, cid, county)
        if me is None:
            raise _not_found("person")
        answer: dict[str, Any] = {"person": _shape(caller, Subject.PERSON, me, None)}
        returned = 1
        for relation in wanted:
            query, subject = fetch[relation]
            rows = query(conn, me, county)
            answer[relation.value] = [_shape(caller, subject, r, None) for r in rows]
            returned += len(rows)
    _audit(request, [citizen_id], returned)
    return answer


@router.get("/persons", summary="Search persons by name (traditional characters, homophones)")
def search(
    request: Request,
    caller: CallerDep,
    name: Annotated[str, Query(min_length=1, max_length=64)],
    birth_date: dt.date | None = None,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    fields: FieldsQuery = None,
):
    from hub.standardize.registry import standardize_one

    granted = caller.subject(Subject.PERSON)
    if not granted.search:
        raise ShareError(
            ErrorCode.SEARCH_NOT_GRANTED, f"search is not granted for {caller.purpose!r}"
        )
    _audit(request, [name], 0)
    if caller.county and county and county != caller.county:
        raise _not_found("person")
    outcome = standardize_one("person_name", name)
    if not outcome.value:
        raise ShareError(ErrorCode.INVALID_REQUEST, "name is empty after normalization")
    with request.app.state.pool.connection() as conn:
        rows = queries.search_persons(
            conn,
            name_key=outcome.value,
            phonetic_key=outcome.extra.get("phonetic_key"),
            birth_date=birth_date,
            county=caller.county or county,
            limit=request.app.state.share_settings.search_limit,
        )
    _audit(request, [name], len(rows))
    results = [
        {**_shape(caller, Subject.PERSON, r, fields), "match": "name" if r["exact"] else "phonetic"}
        for r in rows
    ]
    return {
        "query": {"name": outcome.value, "birth_date": birth_date, "county": county},
        "results": results,
    }


@router.get("/legal-entities/{code}", summary="A legal entity by credit code or organization code")
def legal_entity(request: Request, caller: CallerDep, code: str, fields: FieldsQuery = None):
    caller.subject(Subject.LEGAL_ENTITY)
    _audit(request, [code], 0)
    kind = "credit_code" if len(code.strip()) == 18 else "organization_code"
    canonical = _standard(kind, code)
    with request.app.state.pool.connection() as conn:
        record = queries.entity_by_code(conn, canonical, caller.county)
    if record is None:
        raise _not_found("legal entity")
    _audit(request, [code], 1)
    return _shape(caller, Subject.LEGAL_ENTITY, record, fields)


@router.get("/houses/{unit_number}", summary="A house by unit number (不动产单元号)")
def house(request: Request, caller: CallerDep, unit_number: str, fields: FieldsQuery = None):
    caller.subject(Subject.HOUSE)
    _audit(request, [unit_number], 0)
    canonical = _standard("unit_number", unit_number)
    with request.app.state.pool.connection() as conn:
        record = queries.house_by_unit(conn, canonical, caller.county)
    if record is None:
        raise _not_found("house")
    _audit(request, [unit_number], 1)
    return _shape(caller, Subject.HOUSE, record, fields)


@router.post(
    "/checks",
    summary="Batch checks: up to 10,000 citizen IDs, per ID the granted answers",
    response_model=BatchCheckResponse,
)
def batch_checks(request: Request, caller: CallerDep, body: BatchCheckRequest):
    checks = wanted_checks(caller, body.checks)
    limit = request.app.state.share_settings.max_batch
    _audit(request, body.citizen_ids[:limit], 0)
    if len(body.citizen_ids) > limit:
        raise ShareError(
            ErrorCode.BATCH_TOO_LARGE,
            f"{len(body.citizen_ids):,} citizen IDs; at most {limit:,} per batch",
        )
    with request.app.state.pool.connection() as conn:
        results = run_batch(conn, caller, body.citizen_ids, checks)
    _audit(request, body.citizen_ids, sum(1 for r in results if r.get("found")))
    return JSONResponse(
        {"purpose": caller.purpose, "checks": [c.value for c in checks], "results": results}
    )
