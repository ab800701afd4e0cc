"""``/proposals``: create from GeoJSON or a file, list, read, edit (new version with If-Match),
version history and the difference between two versions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from api.db.models import Proposal, ProposalVersion, User
from api.deps import GisUser, OptionalUser, SessionDep, StaffUser
from api.json_checks import JSONRefused, load_json
from api.problems import Problem
from api.routes.common import (
    MAX_ID,
    Id,
    content_crs,
    crs_header,
    form_text,
    is_staff,
    output_crs,
    read_proposal_upload,
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

MERGE_PATCH = "application/merge-patch+json"  # RFC 7396, OGC API Features Part 4's update

CrsQuery = Annotated[
    str | None, Query(description="CRS of the response (CRS84, EPSG:4490, EPSG:4549 …)")
]

PROPOSAL_BODY = {
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
                        "feature": {"type": "string"},
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                        "reason": {"type": "string"},
                        "town_id": {"type": "integer"},
                    },
                }
            },
        },
        "required": True,
    }
}


@dataclass(frozen=True)
class Sent:
    """What a create or edit request carries: a JSON body, or an uploaded file and its fields."""

    body: Any = None
    file: bytes | None = None
    filename: str = "upload"
    fields: dict[str, str | None] = field(default_factory=dict)


def _json_of(data: bytes, request: Request) -> Any:
    settings = request.app.state.settings
    try:
        return load_json(data, max_depth=settings.max_json_depth)
    except JSONRefused as exc:
        raise Problem(422, exc.key, **exc.values) from exc
    except ValueError as exc:
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc


async def _sent(request: Request) -> Sent:
    """The body of a create or edit, read on the event loop (parsed, never run: files are
    opened later in a worker process)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in (JSON, GEOJSON, MERGE_PATCH):
        return Sent(body=_json_of(await request.body(), request))
    if kind == "multipart/form-data" and request.method == "POST":
        limit = int(request.app.state.settings.uploads.max_file_mb * 1024**2)
        form = await request.form(max_part_size=limit + 1)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(422, "content_type")
        fields = {key: form_text(form, key) for key in ("crs", "layer", "feature", "name", "type",
                                                  "reason", "town_id")}
        return Sent(file=await upload.read(limit + 1), filename=upload.filename or "upload",
                    fields=fields)
    raise Problem(415, "content_type")


SentDep = Annotated[Sent, Depends(_sent)]


def _read_input(request: Request, sent: Sent) -> tuple[svc.ProposalInput, str, int | None]:
    """The proposal in the request: a GeoJSON body or an uploaded file."""
    if sent.file is None:
        body = sent.body
        inp, reason = svc.input_from_geojson(body, content_crs(request),
                                             max_vertices=max_vertices(request))
        return inp, reason, _town_id(body.get("town_id") if isinstance(body, dict) else None)
    return read_upload_input(request, sent)


def max_vertices(request: Request) -> int:
    """The most vertices a boundary sent to the service may have (``uploads.max_vertices``)."""
    return int(request.app.state.settings.uploads.max_vertices)


def read_upload_input(request: Request, sent: Sent) -> tuple[svc.ProposalInput, str, int | None]:
    """The proposal in an uploaded file, read by a worker process (see api.isolation)."""
    assert sent.file is not None
    inp = read_proposal_upload(request, sent.file, sent.filename, sent.fields)
    return inp, sent.fields.get("reason") or "", _town_id(sent.fields.get("town_id"))


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
    openapi_extra=PROPOSAL_BODY,
    summary="Create a proposal from a GeoJSON Feature or an uploaded file (version 1)",
)
def create_proposal(
    request: Request, session: SessionDep, user: GisUser, sent: SentDep
) -> GeoJSONResponse:
    return create_answer(request, session, user, sent, location="/proposals/{id}")


def create_answer(request: Request, session: Session, user: User, sent: Sent, *,
                  location: str) -> GeoJSONResponse:
    """Create a proposal from the request and answer 201 with it, its ETag and ``location``
    (``{id}`` filled in)."""
    inp, reason, town_id = _read_input(request, sent)
    town = town_for_proposal(session, town_id)
    ctx = request.app.state.contexts.get(town.id)
    proposal, version = svc.create(
        session, town_id=town.id, town_name=town.name, ctx=ctx, user=user, inp=inp,
        reason=reason,
    )
    crs = output_crs(request, None)
    # the answer reads nothing more from the store: a connection cut after the commit
    # cannot lose it
    doc = version_feature(proposal, version, crs, staff=is_staff(user), author=user.username)
    return GeoJSONResponse(
        doc,
        status_code=201,
        headers={
            "Location": location.format(id=proposal.id),
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


def edit_answer(
    proposal_id: int, request: Request, session: Session, user: User, sent: Sent, *, merge: bool,
    location: str = "/proposals/{id}/versions/{version}",
) -> GeoJSONResponse:
    """Store the request's edit as the proposal's next version (``merge``: absent members
    keep their values) and answer with it, its ETag and ``location``."""
    if sent.file is not None:
        raise Problem(415, "content_type")
    proposal = svc.get_proposal(session, proposal_id, user)
    current = svc.head(session, proposal_id)
    if_match = svc.parse_if_match(request.headers.get("if-match"))
    if if_match is None:
        raise Problem(428, "if_match_missing", etag=svc.etag_header(current))
    inp, reason = svc.input_from_geojson(
        sent.body, content_crs(request), current=current if merge else None,
        max_vertices=max_vertices(request),
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
            "Location": location.format(id=proposal_id, version=version.version),
            **crs_header(out),
        },
    )


@router.put(
    "/{proposal_id}",
    openapi_extra=PROPOSAL_BODY,
    summary="Replace the boundary and attributes: a new version (If-Match required)",
)
def put_proposal(
    proposal_id: Id, request: Request, session: SessionDep, user: GisUser, sent: SentDep
) -> GeoJSONResponse:
    return edit_answer(proposal_id, request, session, user, sent, merge=False)


@router.patch(
    "/{proposal_id}",
    openapi_extra=PROPOSAL_BODY,
    summary="Change some members (geometry or properties): a new version (If-Match required)",
)
def patch_proposal(
    proposal_id: Id, request: Request, session: SessionDep, user: GisUser, sent: SentDep
) -> GeoJSONResponse:
    return edit_answer(proposal_id, request, session, user, sent, merge=True)


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
