"""Proposals and their immutable versions: create, edit with If-Match, read as GeoJSON."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.crs import CRS84, to_storage
from api.db.models import STORAGE_SRID, Proposal, ProposalVersion, User, utcnow
from api.geometry import bbox_columns, db_geom, shape_of
from api.problems import Problem
from geo.context import Context
from geo.crs import reproject, resolve_crs
from geo.i18n import Text
from geo.proposal import Proposal as GeoProposal
from geo.proposal import proposal_from_frame
from geo.rules.model import ProposalColumns

__all__ = [
    "EDITABLE_STATES",
    "PUBLIC_STATES",
    "WITHDRAWN",
    "Change",
    "ProposalInput",
    "approved",
    "changes",
    "create",
    "edit",
    "etag_header",
    "geo_proposal",
    "get_proposal",
    "head",
    "input_from_frame",
    "input_from_geojson",
    "listed",
    "parse_geometry",
    "parse_if_match",
    "public_proposal",
    "version_of",
    "versions_of",
]

PUBLIC_STATES = ("approved", "registered")
ANY_VERSION = "*"  # If-Match: * matches whatever version is current
EDITABLE_STATES = ("draft", "postponed")
WITHDRAWN = "withdrawn"  # taken back by its applicant: no longer a proposal of the collection


@dataclass(frozen=True)
class ProposalInput:
    """A checked proposal as submitted: attributes, lon/lat geometry, the CRS it came in."""

    name: str
    type: str
    custodial: list[dict[str, Any]]
    geometry: BaseGeometry  # storage CRS (lon/lat)
    input_crs: str


def input_from_frame(frame: gpd.GeoDataFrame, *, source: str = "upload", name: str | None = None,
                     type_: str | None = None, feature: str | None = None,
                     columns: ProposalColumns | None = None) -> ProposalInput:
    """A proposal from a layer read by geo.io or the upload gate, as the command line takes
    it (:func:`geo.proposal.proposal_from_frame`): ``feature`` picks one of several, ``name``
    and ``type_`` (form fields) replace the file's, ``columns`` says where the file keeps
    them."""
    geo = proposal_from_frame(frame, feature=feature, source=source, columns=columns, name=name,
                              type_=type_)
    if geo.geometry is None or geo.geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise Problem(
            422, "not_polygon", got=None if geo.geometry is None else geo.geometry.geom_type
        )
    if not geo.name.strip():
        raise Problem(422, "name_missing")
    for field, value, limit in (("name", geo.name.strip(), 200), ("type", geo.raw_type, 50)):
        if len(value) > limit:
            raise Problem(422, "too_long", field=field, limit=limit, got=len(value))
    epsg = geo.crs.to_epsg()
    stored = gpd.GeoSeries([geo.geometry], crs=geo.crs).to_crs(epsg=STORAGE_SRID).iloc[0]
    return ProposalInput(
        name=geo.name.strip(),
        type=geo.raw_type or geo.type,
        custodial=[{"part": c.part, "reason": c.reason} for c in geo.custodial],
        geometry=stored,
        input_crs=f"EPSG:{epsg}" if epsg else "EPSG:4490",
    )


def _feature_of(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Problem(422, "bad_geojson", reason=Text("geojson_not_object"))
    if body.get("type") == "FeatureCollection":
        features = body.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise Problem(
                422, "bad_geojson", reason="a FeatureCollection must hold exactly one feature"
            )
        body = features[0]
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise Problem(422, "bad_geojson", reason=Text("geojson_not_feature"))
    return body


def parse_geometry(value: Any, crs_uri: str, *, max_vertices: int | None = None) -> BaseGeometry:
    """A GeoJSON geometry given in ``crs_uri`` as a lon/lat shapely geometry; 422 if unusable,
    413 with more than ``max_vertices`` vertices."""
    try:
        geom = shape(value)
        coords = shapely.get_coordinates(geom)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc
    if max_vertices is not None and len(coords) > max_vertices:
        raise Problem(413, "too_many_vertices", file="GeoJSON", limit=max_vertices)
    if geom.is_empty or len(coords) == 0 or not np.isfinite(coords).all():
        raise Problem(422, "bad_geojson", reason=Text("geojson_empty_geometry"))
    return to_storage(geom, crs_uri)


def input_from_geojson(
    body: Any,
    crs_uri: str = CRS84,
    *,
    current: ProposalVersion | None = None,
    max_vertices: int | None = None,
) -> tuple[ProposalInput, str]:
    """A proposal (and the edit's reason) from a GeoJSON Feature in ``crs_uri``.

    With ``current`` (PATCH) absent members keep the current version's values.
    """
    feature = _feature_of(body)
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise Problem(422, "bad_geojson", reason=Text("geojson_properties_not_object"))
    reason = feature.get("reason", props.get("reason", ""))
    if current is not None and feature.get("geometry") is None:
        geom, input_crs = shape_of(current.geom), current.input_crs
    else:
        geom = parse_geometry(feature.get("geometry"), crs_uri, max_vertices=max_vertices)
        input_crs = "EPSG:4490" if crs_uri == CRS84 else f"EPSG:{crs_uri.rsplit('/', 1)[1]}"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise Problem(422, "not_polygon", got=geom.geom_type)
    defaults = (
        {"name": current.name, "type": current.type, "custodial_parts": current.custodial}
        if current is not None
        else {}
    )
    values = {key: props.get(key, defaults.get(key)) for key in ("name", "type", "custodial_parts")}
    if not isinstance(values["name"], str) or not values["name"].strip():
        raise Problem(422, "name_missing")
    custodial = values["custodial_parts"]
    frame = gpd.GeoDataFrame(
        {
            "name": [values["name"]],
            "type": [str(values["type"] or "")],
            "custodial_parts": [json.dumps(custodial, ensure_ascii=False) if custodial else None],
        },
        geometry=[geom],
        crs=f"EPSG:{STORAGE_SRID}",
    )
    frame = resolve_crs(frame, layer="proposal")  # refuses coordinates far outside China
    checked = input_from_frame(frame, source="request")
    return ProposalInput(checked.name, checked.type, checked.custodial, geom, input_crs), str(
        reason
    )


def _etag(proposal_id: int, version: int, inp: ProposalInput) -> str:
    content = json.dumps(
        [
            proposal_id,
            version,
            inp.name,
            inp.type,
            inp.custodial,
            inp.input_crs,
            shapely.to_wkb(inp.geometry, hex=True),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def etag_header(version: ProposalVersion) -> str:
    return f'"{version.etag}"'


def parse_if_match(value: str | None) -> list[str] | None:
    """The strong entity tags of an If-Match header, without quotes; ``None`` if absent;
    ``["*"]`` for ``*`` (any current version). A weak tag (``W/"…"``) is left out: If-Match
    compares strongly, so it never matches (RFC 9110 § 13.1.1)."""
    if value is None or not value.strip():
        return None
    if value.strip() == "*":
        return [ANY_VERSION]
    tags = [part.strip() for part in value.split(",")]
    return [tag.strip('"') for tag in tags if not tag.startswith("W/")]


def _check_in_town(inp: ProposalInput, ctx: Context, town_name: str) -> float:
    geo = GeoProposal(
        name=inp.name, type=inp.type, geometry=inp.geometry, crs=pyproj.CRS.from_epsg(STORAGE_SRID)
    )
    metric = geo.to_crs(ctx.crs)
    if not metric.intersects(ctx.town):
        raise Problem(422, "outside_town", town=town_name)
    return float(metric.area)


def _version_row(
    proposal_id: int, number: int, inp: ProposalInput, user: User, reason: str, area: float
) -> ProposalVersion:
    return ProposalVersion(
        proposal_id=proposal_id,
        version=number,
        name=inp.name,
        type=inp.type,
        custodial=inp.custodial,
        input_crs=inp.input_crs,
        area_m2=area,
        reason=reason,
        author_id=user.id,
        created_at=utcnow(),
        etag=_etag(proposal_id, number, inp),
        geom=db_geom(inp.geometry),
        **bbox_columns(inp.geometry),
    )


def create(
    session: Session,
    *,
    town_id: int,
    town_name: str,
    ctx: Context,
    user: User,
    inp: ProposalInput,
    reason: str,
) -> tuple[Proposal, ProposalVersion]:
    """A new draft proposal with its version 1."""
    area = _check_in_town(inp, ctx, town_name)
    proposal = Proposal(town_id=town_id, state="draft", created_by=user.id, created_at=utcnow())
    session.add(proposal)
    session.flush()
    version = _version_row(proposal.id, 1, inp, user, reason, area)
    session.add(version)
    session.commit()
    return proposal, version


def head(session: Session, proposal_id: int) -> ProposalVersion:
    """The newest version of a proposal."""
    return session.scalars(
        select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal_id)
        .order_by(ProposalVersion.version.desc())
        .limit(1)
    ).one()


def edit(
    session: Session,
    proposal: Proposal,
    *,
    ctx: Context,
    town_name: str,
    user: User,
    inp: ProposalInput,
    reason: str,
    if_match: list[str] | None,
    current: ProposalVersion,
) -> ProposalVersion:
    """Store an edit as version n+1 if ``if_match`` names version n, the current one.

    Two writers racing for n+1 are settled by the database's uniqueness of
    (proposal, version): the loser's insert fails and it gets 412, so no edit is lost.
    """
    if if_match is None:
        raise Problem(428, "if_match_missing", etag=etag_header(current))
    if ANY_VERSION not in if_match and current.etag not in if_match:
        raise Problem(412, "if_match_stale", version=current.version, etag=etag_header(current))
    if proposal.state not in EDITABLE_STATES:
        raise Problem(409, "edit_locked", state=proposal.state)
    area = _check_in_town(inp, ctx, town_name)
    # hold the proposal while the version is written: a workflow step taken meanwhile waits
    # and then sees this version, and an edit never lands once the proposal left editing
    # an UPDATE answers with a cursor result, which counts the rows it changed
    held = cast(CursorResult[Any], session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state.in_(EDITABLE_STATES))
        .values(state=Proposal.state)
        .execution_options(synchronize_session=False)
    ))
    if held.rowcount != 1:
        session.rollback()
        moved = session.get(Proposal, proposal.id)
        assert moved is not None  # proposals are never deleted
        raise Problem(409, "edit_locked", state=moved.state)
    version = _version_row(proposal.id, current.version + 1, inp, user, reason, area)
    session.add(version)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        latest = head(session, proposal.id)
        raise Problem(
            412, "if_match_stale", version=latest.version, etag=etag_header(latest)
        ) from None
    return version


def get_proposal(session: Session, proposal_id: int, user: User | None) -> Proposal:
    """A proposal the caller may see: staff see all, the public approved ones only (404 else)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or (user is None and proposal.state not in PUBLIC_STATES):
        raise Problem(404, "proposal_not_found", id=proposal_id)
    return proposal


def approved(session: Session, proposal: Proposal) -> ProposalVersion:
    """The proposal's approved version (404 ``version_not_found`` if none is approved)."""
    if proposal.approved_version is None:
        raise Problem(404, "version_not_found", id=proposal.id, version=None)
    return version_of(session, proposal.id, proposal.approved_version)


def public_proposal(session: Session, proposal_id: int | None) -> Proposal:
    """An approved or registered proposal: ``proposal_id``, else the newest one (404 if none)."""
    query = select(Proposal).where(Proposal.state.in_(PUBLIC_STATES))
    query = (
        query.where(Proposal.id == proposal_id)
        if proposal_id is not None
        else query.order_by(Proposal.id.desc()).limit(1)
    )
    proposal = session.scalar(query)
    if proposal is None:
        if proposal_id is None:
            raise Problem(404, "no_approved_community")
        raise Problem(404, "community_not_public", id=proposal_id)
    return proposal


def listed(
    session: Session, *, staff: bool, state: str | None, offset: int, limit: int
) -> list[Proposal]:
    """Proposals in id order: all for staff, approved ones for the public."""
    query = select(Proposal).order_by(Proposal.id)
    if not staff:
        query = query.where(Proposal.state.in_(PUBLIC_STATES))
    if state:
        query = query.where(Proposal.state == state)
    return list(session.scalars(query.offset(offset).limit(limit)).all())


def versions_of(session: Session, proposal_id: int) -> list[ProposalVersion]:
    """Every version of a proposal, oldest first."""
    return list(
        session.scalars(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal_id)
            .order_by(ProposalVersion.version)
        ).all()
    )


