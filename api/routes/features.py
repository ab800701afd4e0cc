"""OGC API Features (Part 1 core + GeoJSON + OpenAPI, Part 2 CRS): landing page,
conformance, collections and items for the layers sijie keeps.

The public sees neighbours, roads and approved proposals and grids, without internal
attributes; survey findings, sites and enterprise figures stay with staff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from api.crs import CRS84, crs_uri, parse_crs, storage_bbox
from api.db.models import (STORAGE_SRID, ContextFeature, FacilitySite, Grid, MicroGrid, Proposal,
                           ProposalVersion, Run, User)
from api.deps import OptionalUser, SessionDep
from api.problems import Problem
from api.routes.common import MAX_ID, Id, GEOJSON, allowed_crs, crs_header, is_staff, output_crs
from api.serialize import PUBLIC_GRID_FIELDS, PUBLIC_MICROGRID_FIELDS, geometry_json
from api.services.proposals import PUBLIC_STATES

router = APIRouter(tags=["OGC API Features"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    model: Any
    staff_only: bool = False


COLLECTIONS = {c.id: c for c in (
    Collection("neighbours", "周边村（社区） Neighbouring villages and communities",
               "The villages and communities that tile the town (name, code, kind).", ContextFeature),
    Collection("roads", "道路 Roads", "Road centrelines (name, class, width_m).", ContextFeature),
    Collection("proposals", "产业型社区方案 Community proposals",
               "Proposed community boundaries; the public sees approved ones.", ProposalVersion),
    Collection("grids", "网格 Grids", "Grids of communities; the public sees approved ones.", Grid),
    Collection("microgrids", "微网格 Micro-grids",
               "One enterprise, park or building each; the public sees approved ones, codes only.",
               MicroGrid),
    Collection("sites", "服务设施选址 Facility sites",
               "Candidate sites for community service facilities (staff only).", FacilitySite,
               staff_only=True),
)}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/", summary="Landing page")
def landing(request: Request) -> dict[str, Any]:
    base = _base(request)
    return {"title": "四界 sijie 产业型社区边界服务",
            "description": "Boundaries, grids and facility land of industrial communities "
                           "(OGC API Features)",
            "links": [
                {"href": f"{base}/", "rel": "self", "type": "application/json", "title": "this document"},
                {"href": f"{base}/api.json", "rel": "service-desc",
                 "type": "application/vnd.oai.openapi+json;version=3.0", "title": "OpenAPI definition"},
                {"href": f"{base}/api", "rel": "service-doc", "type": "text/html", "title": "API documentation"},
                {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json",
                 "title": "conformance classes"},
                {"href": f"{base}/collections", "rel": "data", "type": "application/json",
                 "title": "collections"}]}


@router.get("/conformance", summary="Conformance classes")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _visible(user: User | None) -> list[Collection]:
    return [c for c in COLLECTIONS.values() if is_staff(user) or not c.staff_only]


def _collection(request: Request, session: Session, user: User | None, c: Collection) -> dict[str, Any]:
    base = _base(request)
    query = _query(session, c, user)
    extent = session.execute(query.with_only_columns(
        func.min(c.model.minx), func.min(c.model.miny), func.max(c.model.maxx),
        func.max(c.model.maxy)).order_by(None)).one()
    bbox = [list(extent)] if extent[0] is not None else []
    return {"id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
            "crs": allowed_crs(request), "storageCrs": crs_uri(STORAGE_SRID),
            "extent": {"spatial": {"bbox": bbox, "crs": CRS84}},
            "links": [{"href": f"{base}/collections/{c.id}", "rel": "self", "type": "application/json"},
                      {"href": f"{base}/collections/{c.id}/items", "rel": "items", "type": GEOJSON}]}


@router.get("/collections", summary="The collections")
def collections(request: Request, session: SessionDep, user: OptionalUser) -> dict[str, Any]:
    base = _base(request)
    return {"links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
            "crs": allowed_crs(request),
            "collections": [_collection(request, session, user, c) for c in _visible(user)]}


def _get(collection_id: str, user: User | None) -> Collection:
    c = COLLECTIONS.get(collection_id)
    if c is None:
        raise Problem(404, "collection_not_found", id=collection_id)
    if c.staff_only and not is_staff(user):
        raise Problem(401, "token_missing", headers={"WWW-Authenticate": "Bearer"})
    return c


@router.get("/collections/{collection_id}", summary="One collection")
def collection(collection_id: str, request: Request, session: SessionDep, user: OptionalUser) -> dict[str, Any]:
    return _collection(request, session, user, _get(collection_id, user))


def _latest_runs(session: Session, kind: str, user: User | None) -> list[str]:
    """The newest successful run of ``kind`` per proposal (public: on the approved version)."""
    query = (select(Run.id, Run.proposal_id, Run.version_id, Run.created_at)
             .where(Run.kind == kind, Run.status == "successful").order_by(Run.created_at, Run.id))
    if not is_staff(user):
        query = (query.join(Proposal, Proposal.id == Run.proposal_id)
                 .join(ProposalVersion, ProposalVersion.id == Run.version_id)
                 .where(Proposal.state.in_(PUBLIC_STATES),
                        ProposalVersion.version == Proposal.approved_version))
    latest: dict[int, str] = {}
    for run_id, proposal_id, _, _ in session.execute(query).all():
        latest[proposal_id] = run_id
    return list(latest.values())


def _query(session: Session, c: Collection, user: User | None) -> Select:
    model = c.model
    if model is ContextFeature:
        return select(ContextFeature).where(ContextFeature.layer == c.id)
    if model is ProposalVersion:
        if is_staff(user):
            newest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.version).label("v"))
                      .group_by(ProposalVersion.proposal_id).subquery())
            return select(ProposalVersion).join(newest, and_(
                newest.c.proposal_id == ProposalVersion.proposal_id, newest.c.v == ProposalVersion.version))
        return select(ProposalVersion).join(Proposal, Proposal.id == ProposalVersion.proposal_id).where(
            Proposal.state.in_(PUBLIC_STATES), ProposalVersion.version == Proposal.approved_version)
    kind = "facility" if model is FacilitySite else "grids"
    return select(model).where(model.run_id.in_(_latest_runs(session, kind, user)))


def _properties(c: Collection, row: Any, user: User | None, states: dict[int, Proposal]) -> dict[str, Any]:
    staff = is_staff(user)
    if c.model is ContextFeature:
        return dict(row.properties)
    if c.model is ProposalVersion:
        proposal = states[row.proposal_id]
        props = {"proposal_id": row.proposal_id, "name": row.name, "type": row.type,
                 "state": proposal.state, "version": row.version, "area_m2": round(row.area_m2, 1)}
        if staff:
            props.update({"reason": row.reason, "etag": row.etag, "input_crs": row.input_crs})
        return props
    if staff:
        return dict(row.properties)
    fields = PUBLIC_GRID_FIELDS if c.model is Grid else PUBLIC_MICROGRID_FIELDS
    return {k: row.properties.get(k) for k in fields}


def _bbox(value: str | None, bbox_crs: str) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or any(n != n for n in numbers):
        raise Problem(400, "bbox_invalid", got=value)
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return storage_bbox(tuple(numbers), bbox_crs)  # type: ignore[arg-type]


def _feature(c: Collection, row: Any, out: str, user: User | None, states: dict[int, Proposal]) -> dict[str, Any]:
    fid = row.proposal_id if c.model is ProposalVersion else row.id
    return {"type": "Feature", "id": fid, "geometry": geometry_json(row.geom, out),
            "properties": _properties(c, row, user, states)}


def _states(session: Session, rows: list[Any], c: Collection) -> dict[int, Proposal]:
    if c.model is not ProposalVersion or not rows:
        return {}
    ids = {r.proposal_id for r in rows}
    return {p.id: p for p in session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()}


@router.get("/collections/{collection_id}/items", summary="Features of a collection")
def items(collection_id: str, request: Request, session: SessionDep, user: OptionalUser,
          bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs")] = None,
          bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
          crs: Annotated[str | None, Query()] = None,
          limit: Annotated[int | None, Query(ge=1)] = None,
          offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
          f: Annotated[str | None, Query(pattern="^(json|geojson)$")] = None) -> Response:
    c = _get(collection_id, user)
    settings = request.app.state.settings
    limit = min(limit or settings.page_limit, settings.max_page_limit)
    out = output_crs(request, crs)
    box = _bbox(bbox, parse_crs(bbox_crs, allowed_crs(request)))
    query = _query(session, c, user)
    if box is not None:
        m = c.model
        query = query.where(m.maxx >= box[0], m.minx <= box[2], m.maxy >= box[1], m.miny <= box[3])
    matched = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    rows = list(session.scalars(query.order_by(c.model.id).offset(offset).limit(limit)).all())
    states = _states(session, rows, c)
    features = [_feature(c, r, out, user, states) for r in rows]
    base = f"{_base(request)}/collections/{c.id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}
    links = [{"href": f"{base}?{urlencode({**params, 'offset': offset, 'limit': limit})}",
              "rel": "self", "type": GEOJSON}]
    if offset + len(rows) < matched:
        links.append({"href": f"{base}?{urlencode({**params, 'offset': offset + limit, 'limit': limit})}",
                      "rel": "next", "type": GEOJSON})
    if offset > 0:
        links.append({"href": f"{base}?{urlencode({**params, 'offset': max(0, offset - limit), 'limit': limit})}",
                      "rel": "prev", "type": GEOJSON})
    body = {"type": "FeatureCollection", "features": features, "numberMatched": matched,
            "numberReturned": len(features), "links": links,
            "timeStamp": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
    return Response(json.dumps(body, ensure_ascii=False), media_type=GEOJSON, headers=crs_header(out))


@router.get("/collections/{collection_id}/items/{fid}", summary="One feature")
def item(collection_id: str, fid: Id, request: Request, session: SessionDep, user: OptionalUser,
         crs: Annotated[str | None, Query()] = None) -> Response:
    c = _get(collection_id, user)
    out = output_crs(request, crs)
    key = ProposalVersion.proposal_id if c.model is ProposalVersion else c.model.id
    row = session.scalars(_query(session, c, user).where(key == fid)).first()
    if row is None:
        raise Problem(404, "feature_not_found", collection=c.id, fid=fid)
    base = _base(request)
    body = _feature(c, row, out, user, _states(session, [row], c))
    body["links"] = [{"href": f"{base}/collections/{c.id}/items/{fid}", "rel": "self", "type": GEOJSON},
                     {"href": f"{base}/collections/{c.id}", "rel": "collection", "type": "application/json"}]
    return Response(json.dumps(body, ensure_ascii=False), media_type=GEOJSON, headers=crs_header(out))
