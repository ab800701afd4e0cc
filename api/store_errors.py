"""What a client is told when the store fails under it: never a 500.

The database unreachable, a connection cut mid-request (a server restart, an administrator
ending it), no pooled connection free in time, or the GeoPackage's writer lock not had in
time: 503 with ``Retry-After``, the request having changed nothing (its transaction is rolled
back). A value the database refuses to hold: 422.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.problems import problem_response
from geo.i18n import N_, lang_from_header, t

__all__ = ["RETRY_AFTER_SECONDS", "add_store_handlers", "store_error_response",
           "store_unavailable"]

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
_BUSY_WORDS = ("database is locked", "database table is locked", "busy")


def store_unavailable(exc: BaseException) -> str | None:
    """``"db_busy"`` or ``"db_unavailable"`` when ``exc`` says the store cannot serve now;
    ``None`` for any other error."""
    if isinstance(exc, PoolTimeout):
        return N_("db_busy")
    if isinstance(exc, OperationalError | InterfaceError | PendingRollbackError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        text = str(getattr(exc, "orig", None) or exc).lower()
        busy = any(word in text for word in _BUSY_WORDS)
        return N_("db_busy") if busy else N_("db_unavailable")
    return None


def _respond(request: Request, status: int, code: str, headers: dict[str, str] | None = None
             ) -> JSONResponse:
    lang = lang_from_header(request.headers.get("accept-language"))
    return problem_response(request, status, code, t(code, lang), headers)


async def store_error_response(request: Request, exc: Exception) -> JSONResponse:
    """The answer to a store failure: 503 with Retry-After when the store cannot serve now,
    422 for a value it refuses, 500 (logged) for anything else."""
    code = store_unavailable(exc)
    if code is None:
        if isinstance(exc, DataError):
            return _respond(request, 422, N_("value_refused"))
        log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return _respond(request, 500, N_("internal"))
    log.warning("%s on %s %s: %s", code, request.method, request.url.path,
                str(exc).splitlines()[0][:200], exc_info=exc)
    return _respond(request, 503, code, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def add_store_handlers(app: FastAPI) -> None:
    """Install the handlers turning store failures into 503 (or 422 for refused values)."""
    for kind in (DBAPIError, PoolTimeout, PendingRollbackError):
        app.add_exception_handler(kind, store_error_response)
