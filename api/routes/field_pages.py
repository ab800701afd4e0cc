"""The field reviewer's pages, phone first and usable without signal: ``/field`` (the
proposals open for the joint site survey or the joint review) and ``/field/proposals/{id}``
(the proposal on a map: locate me, findings at a place with a note and a photo, the
department's opinion), and their service worker ``/field/sw.js``, which keeps the pages, the
files they load (versioned by content) and the survey data for use offline."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.routes.common import Id
from api.web.messages import SCRIPT_MESSAGES
from api.web.render import page, page_lang, static_url
from geo.i18n import t
from maps import static_dir
from maps.controls import controls_spec

router = APIRouter(tags=["pages"], include_in_schema=False)

SCOPE = "/field"
# every shipped file the field pages load (CSS images included), kept by the service worker
FIELD_ASSETS = (
    "web/frame.css", "web/field.css", "leaflet/leaflet.css", "leaflet/leaflet.js",
    "leaflet-geoman/leaflet-geoman.css", "leaflet-geoman/leaflet-geoman.min.js",
    "sijie/sijie.css", "sijie/controls.js", "web/api.js", "web/field-queue.js", "web/field.js",
    "web/field-proposal.js",
)
CSS_IMAGES = ("leaflet/images/layers.png", "leaflet/images/layers-2x.png",
              "leaflet/images/marker-icon.png", "leaflet/images/marker-icon-2x.png",
              "leaflet/images/marker-shadow.png")
_WORKER = "web/field-sw.js"


@cache
def assets_version() -> str:
    """A digest of the field pages' files and their service worker: it changes whenever one
    of them does, so that phones fetch the new files once and keep them."""
    digest = hashlib.sha256()
    for name in (*FIELD_ASSETS, *CSS_IMAGES, _WORKER):
        digest.update(name.encode() + b"\0" + (static_dir() / name).read_bytes())
    return digest.hexdigest()[:12]


def asset_url(path: str) -> str:
    """The versioned URL of one of the field pages' files."""
    return f"{static_url(path)}?v={assets_version()}"


def _page(request: Request, template: str, proposal_id: int | None) -> HTMLResponse:
    lang = page_lang(request)
    settings = request.app.state.settings
    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    # the map's controls, as every map page has them: base maps, measure, locate, scale
    controls = controls_spec(lang.value, settings.basemap, token)
    return page(request, template, asset=asset_url, scope=SCOPE, controls=controls,
                messages={key: t(key, lang) for key in SCRIPT_MESSAGES}, proposal_id=proposal_id)


@router.get(SCOPE)
def field_list_page(request: Request) -> HTMLResponse:
    """The proposals open for the joint site survey or the joint review."""
    return _page(request, "field/list.html", None)


@router.get(SCOPE + "/proposals/{proposal_id}")
def field_proposal_page(request: Request, proposal_id: Id) -> HTMLResponse:
    """One proposal in the field: map, locate me, findings, opinion."""
    return _page(request, "field/proposal.html", proposal_id)


@router.get(SCOPE + "/sw.js")
def field_service_worker() -> Response:
    """The field pages' service worker, allowed to control everything under ``/field``."""
    config = {"version": assets_version(), "scope": SCOPE,
              "assets": [asset_url(p) for p in FIELD_ASSETS]
              + [static_url(p) for p in (*CSS_IMAGES, "web/frame.css")]}
    source = (static_dir() / _WORKER).read_text(encoding="utf-8")
    body = f"self.SIJIE_FIELD = {json.dumps(config)};\n{source}"
    return Response(body, media_type="text/javascript", headers={
        "Service-Worker-Allowed": SCOPE, "Cache-Control": "no-cache"})
