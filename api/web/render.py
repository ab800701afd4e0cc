"""Render a page: the Jinja2 environment, the page's language and the shared frame's values.

The language is ``?lang=zh|en`` when given, else the ``Accept-Language`` header (Chinese by
default). Templates say every text with ``_("message_id", **values)`` (messages listed in
:mod:`api.web.messages`) and link shipped files with ``static("path")``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from geo.i18n import Lang, lang_from_header, t
from maps.controls import controls_spec

__all__ = ["LANG_COOKIE", "STATIC_PREFIX", "map_controls", "page", "page_lang", "static_url",
           "switch_url"]

STATIC_PREFIX = "/static"
LANG_COOKIE = "sijie_lang"  # remembers the language chosen with ?lang=
_TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(),
                       trim_blocks=True, lstrip_blocks=True)


def page_lang(request: Request) -> Lang:
    """The language a page is asked in: ``?lang=``, else the one chosen before (a cookie),
    else ``Accept-Language``."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if asked in ("zh", "en"):
            return Lang(asked)
    return lang_from_header(request.headers.get("accept-language"))


def static_url(path: str) -> str:
    """The URL of a shipped file under the static folder."""
    return f"{STATIC_PREFIX}/{path}"


def switch_url(request: Request, lang: Lang) -> str:
    """This page's URL in ``lang`` (the query's other parameters kept)."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    return f"{request.url.path}?{urlencode({**params, 'lang': lang.value})}"


def map_controls(request: Request) -> dict[str, Any]:
    """The spec of ``sijie.controls`` for a map on this page: the service's base map and
    Tianditu key, the words in the page's language (templates: ``map_controls()``)."""
    settings = request.app.state.settings
    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    return controls_spec(page_lang(request).value, settings.basemap, token)


def _json_script(value: Any) -> Markup:
    """``value`` as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)  # escaped above for the script element


def page(request: Request, template: str, *, status: int = 200,
         headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    """The page ``template`` in the request's language, with the shared frame's values."""
    lang = page_lang(request)
    other = Lang.en if lang is Lang.zh else Lang.zh

    def say(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    html = _environment().get_template(template).render(
        _=say, lang=lang.value, html_lang="zh-CN" if lang is Lang.zh else "en",
        static=static_url, switch_href=switch_url(request, other), switch_lang=other.value,
        json_script=_json_script, path=request.url.path,
        map_controls=lambda: map_controls(request), **values)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang.value, samesite="lax", max_age=365 * 86400)
    return response
