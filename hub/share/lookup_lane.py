"""The lookup lane: ``GET /v1/persons/{citizen_id}`` answered without FastAPI's per-request work.

The single-person lookup is the request departments send hundreds of times a second. Through
FastAPI each one cost about twice the CPU of the lookup itself: dependency solving, two hops
through the thread pool (the key dependency and the route each run in a worker thread), response
encoding through ``jsonable_encoder``. Here the same plain functions — :func:`identify`,
:func:`person_answer`, the error shapes of :mod:`hub.share.errors` — run in one worker thread
and the answer is encoded once. The FastAPI route stays: it documents the endpoint in OpenAPI and
answers identically where this lane is not installed (``HUB_SHARE_LOOKUP_LANE=false``). The
audit middleware, outside both, writes the row of every request alike.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread

from hub.share.access import identify, presented_key
from hub.share.errors import STATUS, ShareError, error_body
from hub.share.routes import person_answer
from hub.share.vocabulary import ErrorCode

log = logging.getLogger(__name__)

ENDPOINT = "/v1/persons/{citizen_id}"
_PATH = re.compile(r"/v1/persons/([^/]+)")
_HEADERS = (b"x-api-key", b"x-purpose", b"authorization")


class LookupLane:
    """Pure ASGI: serves the person lookup itself, passes every other request on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        match = None
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            root = scope.get("root_path", "")
            match = _PATH.fullmatch(path[len(root) :] if root and path.startswith(root) else path)
        if match is None:
            await self.app(scope, receive, send)
            return
        request_state = scope["state"]  # the audit middleware's: the entry, the error code
        entry = request_state["audit"]
        entry.endpoint = ENDPOINT
        headers: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _HEADERS and name not in headers:  # the first, as Starlette reads them
                headers[name] = value.decode("latin-1")
        fields = None
        for name, value in parse_qsl(scope["query_string"].decode("latin-1"), True):
            if name == "fields":
                fields = value  # the last, as Starlette reads a single-valued parameter
        status, body, extra = await anyio.to_thread.run_sync(
            _answer, scope["app"].state, request_state, match.group(1), headers, fields
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *extra,
                    (b"content-length", b"%d" % len(body)),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _answer(
    state, request_state: dict, citizen_id: str, headers: dict[bytes, str], fields: str | None
) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Status, JSON body and extra headers of one lookup (in a worker thread)."""
    entry = request_state["audit"]
    try:
        presented = presented_key(headers.get(b"x-api-key"), headers.get(b"authorization"))
        caller = identify(state, entry, presented, headers.get(b"x-purpose"))
        return 200, _json(person_answer(state, caller, entry, citizen_id, fields)), []
    except ShareError as exc:
        request_state["error_code"] = exc.code.value
        extra = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in (exc.headers or {}).items()
        ]
        return STATUS[exc.code], _json(error_body(exc.code, exc.message, exc.detail)), extra
    except Exception:
        log.exception("unexpected failure on %s", ENDPOINT)
        request_state["error_code"] = ErrorCode.INTERNAL.value
        body = error_body(ErrorCode.INTERNAL, "internal error")
        return STATUS[ErrorCode.INTERNAL], _json(body), []


def _json(content: Any) -> bytes:
    """As FastAPI encodes a returned dict (``jsonable_encoder``, then Starlette's JSONResponse)."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain
    ).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
