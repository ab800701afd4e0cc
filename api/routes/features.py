"""OGC API Features: Part 1 (core, GeoJSON, HTML), Part 2 (CRS by reference), Part 3
(queryables and CQL2 filters), Part 6 (property selection) and Part 8 (sortables and sorting)
over the layers sijie keeps (see api.services.features for what the public may see); Part 4
(create, replace, update, delete) on the proposals collection is in
:mod:`api.routes.features_edit`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.cql2 import parse_filter, to_condition
from api.crs import CRS84, crs_uri, parse_crs, storage_bbox
from api.db.models import STORAGE_SRID, Proposal, User
from api.deps import OptionalUser, SessionDep
from api.ogc_params import ogc_parameters, parse_names, parse_sortby
from api.problems import Problem
from api.routes.common import MAX_ID, Id, allowed_crs, crs_header, is_staff, output_crs, public_base
from api.serialize import (
    GEOJSON,
    JSON,
    GeoJSONResponse,
    JSONDocument,
    feature_collection,
    stored_feature,
)
from api.services import features as layers
from api.services.features import COLLECTIONS, TEMPORAL, Collection
from api.services.proposals import etag_header
from api.services.queryables import GEOMETRY, json_schema, queryables
from api.temporal import Span, parse_datetime

router = APIRouter(tags=["OGC API Features"], dependencies=[Depends(ogc_parameters)])

HTML = "text/html"
SCHEMA_JSON = "application/schema+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.1"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_CONFORMANCE = "http://www.opengis.net/def/rel/ogc/1.0/conformance"
REL_SORTABLES = "http://www.opengis.net/def/rel/ogc/1.0/sortables"
_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
# exactly what is served (the URIs as each part's text gives them): the OpenAPI document is
# 3.1, so not Part 1's oas30 class; no Part 3 queryables-as-query-parameters, Part 4 handling
# preference or Last-Modified locking, and no Part 5 schemas
CONFORMANCE = [
    *(_FEATURES.format(part=1) + c for c in ("core", "geojson", "html")),
    _FEATURES.format(part=2) + "crs",
    *(_FEATURES.format(part=3) + c for c in ("queryables", "filter", "features-filter")),
    *(_CQL2 + c for c in (
        "cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators",
        "case-insensitive-comparison", "basic-spatial-functions", "basic-spatial-functions-plus",
        "spatial-functions", "property-property")),
    *(_FEATURES.format(part=4) + c for c in (
        "create-replace-delete", "update", "optimistic-locking-etags", "features")),
    *(_FEATURES.format(part=6) + c for c in ("properties", "properties-features")),
    *(_FEATURES.format(part=8) + c for c in ("sortables", "sorting", "features-sorting")),
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
            {"href": f"{base}/", "rel": "self", "type": JSON, "title": "this document"},
            {"href": f"{base}/?f=html", "rel": "alternate", "type": HTML,
             "title": "this document as HTML"},
            {"href": f"{base}/api.json", "rel": "service-desc", "type": OPENAPI_JSON,
             "title": "OpenAPI definition"},
            {"href": f"{base}/api", "rel": "service-doc", "type": HTML,
             "title": "API documentation"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": JSON,
             "title": "conformance classes"},
            {"href": f"{base}/conformance", "rel": REL_CONFORMANCE, "type": JSON,
             "title": "conformance classes"},
            {"href": f"{base}/collections", "rel": "data", "type": JSON, "title": "collections"},
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
    body: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": allowed_crs(request),
        "storageCrs": crs_uri(STORAGE_SRID),
    }
    if bbox:  # an empty collection has no extent (never an empty bbox)
        body["extent"] = {"spatial": {"bbox": bbox, "crs": CRS84}}
        interval = layers.time_extent(session, c, is_staff(user))
        if interval is not None:
            body["extent"]["temporal"] = {"interval": [interval], "trs": GREGORIAN}
    body["links"] = [
        {"href": f"{base}/collections/{c.id}", "rel": "self", "type": JSON},
        {"href": f"{base}/collections/{c.id}?f=html", "rel": "alternate", "type": HTML},
        {"href": f"{base}/collections/{c.id}/items", "rel": "items", "type": GEOJSON},
        {"href": f"{base}/collections/{c.id}/queryables", "rel": REL_QUERYABLES,
         "type": SCHEMA_JSON},
        _sortables_link(base, c),
    ]
    return body


def _sortables_link(base: str, c: Collection) -> dict[str, str]:
    return {"href": f"{base}/collections/{c.id}/sortables", "rel": REL_SORTABLES,
            "type": SCHEMA_JSON}


@router.get("/collections", summary="The collections")
def collections(request: Request, session: SessionDep, user: OptionalUser) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [
            {"href": f"{base}/collections", "rel": "self", "type": JSON},
            {"href": f"{base}/collections?f=html", "rel": "alternate", "type": HTML},
        ],
        "crs": allowed_crs(request),
        "collections": [
            _collection(request, session, user, c) for c in layers.visible(is_staff(user))
        ],
    }


def get_collection(collection_id: str, user: User | None) -> Collection:
    """The collection ``collection_id`` if the caller may see it (404, or 401 for staff's)."""
    c = COLLECTIONS.get(collection_id)
    if c is None:
        raise Problem(404, "collection_not_found", id=collection_id)
    if c.staff_only and not is_staff(user):
        raise Problem(401, "token_missing", headers={"WWW-Authenticate": "Bearer"})
    return c


_get = get_collection


@router.get("/collections/{collection_id}", summary="One collection")
def collection(
    collection_id: str, request: Request, session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    return _collection(request, session, user, _get(collection_id, user))


@router.get("/collections/{collection_id}/queryables",
            summary="What the collection's features can be filtered, sorted and selected by",
            response_class=JSONDocument)
def collection_queryables(
    collection_id: str, request: Request, session: SessionDep, user: OptionalUser
) -> JSONDocument:
    c = _get(collection_id, user)
    url = f"{_base(request)}/collections/{c.id}/queryables"
    return JSONDocument(json_schema(c, queryables(session, c, is_staff(user)), url),
                        media_type=SCHEMA_JSON)


@router.get("/collections/{collection_id}/sortables",
            summary="What the collection's features can be sorted by (sortby)",
            response_class=JSONDocument)
def collection_sortables(
    collection_id: str, request: Request, session: SessionDep, user: OptionalUser
) -> JSONDocument:
    c = _get(collection_id, user)
    url = f"{_base(request)}/collections/{c.id}/sortables"
    fields = queryables(session, c, is_staff(user))
    sortable = {name: q for name, q in fields.items() if name != GEOMETRY}
    return JSONDocument(json_schema(c, sortable, url), media_type=SCHEMA_JSON)


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
    c: Collection, row: Any, out: str, user: User | None, states: dict[int, Proposal],
    selected: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    props = layers.properties(c, row, is_staff(user), states)
    if selected is not None:
        props = {k: props.get(k) for k in selected}
    return stored_feature(layers.feature_id(c, row), row.geom, props, out)


def _temporal(c: Collection, value: str | None) -> Span | None:
    """``datetime``: the span asked for, on the collections whose features have a time."""
    if value is None:
        return None
    if c.id not in TEMPORAL:
        raise Problem(400, "datetime_not_served", collection=c.id,
                      allowed=", ".join(sorted(TEMPORAL)))
    return parse_datetime(value)


@dataclass(frozen=True)
class _Query:
    """The filter, order and property selection of an items request, checked against the
    collection's queryables."""

    where: Any = None
    order: tuple[Any, ...] = ()
    properties: tuple[str, ...] | None = None


def _query(
    request: Request, session: Session, c: Collection, user: User | None, *,
    filter_: str | None, filter_lang: str | None, filter_crs: str | None,
    sortby: str | None, properties: str | None,
) -> _Query:
    if filter_ is None and (filter_lang is not None or filter_crs is not None):
        raise Problem(400, "filter_missing")
    if filter_ is None and sortby is None and properties is None:
        return _Query()
    fields = queryables(session, c, is_staff(user))
    where = None
    if filter_ is not None:
        crs = parse_crs(filter_crs, allowed_crs(request))
        where = to_condition(parse_filter(filter_, filter_lang), fields, crs=crs)
    order = []
    for name, ascending in parse_sortby(sortby) if sortby is not None else []:
        field = fields.get(name)
        if field is None or field.name == GEOMETRY:
            raise Problem(400, "sortby_unknown", name=name[:100],
                          allowed=", ".join(n for n in fields if n != GEOMETRY))
        order.append((field.column.asc() if ascending else field.column.desc()).nulls_last())
    return _Query(where, tuple(order), _selected(fields, properties))


def _selected(fields: dict[str, Any], properties: str | None) -> tuple[str, ...] | None:
    """The properties ``properties`` selects (Part 6), all when it is absent; 400 naming the
    ones that are not the collection's."""
    if properties is None:
        return None
    selected = tuple(parse_names(properties, "properties")) if properties.strip() else ()
    unknown = [n for n in selected if n not in fields or n == GEOMETRY]
    if unknown:
        raise Problem(400, "properties_unknown", names=", ".join(unknown)[:200],
                      allowed=", ".join(n for n in fields if n != GEOMETRY))
    return selected


def _link_header(links: list[dict[str, Any]]) -> str:
    """The links of a document as an RFC 8288 ``Link`` header."""
    return ", ".join(f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"'
                     for link in links)


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
    datetime: Annotated[str | None, Query(description=(
        "RFC 3339 instant or interval (a/b, a/.., ../b): the features valid then "
        "(neighbours and communities)"))
    ] = None,
    filter_: Annotated[str | None, Query(alias="filter", description=(
        "CQL2 filter over the collection's queryables (Basic CQL2, LIKE/BETWEEN/IN, CASEI, "
        "S_INTERSECTS and the other spatial functions)"))] = None,
    filter_lang: Annotated[str | None, Query(
        alias="filter-lang", pattern="^(cql2-text|cql2-json)$",
        description="cql2-text (default) or cql2-json")] = None,
    filter_crs: Annotated[str | None, Query(
        alias="filter-crs", description="CRS of the filter's geometries (default CRS84)")
    ] = None,
    sortby: Annotated[str | None, Query(description=(
        "queryables to sort by, comma-separated, each +name (ascending) or -name"))] = None,
    properties: Annotated[str | None, Query(description=(
        "the properties each feature returns, comma-separated (default: all)"))] = None,
) -> GeoJSONResponse:
    c = _get(collection_id, user)
    when = _temporal(c, datetime)
    settings = request.app.state.settings
    limit = min(limit or settings.page_limit, settings.max_page_limit)
    out = output_crs(request, crs)
    box = _bbox(bbox, parse_crs(bbox_crs, allowed_crs(request)))
    asked = _query(request, session, c, user, filter_=filter_, filter_lang=filter_lang,
                   filter_crs=filter_crs, sortby=sortby, properties=properties)
    matched, rows, states = layers.page(
        session, c, is_staff(user), box=box, offset=offset, limit=limit, when=when,
        where=asked.where, order=asked.order,
    )
    features = [_feature(c, r, out, user, states, asked.properties) for r in rows]
    base = f"{_base(request)}/collections/{c.id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit", "f")}

    def href(at: int, **extra: str) -> str:
        return f"{base}?{urlencode({**params, 'offset': at, 'limit': limit, **extra})}"

    links = [
        {"href": href(offset), "rel": "self", "type": GEOJSON},
        {"href": href(offset, f="html"), "rel": "alternate", "type": HTML},
        _sortables_link(_base(request), c),
    ]
    if offset + len(rows) < matched:
        links.append({"href": href(offset + limit), "rel": "next", "type": GEOJSON})
    if offset > 0:
        links.append({"href": href(max(0, offset - limit)), "rel": "prev", "type": GEOJSON})
    body = feature_collection(features, matched=matched, links=links, stamped=True)
    return GeoJSONResponse(body, headers={**crs_header(out), "Link": _link_header(links)})


