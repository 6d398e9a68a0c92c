"""Closed vocabularies of the share service: subjects, relations, checks, error codes.

Grants files, API answers and the audit log use these codes; a code never changes meaning.
"""

from __future__ import annotations

from enum import StrEnum


class Subject(StrEnum):
    """What a department may read (主题库)."""

    PERSON = "person"  # 人口库, hub.person
    LEGAL_ENTITY = "legal_entity"  # 法人库, hub.legal_entity
    HOUSE = "house"  # 房屋库, hub.house


class Relation(StrEnum):
    """A person's relations the service can list (each needs its subject granted too)."""

    HOUSEHOLD = "household"  # members of the person's 户 (needs person)
    HOUSES = "houses"  # houses the person owns (needs house)
    ENTITIES = "entities"  # legal entities the person represents (needs legal_entity)
    EMPLOYER = "employer"  # where the person is insured as employee (needs legal_entity)


RELATION_SUBJECT = {
    Relation.HOUSEHOLD: Subject.PERSON,
    Relation.HOUSES: Subject.HOUSE,
    Relation.ENTITIES: Subject.LEGAL_ENTITY,
    Relation.EMPLOYER: Subject.LEGAL_ENTITY,
}


class Check(StrEnum):
    """One answer of a batch check (``found`` always comes with any of them)."""

    ALIVE = "alive"  # not recorded dead
    ALLOWANCE_STATUS = "allowance_status"  # 在保 / 停保 / null
    DWELLINGS_OWNED = "dwellings_owned"  # houses of planned use dwelling the person owns
    ACTIVE_ENTERPRISES = "active_enterprises_represented"  # active entities he represents
    INSURED = "insured"  # paying social insurance (hub.employment.paying)


class ErrorCode(StrEnum):
    """The ``error.code`` of a failed request (its HTTP status beside it)."""

    MISSING_KEY = "missing_key"  # 401: no API key presented
    INVALID_KEY = "invalid_key"  # 401: unknown or wrong key
    EXPIRED_KEY = "expired_key"  # 401
    REVOKED_KEY = "revoked_key"  # 401
    PURPOSE_MISSING = "purpose_missing"  # 422: no X-Purpose header
    PURPOSE_NOT_GRANTED = "purpose_not_granted"  # 403
    SUBJECT_NOT_GRANTED = "subject_not_granted"  # 403
    FIELD_NOT_GRANTED = "field_not_granted"  # 403
    RELATION_NOT_GRANTED = "relation_not_granted"  # 403
    CHECK_NOT_GRANTED = "check_not_granted"  # 403
    SEARCH_NOT_GRANTED = "search_not_granted"  # 403
    NOT_FOUND = "not_found"  # 404 (also: outside the caller's county)
    BODY_TOO_LARGE = "body_too_large"  # 413
    BATCH_TOO_LARGE = "batch_too_large"  # 413
    INVALID_REQUEST = "invalid_request"  # 422: malformed body, unknown field, bad parameter
    INVALID_IDENTIFIER = "invalid_identifier"  # 422: a malformed citizen ID / code in the path
    RATE_LIMITED = "rate_limited"  # 429
    INTERNAL = "internal"  # 500
