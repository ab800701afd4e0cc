"""RFC 9457 problem details: the one error type of the routes and the one handler for all.

Routes raise :class:`Problem` (never ``HTTPException``); sijie's typed errors, request
validation errors, unknown paths and methods, upload refusals and anything unexpected all
leave the service as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance``, in the language the client asked for.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.ogc_paths import is_ogc_path
from geo.errors import InputError, SijieError
from geo.i18n import N_, Lang, lang_from_header, t

__all__ = ["PROBLEM_JSON", "Problem", "add_problem_handlers", "problem_response"]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# the title of a problem, by its HTTP status
_TITLES = {
    400: N_("title_400"), 401: N_("title_401"), 403: N_("title_403"), 404: N_("title_404"),
    405: N_("title_405"), 406: N_("title_406"), 409: N_("title_409"), 412: N_("title_412"),
    413: N_("title_413"), 415: N_("title_415"), 422: N_("title_422"), 428: N_("title_428"),
    503: N_("title_503"),
    500: N_("title_500"),
}


class Problem(Exception):
    """An error a client can act on: an HTTP status, a message key and its values."""

    def __init__(
        self, status: int, code: str, /, *, headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None, **values: Any
    ) -> None:
        self.status = status
        self.code = code
        self.values = values
        self.headers = headers or {}
        self.body = body or {}  # members the problem document carries besides the standard
        super().__init__(f"{status} {code} {values}")

    def detail(self, lang: Lang) -> str:
        return t(self.code, lang, **self.values)


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response for ``request``."""
    lang = lang_from_header(request.headers.get("accept-language"))
    title = t(_TITLES.get(status, _TITLES[400 if status < 500 else 500]), lang)
    body = {
        "type": f"urn:sijie:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **extra,
    }
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={**(headers or {}), "Content-Language": lang.value},
    )


def _lang(request: Request) -> Lang:
    return lang_from_header(request.headers.get("accept-language"))


def _validation_errors(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")))
    return "; ".join(parts)


def add_problem_handlers(app: FastAPI) -> None:
    """Install the handlers that turn every error into problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            request, exc.status, exc.code, exc.detail(_lang(request)), exc.headers, **exc.body
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = _lang(request)
        if is_ogc_path(request.url.path):
            # OGC API Features: an invalid parameter is 400, an id that cannot exist 404
            places = {str(e.get("loc", ("",))[0]) for e in exc.errors()}
            if places == {"path"}:
                return problem_response(request, 404, "not_found",
                                        t("not_found", lang, path=request.url.path))
            if places <= {"query", "path"}:
                detail = t("request_invalid", lang, errors=_validation_errors(exc))
                return problem_response(request, 400, "parameter_invalid_value", detail)
        detail = t("request_invalid", lang, errors=_validation_errors(exc))
        return problem_response(request, 422, "request_invalid", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = _lang(request)
        if exc.status_code == 404:
            code, detail = "not_found", t("not_found", lang, path=request.url.path)
        elif exc.status_code == 405:
            code, detail = (
                "method_not_allowed",
                t("method_not_allowed", lang, path=request.url.path, method=request.method),
            )
        else:
            code, detail = "http_error", str(exc.detail)
        return problem_response(request, exc.status_code, code, detail, dict(exc.headers or {}))

    @app.exception_handler(SijieError)
    async def _sijie(request: Request, exc: SijieError) -> JSONResponse:
        # an upload refusal knows its own status (400/413/415/422); other input errors are 422
        status = int(getattr(exc, "status", 422 if isinstance(exc, InputError) else 400))
        code = str(getattr(exc, "code", "input_error"))
        return problem_response(
            request, status, code, t("input_error", _lang(request), detail=exc)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(request, 500, "internal", t("internal", _lang(request)))
