"""API errors: raised where the problem is found, turned into HTTP responses here only.

Every error response is JSON ``{"code": ..., "description": ...}`` (the OGC API
exception shape) with a message that says what was wrong with the request. Unexpected
exceptions become a 500 without details; request bodies, tokens and personal data are
never logged.
"""

from __future__ import annotations

import logging

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from citymodel.errors import CitymodelError

log = logging.getLogger("citymodel.api")


class ApiError(Exception):
    status = 400
    code = "InvalidParameterValue"

    def __init__(self, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.headers = headers


class BadRequest(ApiError):
    pass


class NotFound(ApiError):
    status = 404
    code = "NotFound"


class Unauthorized(ApiError):
    status = 401
    code = "Unauthorized"

    def __init__(self, description: str) -> None:
        super().__init__(description, headers={"WWW-Authenticate": 'Bearer realm="citymodel"'})


class Forbidden(ApiError):
    status = 403
    code = "Forbidden"


class Unprocessable(ApiError):
    status = 422
    code = "InvalidValue"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PayloadTooLarge"


def problem(status: int, code: str, description: str, headers=None) -> JSONResponse:
    return JSONResponse({"code": code, "description": description}, status_code=status,
                        headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return problem(exc.status, exc.code, exc.description, exc.headers)

    @app.exception_handler(CitymodelError)
    async def domain_error(request: Request, exc: CitymodelError):
        return problem(400, "InvalidParameterValue", str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for error in exc.errors():
            # the body's GeoJSON type tags which model was tried: not a field, left out
            where = ".".join(str(p) for p in error["loc"]
                             if p not in ("query", "path", "body", "Feature", "FeatureCollection"))
            problems.append(f"{where or 'request'}: {error['msg']}")
        status = 422 if any(e["loc"][:1] == ("body",) for e in exc.errors()) else 400
        return problem(status, "InvalidParameterValue", "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HttpError")
        return problem(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(psycopg.errors.UniqueViolation)
    async def conflict(request: Request, exc: psycopg.errors.UniqueViolation):
        # "Key (registration_number)=(…) already exists": keys, never holders' names
        detail = exc.diag.message_detail or "a record with the same key exists"
        return problem(409, "Conflict", detail)

    @app.exception_handler(psycopg.DataError)
    async def data_error(request: Request, exc: psycopg.DataError):
        # a value from the request that PostgreSQL cannot take (NUL bytes, out of range …)
        message = exc.diag.message_primary or "a value of the request is not valid"
        return problem(400, "InvalidParameterValue", f"the request's values do not fit: {message}")

    @app.exception_handler(psycopg.OperationalError)
    async def unavailable(request: Request, exc: psycopg.OperationalError):
        # a database failure that got past api.db's own handling: still the database's
        return problem(503, "ServiceUnavailable", "the database is unavailable; try again shortly",
                       {"Retry-After": "2"})


class Unexpected:
    """The last resort: an exception no handler took becomes a 500 without details, and
    the connection stays open for the client's next request (answered here, not re-raised
    to the server, which would drop a keep-alive connection without a word). Only the
    path is logged: query strings may carry tokens, bodies personal data."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            log.error("unexpected error on %s %s: %s", scope.get("method"), scope.get("path"),
                      type(exc).__name__)
            if started:  # half a response is out: nothing honest is left but to close
                raise
            response = problem(500, "ServerError", "the server failed to answer this request")
            await response(scope, receive, send)
