"""OGC API Features (Part 1 core + GeoJSON + OpenAPI, Part 2 CRS): landing page,
conformance, collections and items for the layers sijie keeps (see api.services.features for
what the public may see)."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from api.crs import CRS84, crs_uri, parse_crs, storage_bbox
from api.db.models import STORAGE_SRID, Proposal, User
from api.deps import OptionalUser, SessionDep
from api.problems import Problem
from api.routes.common import MAX_ID, Id, allowed_crs, crs_header, is_staff, output_crs, public_base
from api.serialize import GEOJSON, JSON, GeoJSONResponse, feature_collection, stored_feature
from api.services import features as layers
from api.services.features import COLLECTIONS, Collection
from api.temporal import parse_datetime

router = APIRouter(tags=["OGC API Features"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]


def _base(request: Request) -> str:
    return public_base(request)


@router.get("/", summary="Landing page")
def landing(request: Request) -> dict[str, Any]:
    base = _base(request)
    return {
        "title": "四界 sijie 产业型社区边界服务",
        "description": "Boundaries, grids and facility land of industrial communities "
        "(OGC API Features)",
        "links": [
            {
                "href": f"{base}/",
                "rel": "self",
                "type": JSON,
                "title": "this document",
            },
            {
                "href": f"{base}/api.json",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "OpenAPI definition",
            },
            {
                "href": f"{base}/api",
                "rel": "service-doc",
                "type": "text/html",
                "title": "API documentation",
            },
            {
                "href": f"{base}/conformance",
                "rel": "conformance",
                "type": JSON,
                "title": "conformance classes",
            },
            {
                "href": f"{base}/collections",
                "rel": "data",
                "type": JSON,
                "title": "collections",
            },
        ],
    }


@router.get("/conformance", summary="Conformance classes")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection(
    request: Request, session: Session, user: User | None, c: Collection
) -> dict[str, Any]:
    base = _base(request)
    bbox = layers.extent(session, c, is_staff(user))
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": allowed_crs(request),
        "storageCrs": crs_uri(STORAGE_SRID),
        "extent": {"spatial": {"bbox": bbox, "crs": CRS84}},
        "links": [
            {"href": f"{base}/collections/{c.id}", "rel": "self", "type": JSON},
            {"href": f"{base}/collections/{c.id}/items", "rel": "items", "type": GEOJSON},
        ],
    }


@router.get("/collections", summary="The collections")
def collections(request: Request, session: SessionDep, user: OptionalUser) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": JSON}],
        "crs": allowed_crs(request),
        "collections": [
            _collection(request, session, user, c) for c in layers.visible(is_staff(user))
        ],
    }


def _get(collection_id: str, user: User | None) -> Collection:
    c = COLLECTIONS.get(collection_id)
    if c is None:
        raise Problem(404, "collection_not_found", id=collection_id)
    if c.staff_only and not is_staff(user):
        raise Problem(401, "token_missing", headers={"WWW-Authenticate": "Bearer"})
    return c


@router.get("/collections/{collection_id}", summary="One collection")
def collection(
    collection_id: str, request: Request, session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    return _collection(request, session, user, _get(collection_id, user))


def _bbox(value: str | None, bbox_crs: str) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise Problem(400, "bbox_invalid", got=value)
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return storage_bbox(tuple(numbers), bbox_crs)  # type: ignore[arg-type]


def _feature(
    c: Collection, row: Any, out: str, user: User | None, states: dict[int, Proposal]
) -> dict[str, Any]:
    props = layers.properties(c, row, is_staff(user), states)
    return stored_feature(layers.feature_id(c, row), row.geom, props, out)


@router.get("/collections/{collection_id}/items", summary="Features of a collection")
def items(
    collection_id: str,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
    crs: Annotated[str | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    f: Annotated[str | None, Query(pattern="^(json|geojson)$")] = None,
    datetime: Annotated[str | None, Query(description=(
        "RFC 3339 instant or interval (a/b, a/.., ../b): the context features valid then"))
    ] = None,
) -> GeoJSONResponse:
    c = _get(collection_id, user)
    when = parse_datetime(datetime)
    settings = request.app.state.settings
    limit = min(limit or settings.page_limit, settings.max_page_limit)
    out = output_crs(request, crs)
    box = _bbox(bbox, parse_crs(bbox_crs, allowed_crs(request)))
    matched, rows, states = layers.page(
        session, c, is_staff(user), box=box, offset=offset, limit=limit, when=when
    )
    features = [_feature(c, r, out, user, states) for r in rows]
    base = f"{_base(request)}/collections/{c.id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}
    links = [
        {
            "href": f"{base}?{urlencode({**params, 'offset': offset, 'limit': limit})}",
            "rel": "self",
            "type": GEOJSON,
        }
    ]
    if offset + len(rows) < matched:
        links.append(
            {
                "href": f"{base}?{urlencode({**params, 'offset': offset + limit, 'limit': limit})}",
                "rel": "next",
                "type": GEOJSON,
            }
        )
    if offset > 0:
        links.append(
            {
                "href": f"{base}?{urlencode({**params, 'offset': max(0, offset - limit), 'limit': limit})}",  # noqa: E501
                "rel": "prev",
                "type": GEOJSON,
            }
        )
    body = feature_collection(features, matched=matched, links=links, stamped=True)
    return GeoJSONResponse(body, headers=crs_header(out))


@router.get("/collections/{collection_id}/items/{fid}", summary="One feature")
def item(
    collection_id: str,
    fid: Id,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    crs: Annotated[str | None, Query()] = None,
) -> GeoJSONResponse:
    c = _get(collection_id, user)
    out = output_crs(request, crs)
    row, states = layers.one(session, c, is_staff(user), fid)
    if row is None:
        raise Problem(404, "feature_not_found", collection=c.id, fid=fid)
    base = _base(request)
    body = _feature(c, row, out, user, states)
    body["links"] = [
        {"href": f"{base}/collections/{c.id}/items/{fid}", "rel": "self", "type": GEOJSON},
        {"href": f"{base}/collections/{c.id}", "rel": "collection", "type": JSON},
    ]
    return GeoJSONResponse(body, headers=crs_header(out))
