"""Who is asking and what they may see: API key → department → the grant for the declared purpose.

:func:`caller` is the FastAPI dependency every data route takes. It fills the request's audit
entry as it learns (key id, department, purpose), so a refused request is logged with whatever
was known, and raises :class:`ShareError` with 401 / 403 / 422 / 429 as the case is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

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


def _presented_key(request: Request, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="The department's API key.")] = None,
    x_purpose: Annotated[
        str | None, Header(description="Declared purpose of this request (a granted code).")
    ] = None,
) -> Caller:
    state = request.app.state
    entry = request.state.audit
    with state.pool.connection() as conn:
        try:
            holder = verify_key(conn, _presented_key(request, x_api_key))
        except KeyRejected as exc:
            entry.key_id = exc.key_id
            raise ShareError(exc.code, _KEY_MESSAGES[exc.code]) from None
    entry.key_id, entry.department = holder.key_id, holder.department
    entry.purpose = x_purpose
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
    if not x_purpose:
        raise ShareError(ErrorCode.PURPOSE_MISSING, "declare the purpose in the X-Purpose header")
    grant = department.grant_for(x_purpose)
    if grant is None or (holder.purposes and x_purpose not in holder.purposes):
        raise ShareError(
            ErrorCode.PURPOSE_NOT_GRANTED,
            f"purpose {x_purpose!r} is not granted to this key",
            detail={
                "granted": [
                    p for p in department.purposes if not holder.purposes or p in holder.purposes
                ]
            },
        )
    return Caller(holder.key_id, holder.department, department, x_purpose, grant)


CallerDep = Annotated[Caller, Depends(caller)]

_KEY_MESSAGES = {
    ErrorCode.MISSING_KEY: "no API key: send it in the X-API-Key header",
    ErrorCode.INVALID_KEY: "unknown API key",
    ErrorCode.EXPIRED_KEY: "this API key has expired",
    ErrorCode.REVOKED_KEY: "this API key has been revoked",
}
