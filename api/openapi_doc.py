"""The OpenAPI document says every status and media type an operation answers with.

Success answers are ``application/geo+json`` where the route returns GeoJSON, problems are
``application/problem+json`` with the RFC 9457 members. Which problem statuses an operation
lists follows from what it takes: a path id or a read (404), a signed-in user (401, 403),
signing in (401), a body (409, 413, 415), an ``If-Match`` edit (412, 428), and for all 400,
422 (not on the reads of the OGC API resources, which answer 400) and 503. Every change a
signed-in user makes takes an ``Idempotency-Key`` header (:mod:`api.idempotent_requests`).
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.ogc_paths import is_ogc_path
from api.problems import PROBLEM_JSON
from api.routes import routers
from api.serialize import GEOJSON, GeoJSONResponse, GeoJSONText
from api.services.idempotency import MAX_KEY_LENGTH

__all__ = ["document_responses"]

_PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
    },
}
_DESCRIPTIONS = {
    "400": "Bad request", "401": "Not signed in, or a bad token", "403": "Role not allowed",
    "404": "Not found", "409": "Conflict with the resource's state", "412": "Stale If-Match",
    "413": "Body, file or geometry too large", "415": "Unsupported media type",
    "422": "Unusable content", "428": "If-Match required",
    "503": "Store unavailable or busy: retry after Retry-After seconds",
}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any new key (a UUID) per change a client makes: sent again with the same "
    "key and request, the first answer is given again (Idempotent-Replayed: true) instead of "
    "a second change; the key with another request is 422; while the first request is still "
    "being answered, 409 with Retry-After.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
               "pattern": "^[!-~]+$"},
}
_EDITS = ("put", "patch")
_WRITES = ("post", "put", "patch", "delete")


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    # the OGC API resources answer invalid parameters 400, never 422, on what they read
    reads_ogc = method in ("get", "head") and is_ogc_path(path)
    statuses = ["400", "503"] if reads_ogc else ["400", "422", "503"]
    if "{" in path or method == "get":  # a read may find nothing to show (e.g. no approved map)
        statuses.append("404")
    if operation.get("security"):
        statuses += ["401", "403"]
    if "auth" in operation.get("tags", ()):  # signing in: wrong name or password
        statuses.append("401")
    if method in _WRITES:
        statuses += ["409", "413", "415"]
    if method in _EDITS:
        statuses += ["412", "428"]
    return sorted(set(statuses))


def _geojson_routes() -> set[tuple[str, str]]:
    """(path, method) of every operation whose route returns GeoJSON."""
    found = set()
    for route in (r for router in routers for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        returns = inspect.signature(route.endpoint).return_annotation
        if returns in (GeoJSONResponse, GeoJSONText, "GeoJSONResponse", "GeoJSONText"):
            found |= {(route.path, m.lower()) for m in route.methods or ()}
    return found


def _document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    geojson = _geojson_routes()
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if (path, method) in geojson:
                for status, answer in responses.items():
                    if status.startswith("2"):
                        answer["content"] = {GEOJSON: {"schema": {"type": "object"}}}
            if method in _WRITES and operation.get("security"):
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            statuses = _statuses(path, method, operation)
            if "422" not in statuses:
                responses.pop("422", None)  # FastAPI's own, for parameters it checks
            for status in statuses:
                responses[status] = {"description": _DESCRIPTIONS[status], "content": problem}
    return schema


def document_responses(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list its problem statuses and media types."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
