"""The web pages: ``/static/…`` serves the shipped static folder (:func:`maps.static_dir`:
Leaflet, Leaflet-Geoman, Swagger UI, ReDoc and the pages' own scripts); ``/api`` is Swagger UI
and ``/api/redoc`` ReDoc, both from those files; ``/login`` and ``/workspace…`` are the staff
workspace (its scripts sign in with a bearer token and use the JSON API)."""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from api.auth import EDITORS
from api.deps import SessionDep
from api.problems import Problem
from api.routes.common import MAX_ID, Id
from api.services.towns import first_town, get_town
from api.web.messages import SCRIPT_MESSAGES
from api.web.render import STATIC_PREFIX, page, page_lang, static_url
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


def _script_messages(request: Request) -> dict[str, str]:
    lang = page_lang(request)
    return {key: t(key, lang) for key in SCRIPT_MESSAGES}


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    """Sign in to the workspace (the token is kept by the browser for this tab)."""
    return page(request, "workspace/login.html", messages=_script_messages(request))


@router.get("/workspace")
def dashboard_page(request: Request, session: SessionDep) -> HTMLResponse:
    """The town dashboard: every community on the map coloured by state, and their table."""
    town = first_town(session)
    return page(request, "workspace/dashboard.html", town_id=town.id, town_name=town.name,
                messages=_script_messages(request))


@router.get("/workspace/proposals/new")
def new_proposal_page(request: Request, session: SessionDep,
                      town: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> HTMLResponse:
    """Draw, compose or upload a new proposal."""
    row = get_town(session, town) if town is not None else first_town(session)
    return page(request, "workspace/editor.html", proposal_id=None, town_id=row.id,
                editors=EDITORS, messages=_script_messages(request))


@router.get("/workspace/proposals/{proposal_id}")
def edit_proposal_page(request: Request, proposal_id: Id) -> HTMLResponse:
    """Edit a proposal: its newest version, findings, suggestion, history, runs and workflow."""
    return page(request, "workspace/editor.html", proposal_id=proposal_id, town_id=None,
                editors=EDITORS, messages=_script_messages(request))
