"""One JSON shape for every error: {"error": {"status", "code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from callkpi.errors import (
    AccessDeniedError,
    CallkpiError,
    DataImportError,
    QueryTimeoutError,
    StoreError,
    UnknownNameError,
)

log = logging.getLogger("callkpi.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error a route raises on purpose, with its status and a message for the user."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.details = details
        self.headers = headers


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "status": status,
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": details,
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _status_of(exc: CallkpiError) -> int:
    if isinstance(exc, AccessDeniedError):
        return 403
    if isinstance(exc, QueryTimeoutError | StoreError):
        return 503
    if isinstance(exc, DataImportError):
        return 422
    return 400


def install(app: FastAPI) -> None:
    """Route every kind of failure to the one error shape."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.code, exc.details, exc.headers)

    @app.exception_handler(CallkpiError)
    async def _callkpi_error(request: Request, exc: CallkpiError) -> JSONResponse:
        details = None
        if isinstance(exc, UnknownNameError):
            details = {"kind": exc.kind, "name": exc.name, "suggestions": exc.suggestions}
        elif isinstance(exc, DataImportError) and exc.report is not None:
            from callkpi.api.schemas import report_body

            details = report_body(exc.report)
        return error_response(_status_of(exc), str(exc), details=details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "where": ".".join(str(part) for part in error.get("loc", ())),
                "message": error.get("msg", ""),
            }
            for error in exc.errors()
        ]
        first = problems[0] if problems else {"where": "", "message": "invalid input"}
        message = f"{first['where']}: {first['message']}" if first["where"] else first["message"]
        return error_response(422, message, details=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.url.path}; the routes are in /api/v1/docs"
        elif exc.status_code == 405:
            message = f"{request.url.path} does not take {request.method}"
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")
