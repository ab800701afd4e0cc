"""The web pages' files and the API documentation: ``/static/…`` serves the shipped static
folder (:func:`maps.static_dir`: Leaflet, Leaflet-Geoman, Swagger UI, ReDoc and the pages'
own scripts), ``/api`` is Swagger UI and ``/api/redoc`` ReDoc, both from those files."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from api.problems import Problem
from api.web.render import STATIC_PREFIX, page_lang, static_url
from geo.i18n import t
from maps import static_dir

router = APIRouter(tags=["pages"], include_in_schema=False)

_STATIC = static_dir().resolve()
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/css", ".css")


@router.get(STATIC_PREFIX + "/{path:path}")
def static_file(path: str) -> FileResponse:
    """A shipped file; anything outside the static folder is not found."""
    target = (_STATIC / path).resolve()
    if not target.is_relative_to(_STATIC) or not target.is_file():
        raise Problem(404, "not_found", path=f"{STATIC_PREFIX}/{path}")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI of the OpenAPI definition, from the shipped files."""
    return get_swagger_ui_html(
        openapi_url="/api.json",
        title=t("page_api_docs_title", page_lang(request)),
        swagger_js_url=static_url("swagger-ui/swagger-ui-bundle.js"),
        swagger_css_url=static_url("swagger-ui/swagger-ui.css"),
        swagger_favicon_url=static_url("swagger-ui/favicon-32x32.png"),
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/api/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc of the OpenAPI definition, from the shipped files (no web fonts)."""
    return get_redoc_html(
        openapi_url="/api.json",
        title=t("page_api_docs_title", page_lang(request)),
        redoc_js_url=static_url("redoc/redoc.standalone.js"),
        redoc_favicon_url=static_url("swagger-ui/favicon-32x32.png"),
        with_google_fonts=False,
    )
