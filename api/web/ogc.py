"""The HTML pages of the OGC API resources, drawn from the resources' JSON documents."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.crs import CRS84
from api.web.render import page

__all__ = ["html_href", "ogc_page"]

_OWN = re.compile(r"^/(conformance|collections(/[^/]+(/items(/[^/]+)?)?)?)?/?$")
_MAX_COLUMNS = 12


def html_href(href: str) -> str:
    """A link of a JSON document as the HTML page links it: own resources with ``f=html``."""
    parts = urlsplit(href)
    if not _OWN.match(parts.path or "/"):
        return href
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "f"]
    query.append(("f", "html"))
    return urlunsplit(("", "", parts.path or "/", urlencode(query), ""))


def _links(document: dict[str, Any]) -> dict[str, str]:
    return {link["rel"]: html_href(link["href"]) for link in document.get("links", [])
            if "rel" in link and "href" in link}


def _columns(features: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for f in features:
        for key in (f.get("properties") or {}):
            seen.setdefault(key, None)
    return list(seen)[:_MAX_COLUMNS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def ogc_page(request: Request, path: str, status: int, document: Any,
             query: dict[str, str]) -> HTMLResponse:
    """The page of the resource at ``path`` from its JSON ``document`` (status kept)."""
    if status >= 400 or not isinstance(document, dict):
        doc = document if isinstance(document, dict) else {}
        return page(request, "ogc/problem.html", status=status, problem=doc, status_code=status)
    parts = [p for p in path.strip("/").split("/") if p]
    mappable = query.get("crs") in (None, "", CRS84, "CRS84")
    values: dict[str, Any] = {"doc": document, "links": _links(document), "cell": _cell,
                              "html_href": html_href, "mappable": mappable}
    if not parts:
        return page(request, "ogc/landing.html", **values)
    if parts == ["conformance"]:
        return page(request, "ogc/conformance.html", **values)
    if parts == ["collections"]:
        return page(request, "ogc/collections.html", **values)
    if len(parts) == 2:
        return page(request, "ogc/collection.html", **values)
    if len(parts) == 3:
        features = document.get("features", [])
        offset = int(query.get("offset", "0") or 0) if query.get("offset", "0").isdigit() else 0
        return page(request, "ogc/items.html", collection_id=parts[1], features=features,
                    columns=_columns(features), offset=offset, **values)
    return page(request, "ogc/item.html", collection_id=parts[1],
                columns=_columns([document]), **values)
