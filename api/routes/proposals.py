"""``/proposals``: create from GeoJSON or a file, list, read, edit (new version with If-Match),
version history and the difference between two versions."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from api.db.models import Proposal, ProposalVersion, User
from api.deps import GisUser, OptionalUser, SessionDep, StaffUser
from api.problems import Problem
from api.routes.common import (
    MAX_ID,
    Id,
    content_crs,
    crs_header,
    is_staff,
    output_crs,
)
from api.serialize import (
    GEOJSON,
    JSON,
    GeoJSONResponse,
    feature,
    feature_collection,
    shape_json,
    version_feature,
)
from api.services import proposals as svc
from api.services.towns import get_town, town_for_proposal
from api.services.users import usernames

router = APIRouter(prefix="/proposals", tags=["proposals"])

CrsQuery = Annotated[
    str | None, Query(description="CRS of the response (CRS84, EPSG:4490, EPSG:4549 …)")
]

_BODY = {
    "requestBody": {
        "content": {
            GEOJSON: {
                "schema": {
                    "type": "object",
                    "description": "GeoJSON Feature: properties name, type, custodial_parts, "
                    "reason; town_id (the town) beside properties",
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "crs": {"type": "string"},
                        "layer": {"type": "string"},
                        "reason": {"type": "string"},
                        "town_id": {"type": "integer"},
                    },
                }
            },
        },
        "required": True,
    }
}


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc


async def _read_input(request: Request) -> tuple[svc.ProposalInput, str, int | None]:
    """The proposal in the request: a GeoJSON body or an uploaded file."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in (JSON, GEOJSON):
        body = await _json_body(request)
        inp, reason = svc.input_from_geojson(body, content_crs(request))
        return inp, reason, _town_id(body.get("town_id") if isinstance(body, dict) else None)
    if kind == "multipart/form-data":
        return await _read_upload(request)
    raise Problem(415, "content_type")


async def _read_upload(request: Request) -> tuple[svc.ProposalInput, str, int | None]:
    from api.uploads import UploadLimits, read_upload

    settings = request.app.state.settings
    limit = int(settings.uploads.max_file_mb * 1024**2)
    form = await request.form(max_part_size=limit + 1)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Problem(422, "content_type")
    data = await upload.read(limit + 1)
    workdir = Path(tempfile.mkdtemp(prefix="sijie-upload-"))
    try:
        frame = read_upload(
            data,
            upload.filename or "upload",
            workdir,
            limits=UploadLimits(max_bytes=limit),
            crs=_form_text(form, "crs"),
            layer=_form_text(form, "layer"),
        )
        inp = svc.input_from_frame(frame, source=upload.filename or "upload")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return inp, _form_text(form, "reason") or "", _town_id(_form_text(form, "town_id"))