def version_of(session: Session, proposal_id: int, number: int) -> ProposalVersion:
    version = session.scalar(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal_id, ProposalVersion.version == number
        )
    )
    if version is None:
        raise Problem(404, "version_not_found", id=proposal_id, version=number)
    return version


@dataclass(frozen=True)
class Change:
    """Area added to or removed from a proposal between two versions (storage CRS)."""

    change: str  # "added" or "removed"
    geometry: BaseGeometry
    area_m2: float


def changes(
    session: Session, proposal_id: int, old: int, new: int, *, work_crs: pyproj.CRS
) -> list[Change]:
    """What version ``new`` adds to and removes from version ``old``, measured in ``work_crs``."""
    before = shape_of(version_of(session, proposal_id, old).geom)
    after = shape_of(version_of(session, proposal_id, new).geom)
    stored = pyproj.CRS.from_epsg(STORAGE_SRID)
    out = []
    for change, geom in (
        ("added", shapely.difference(after, before)),
        ("removed", shapely.difference(before, after)),
    ):
        area = reproject(geom, stored, work_crs).area
        out.append(Change(change, geom, round(float(area), 1)))
    return out


def geo_proposal(version: ProposalVersion) -> GeoProposal:
    """The version as the spatial core's Proposal, in the CRS it was submitted in."""
    frame = gpd.GeoDataFrame(
        {
            "name": [version.name],
            "type": [version.type],
            "custodial_parts": [
                json.dumps(version.custodial, ensure_ascii=False) if version.custodial else None
            ],
        },
        geometry=[shape_of(version.geom)],
        crs=f"EPSG:{STORAGE_SRID}",
    )
    # back in the CRS it came in, so reports and packages speak the bureau's coordinates
    frame = frame.to_crs(version.input_crs)
    return proposal_from_frame(frame, source=f"proposal {version.proposal_id} v{version.version}")
