"""Errors as clear JSON: ``{"error": {"code", "message", "detail"}}`` with a proper status.

Routes raise :class:`ShareError`; the handlers here turn it, FastAPI's validation errors and
anything unexpected into that one shape, and note the code for the audit log.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.share.vocabulary import ErrorCode

log = logging.getLogger(__name__)

STATUS = {
    ErrorCode.MISSING_KEY: 401,
    ErrorCode.INVALID_KEY: 401,
    ErrorCode.EXPIRED_KEY: 401,
    ErrorCode.REVOKED_KEY: 401,
    ErrorCode.PURPOSE_MISSING: 422,
    ErrorCode.PURPOSE_NOT_GRANTED: 403,
    ErrorCode.SUBJECT_NOT_GRANTED: 403,
    ErrorCode.FIELD_NOT_GRANTED: 403,
    ErrorCode.RELATION_NOT_GRANTED: 403,
    ErrorCode.CHECK_NOT_GRANTED: 403,
    ErrorCode.SEARCH_NOT_GRANTED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.BODY_TOO_LARGE: 413,
    ErrorCode.BATCH_TOO_LARGE: 413,
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.INVALID_IDENTIFIER: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
}


class ShareError(Exception):
    """A request the service refuses, with the code the caller can act on."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers


def error_response(
    request: Request,
    code: ErrorCode,
    message: str,
    detail: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request.state.error_code = code.value
    return JSONResponse(
        error_body(code, message, detail), status_code=STATUS[code], headers=headers
    )


def error_body(code: ErrorCode, message: str, detail: Any = None) -> dict[str, Any]:
    """The one shape of every error answer."""
    body: dict[str, Any] = {"code": code.value, "message": message}
    if detail is not None:
        body["detail"] = detail
    return {"error": body}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShareError)
    async def _share(request: Request, exc: ShareError) -> JSONResponse:
        return error_response(request, exc.code, exc.message, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        return error_response(request, ErrorCode.INVALID_REQUEST, "malformed request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: ErrorCode.NOT_FOUND, 413: ErrorCode.BODY_TOO_LARGE}.get(
            exc.status_code, ErrorCode.INVALID_REQUEST
        )
        request.state.error_code = code.value
        return JSONResponse(
            {"error": {"code": code.value, "message": str(exc.detail)}},
            status_code=exc.status_code,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected failure on %s", request.url.path)
        return error_response(request, ErrorCode.INTERNAL, "internal error")