@router.get("/collections/{collection_id}/items/{fid}", summary="One feature")
def item(
    collection_id: str,
    fid: Id,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    crs: Annotated[str | None, Query()] = None,
    properties: Annotated[str | None, Query(description=(
        "the properties the feature returns, comma-separated (default: all)"))] = None,
) -> GeoJSONResponse:
    c = _get(collection_id, user)
    out = output_crs(request, crs)
    selected = None
    if properties is not None:
        selected = _selected(queryables(session, c, is_staff(user)), properties)
    row, states = layers.one(session, c, is_staff(user), fid)
    if row is None:
        raise Problem(404, "feature_not_found", collection=c.id, fid=fid)
    base = _base(request)
    body = _feature(c, row, out, user, states, selected)
    here = f"{base}/collections/{c.id}/items/{fid}"
    body["links"] = [
        {"href": here, "rel": "self", "type": GEOJSON},
        {"href": f"{here}?f=html", "rel": "alternate", "type": HTML},
        {"href": f"{base}/collections/{c.id}", "rel": "collection", "type": JSON},
    ]
    headers = {**crs_header(out), "Link": _link_header(body["links"])}
    if c.id == "proposals" and is_staff(user):
        headers["ETag"] = etag_header(row)
    return GeoJSONResponse(body, headers=headers)
