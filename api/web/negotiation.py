"""HTML for the OGC API resources: ``f=html`` or a browser's ``Accept: text/html`` on the
landing page, conformance, collections, a collection, its items and one item.

The resource's own JSON document is asked for from the route that makes it (``f=html``
taken off the query, ``Accept`` set to JSON, the page's language passed on) and drawn as a
page (:mod:`api.web.ogc`); API clients asking for JSON, or for nothing in particular, get the
JSON as before. Errors keep their status and are drawn as a page too.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.ogc import ogc_page
from api.web.render import page_lang

__all__ = ["OgcHtml", "wants_html"]

# the OGC API Features resources that have an HTML page
_PATHS = re.compile(r"^/(conformance|collections(/[^/]+(/items(/[^/]+)?)?)?)?/?$")
_JSON_TYPES = ("application/json", "application/geo+json", "application/problem+json")


def _quality(accept: str, media: str) -> float:
    """The quality ``accept`` gives ``media`` exactly (0 when it is not named)."""
    best = 0.0
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() != media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def wants_html(path: str, query: dict[str, str], accept: str | None) -> bool:
    """Whether a GET of ``path`` asks for the HTML page: ``f=html``, or no ``f`` and an
    ``Accept`` naming ``text/html`` above every JSON type."""
    if not _PATHS.match(path):
        return False
    f = query.get("f")
    if f is not None:
        return f == "html"
    if not accept:
        return False
    html = _quality(accept, "text/html")
    return html > 0 and html > max(_quality(accept, media) for media in _JSON_TYPES)


class OgcHtml:
    """ASGI middleware giving the OGC API resources their HTML pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        if not wants_html(scope["path"], dict(pairs), request.headers.get("accept")):
            await self.app(scope, receive, send)
            return
        lang = page_lang(request)
        kept = [(k, v) for k, v in pairs if k not in ("f", "lang")]
        headers = [(k, v) for k, v in scope["headers"]
                   if k not in (b"accept", b"accept-language")]
        headers += [(b"accept", b"application/json"), (b"accept-language", lang.value.encode())]
        inner = {**scope, "query_string": urlencode(kept).encode("latin-1"), "headers": headers}
        status, body = await _capture(self.app, inner, receive)
        try:
            document: Any = json.loads(body) if body else {}
        except ValueError:
            document = {"status": status, "detail": body.decode("utf-8", "replace")}
        response = ogc_page(request, scope["path"], status, document, dict(kept))
        await response(scope, receive, send)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, bytes]:
    """Run ``app`` and keep its status and body instead of sending them."""
    status = 500
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return status, b"".join(chunks)
