"""Who is asking and what they may see: API key → department → the grant for the declared purpose.

:func:`identify` does it; :func:`caller`, the FastAPI dependency every data route takes, and the
lookup lane (:mod:`hub.share.lookup_lane`) call it. It fills the request's audit entry as it
learns (key id, department, purpose), so a refused request is logged with whatever was known,
and raises :class:`ShareError` with 401 / 403 / 422 / 429 as the case is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from hub.share.audit import AuditEntry
from hub.share.errors import ShareError
from hub.share.grants import Department, Grant, SubjectGrant
from hub.share.keys import KeyRejected, verify_key
from hub.share.vocabulary import ErrorCode, Subject


@dataclass(frozen=True)
class Caller:
    key_id: str
    department_code: str
    department: Department
    purpose: str
    grant: Grant

    @property
    def county(self) -> str | None:
        return self.department.county

    def subject(self, subject: Subject) -> SubjectGrant:
        granted = self.grant.subject(subject)
        if granted is None:
            raise ShareError(
                ErrorCode.SUBJECT_NOT_GRANTED,
                f"subject {subject.value!r} is not granted for purpose {self.purpose!r}",
            )
        return granted


def presented_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """The key from ``X-API-Key``, else from ``Authorization: Bearer …``."""
    if x_api_key:
        return x_api_key
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def identify(state, entry: AuditEntry, presented: str | None, purpose: str | None) -> Caller:
    """The caller behind a presented key and declared purpose (``state``: the app's state).

    Plain, so that the FastAPI dependency below and the lookup lane
    (:mod:`hub.share.lookup_lane`) refuse and log exactly alike.
    """
    with state.pool.connection() as conn:
        try:
            holder = verify_key(conn, presented)
        except KeyRejected as exc:
            entry.key_id = exc.key_id
            raise ShareError(exc.code, _KEY_MESSAGES[exc.code]) from None
    entry.key_id, entry.department = holder.key_id, holder.department
    entry.purpose = purpose
    department = state.grants.departments.get(holder.department)
    if department is None:
        raise ShareError(
            ErrorCode.PURPOSE_NOT_GRANTED, f"department {holder.department!r} holds no grants"
        )
    limit = department.rate_limit
    wait = state.limiter.take(holder.department, limit and (limit.per_second, limit.burst))
    if wait:
        raise ShareError(
            ErrorCode.RATE_LIMITED,
            "rate limit exceeded for this department",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
    if not purpose:
        raise ShareError(ErrorCode.PURPOSE_MISSING, "declare the purpose in the X-Purpose header")
    grant = department.grant_for(purpose)
    if grant is None or (holder.purposes and purpose not in holder.purposes):
        raise ShareError(
            ErrorCode.PURPOSE_NOT_GRANTED,
            f"purpose {purpose!r} is not granted to this key",
            detail={
                "granted": [
                    p for p in department.purposes if not holder.purposes or p in holder.purposes
                ]
            },
        )
    return Caller(holder.key_id, holder.department, department, purpose, grant)


def caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="The department's API key.")] = None,
    x_purpose: Annotated[
        str | None, Header(description="Declared purpose of this request (a granted code).")
    ] = None,
) -> Caller:
    presented = presented_key(x_api_key, request.headers.get("authorization"))
    return identify(request.app.state, request.state.audit, presented, x_purpose)


CallerDep = Annotated[Caller, Depends(caller)]

_KEY_MESSAGES = {
    ErrorCode.MISSING_KEY: "no API key: send it in the X-API-Key header",
    ErrorCode.INVALID_KEY: "unknown API key",
    ErrorCode.EXPIRED_KEY: "this API key has expired",
    ErrorCode.REVOKED_KEY: "this API key has been revoked",
}
