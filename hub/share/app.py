"""The FastAPI application of the share service, and the middleware every request goes through.

:class:`AuditMiddleware` (outermost) refuses oversized bodies (413) and writes one
``audit.request_log`` row per request *before* the response leaves: if the row cannot be
written the caller gets 503, never an unlogged answer.
"""

from __future__ import annotations

import gc
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException

from hub.share.audit import AuditEntry
from hub.share.audit_writer import AuditWriter
from hub.share.database import Pool, service_conninfo
from hub.share.errors import install_error_handlers
from hub.share.grants import check_fields, load_grants
from hub.share.lookup_lane import LookupLane
from hub.share.ratelimit import RateLimiter
from hub.share.routes import router
from hub.share.serving import serving_columns
from hub.share.settings import ShareSettings, get_share_settings
from hub.share.vocabulary import ErrorCode


class AuditMiddleware:
    """Body size limit + the audit row of every HTTP request (pure ASGI: cheap per request)."""

    def __init__(self, app, max_body_bytes: int):
        self.app = app
        self.max_body = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client = scope.get("client")
        entry = AuditEntry(
            method=scope["method"], endpoint=scope["path"], client=client and client[0]
        )
        state = scope.setdefault("state", {})
        state["audit"] = entry
        writer: AuditWriter = scope["app"].state.audit_writer

        async def log(status: int) -> bool:
            route = scope.get("route")
            if route is not None and hasattr(route, "path"):
                entry.endpoint = route.path
            duration = (time.perf_counter() - started) * 1000
            # The answer must not leave unlogged: False here turns it into a 503.
            return await writer.write(entry, status, state.get("error_code"), duration)

        async def guarded_send(message):
            if message["type"] == "http.response.start" and not await log(message["status"]):
                await _send_error(send, 503, "audit_unavailable", "audit log unavailable")
                state["dropped"] = True
                return
            if state.get("dropped"):
                return
            await send(message)

        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            state["error_code"] = ErrorCode.BODY_TOO_LARGE.value
            await _send_error(
                guarded_send, 413, "body_too_large", f"body over {self.max_body:,} bytes"
            )
            return

        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                # FastAPI re-raises HTTPException from body parsing (anything else becomes 400).
                raise HTTPException(413, f"body over {self.max_body:,} bytes")
            return message

        await self.app(scope, limited_receive, guarded_send)


async def _send_error(send, status: int, code: str, message: str) -> None:
    import json

    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(owner_url: str, settings: ShareSettings | None = None) -> FastAPI:
    """The service on the database at ``owner_url``, connecting as the service role.

    ``hub serve`` has already run :func:`hub.share.database.ensure_share_database` and refreshed
    the serving tables; here the grants are loaded and checked against those tables.
    """
    settings = settings or get_share_settings()
    grants_path = Path(settings.grants_file)
    grants = load_grants(grants_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _settle_heap()
        yield
        app.state.audit_writer.close()
        app.state.pool.close()

    app = FastAPI(
        title="The hub — share service",
        version="1",
        description=(
            "Departments query the subject libraries: lookups, name search, relations and "
            "batch checks, cut to each department's grants and logged in the audit trail. "
            "Send the API key in `X-API-Key` and the purpose in `X-Purpose`."
        ),
        lifespan=lifespan,
    )
    app.state.share_settings = settings
    app.state.grants = grants
    conninfo = service_conninfo(owner_url, settings)
    app.state.pool = Pool(conninfo, settings.pool_size)
    app.state.audit_writer = AuditWriter(conninfo)
    app.state.limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
    with app.state.pool.connection() as conn:
        check_fields(grants, serving_columns(conn), grants_path)
    install_error_handlers(app)
    app.include_router(router)

    @app.get("/healthz", summary="Liveness (no key needed; still audited)")
    def healthz() -> dict:
        return {"status": "ok"}

    if settings.lookup_lane:
        app.add_middleware(LookupLane)  # inside the audit middleware (added last: outermost)
    app.add_middleware(AuditMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


def _settle_heap() -> None:
    """Load what the first requests would, then move everything alive to the permanent generation.

    The service process holds a few hundred thousand long-lived objects (FastAPI, pydantic,
    pandas, the standardizer's tables). Left to the collector, each full collection walks all
    of them — pauses of 160–200 ms, six in half a minute at 200 lookups/s (measured with
    ``gc.callbacks``) — although none of them ever becomes garbage. After :func:`gc.freeze` a full collection
    walks only what the requests allocate.
    """
    from hub.standardize.registry import standardize_one

    standardize_one("citizen_id", "420502198001011234")
    standardize_one("person_name", "刘伟")
    gc.collect()
    gc.freeze()


def app_from_environment() -> FastAPI:
    """The uvicorn factory of ``hub serve``: the database and settings from the environment."""
    from hub.database.connection import database_url, to_libpq

    return create_app(to_libpq(database_url()))