def _form_text(form: Any, key: str) -> str | None:
    value = form.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _town_id(value: Any) -> int | None:
    """The town a new proposal names (a JSON integer or a form field of digits), if any."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Problem(422, "town_id_invalid", got=json.dumps(value, ensure_ascii=False)[:50])
    return value


def _feature(
    session: Session, proposal: Proposal, version: ProposalVersion, crs: str, user: User | None
) -> dict[str, Any]:
    author = usernames(session, [version.author_id]).get(version.author_id)
    return version_feature(proposal, version, crs, staff=is_staff(user), author=author)


def _visible_version(session: Session, proposal: Proposal, user: User | None) -> ProposalVersion:
    if is_staff(user):
        return svc.head(session, proposal.id)
    return svc.approved(session, proposal)


@router.post(
    "",
    status_code=201,
    openapi_extra=_BODY,
    summary="Create a proposal from a GeoJSON Feature or an uploaded file (version 1)",
)
async def create_proposal(request: Request, session: SessionDep, user: GisUser) -> GeoJSONResponse:
    inp, reason, town_id = await _read_input(request)
    town = town_for_proposal(session, town_id)
    ctx = request.app.state.contexts.get(town.id)
    proposal, version = svc.create(
        session, town_id=town.id, town_name=town.name, ctx=ctx, user=user, inp=inp, reason=reason
    )
    crs = output_crs(request, None)
    return GeoJSONResponse(
        _feature(session, proposal, version, crs, user),
        status_code=201,
        headers={
            "Location": f"/proposals/{proposal.id}",
            "ETag": svc.etag_header(version),
            **crs_header(crs),
        },
    )


@router.get("", summary="Proposals (the public sees approved ones only)")
def list_proposals(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    crs: CrsQuery = None,
    state: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    proposals = svc.listed(session, staff=is_staff(user), state=state, offset=offset, limit=limit)
    features = [
        _feature(session, p, _visible_version(session, p, user), out, user) for p in proposals
    ]
    return GeoJSONResponse(feature_collection(features), headers=crs_header(out))


@router.get("/{proposal_id}", summary="A proposal: its newest version (public: the approved one)")
def get_proposal(
    proposal_id: Id, request: Request, session: SessionDep, user: OptionalUser, crs: CrsQuery = None
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    proposal = svc.get_proposal(session, proposal_id, user)
    version = _visible_version(session, proposal, user)
    headers = crs_header(out)
    if is_staff(user):
        headers["ETag"] = svc.etag_header(version)
    return GeoJSONResponse(_feature(session, proposal, version, out, user), headers=headers)


async def _edit(
    proposal_id: int, request: Request, session: Session, user: User, *, merge: bool
) -> GeoJSONResponse:
    proposal = svc.get_proposal(session, proposal_id, user)
    current = svc.head(session, proposal_id)
    if_match = svc.parse_if_match(request.headers.get("if-match"))
    if if_match is None:
        raise Problem(428, "if_match_missing", etag=svc.etag_header(current))
    body = await _json_body(request)
    inp, reason = svc.input_from_geojson(
        body, content_crs(request), current=current if merge else None
    )
    town = get_town(session, proposal.town_id)
    version = svc.edit(
        session,
        proposal,
        ctx=request.app.state.contexts.get(town.id),
        town_name=town.name,
        user=user,
        inp=inp,
        reason=reason,
        if_match=if_match,
        current=current,
    )
    out = output_crs(request, None)
    return GeoJSONResponse(
        _feature(session, proposal, version, out, user),
        headers={
            "ETag": svc.etag_header(version),
            "Location": f"/proposals/{proposal_id}/versions/{version.version}",
            **crs_header(out),
        },
    )


@router.put(
    "/{proposal_id}",
    openapi_extra=_BODY,
    summary="Replace the boundary and attributes: a new version (If-Match required)",
)
async def put_proposal(
    proposal_id: Id, request: Request, session: SessionDep, user: GisUser
) -> GeoJSONResponse:
    return await _edit(proposal_id, request, session, user, merge=False)


@router.patch(
    "/{proposal_id}",
    openapi_extra=_BODY,
    summary="Change some members (geometry or properties): a new version (If-Match required)",
)
async def patch_proposal(
    proposal_id: Id, request: Request, session: SessionDep, user: GisUser
) -> GeoJSONResponse:
    return await _edit(proposal_id, request, session, user, merge=True)


@router.get("/{proposal_id}/versions", summary="Every version of a proposal, oldest first (staff)")
def list_versions(
    proposal_id: Id, request: Request, session: SessionDep, user: StaffUser, crs: CrsQuery = None
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    proposal = svc.get_proposal(session, proposal_id, user)
    versions = svc.versions_of(session, proposal_id)
    names = usernames(session, [v.author_id for v in versions])
    features = [
        version_feature(proposal, v, out, staff=True, author=names.get(v.author_id))
        for v in versions
    ]
    return GeoJSONResponse(feature_collection(features), headers=crs_header(out))


@router.get(
    "/{proposal_id}/versions/{version}", summary="One version (the public: the approved one)"
)
def get_version(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    crs: CrsQuery = None,
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    proposal = svc.get_proposal(session, proposal_id, user)
    if not is_staff(user) and version != proposal.approved_version:
        raise Problem(404, "version_not_found", id=proposal_id, version=version)
    row = svc.version_of(session, proposal_id, version)
    return GeoJSONResponse(
        _feature(session, proposal, row, out, user),
        headers={"ETag": svc.etag_header(row), **crs_header(out)},
    )


@router.get("/{proposal_id}/diff", summary="Area added and removed between two versions (staff)")
def diff(
    proposal_id: Id,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_ID)],
    to: Annotated[int, Query(ge=1, le=MAX_ID)],
    crs: CrsQuery = None,
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    proposal = svc.get_proposal(session, proposal_id, user)
    ctx = request.app.state.contexts.get(proposal.town_id)
    features = [
        feature(
            shape_json(c.geometry, out),
            {"change": c.change, "area_m2": c.area_m2, "from": from_, "to": to},
            fid=c.change,
        )
        for c in svc.changes(session, proposal_id, from_, to, work_crs=ctx.crs)
    ]
    return GeoJSONResponse(feature_collection(features, returned=False), headers=crs_header(out))
