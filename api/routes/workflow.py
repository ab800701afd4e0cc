"""The approval workflow: ``/proposals/{id}/events`` (steps), ``…/versions/{v}/findings``
(joint site survey, with photos) and ``/proposals/{id}/opinions`` (joint review)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.db.models import Opinion, ProposalVersion, SurveyFinding, User, WorkflowEvent, utcnow
from api.deps import LangDep, SessionDep, require_roles
from api.problems import Problem
from api.routes.common import Id, GEOJSON, content_crs, crs_header, output_crs, usernames
from api.serialize import geometry_json, iso
from api.services import proposals as svc
from api.services.geometry import bbox_columns, db_geom
from api.services.proposals import parse_geometry
from api.services.workflow import (REVIEW_STATE, STATE_LABELS, STEPS, SURVEY_STATE,
                                   allowed_actions, apply_action)

router = APIRouter(prefix="/proposals/{proposal_id}", tags=["workflow"])

Staff = Annotated[User, Depends(require_roles("gis", "reviewer", "civil_affairs", "admin"))]
Reviewer = Annotated[User, Depends(require_roles("reviewer", "civil_affairs"))]
_KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line",
          "MultiLineString": "line", "Polygon": "area", "MultiPolygon": "area"}
_PHOTO_TYPES = ((b"\xff\xd8\xff", ".jpg", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", ".png", "image/png"))


class EventIn(BaseModel):
    """A workflow step: one of application, initial_review, site_survey, joint_review,
    approval, registration, rejection, postponement; and why."""

    action: str = Field(max_length=30)
    reason: str = Field("", max_length=4000)


class OpinionIn(BaseModel):
    """A department's opinion in the joint review."""

    verdict: Literal["agree", "agree_with_conditions", "disagree"]
    text: str = Field(min_length=1, max_length=8000)


def _event_json(event: WorkflowEvent, names: dict[int, str], lang: str) -> dict[str, Any]:
    return {"seq": event.seq, "action": event.action, "from_state": event.from_state,
            "to_state": event.to_state, "state_label": STATE_LABELS[event.to_state][lang],
            "version": event.version, "actor": names.get(event.actor_id), "reason": event.reason,
            "created_at": iso(event.created_at)}


def _events(session, proposal_id: int) -> list[WorkflowEvent]:
    return list(session.scalars(select(WorkflowEvent).where(WorkflowEvent.proposal_id == proposal_id)
                                .order_by(WorkflowEvent.seq)).all())


@router.get("/events", summary="The proposal's workflow history: who did what, when, why (staff)")
def list_events(proposal_id: Id, session: SessionDep, user: Staff, lang: LangDep) -> dict[str, Any]:
    proposal = svc.get_proposal(session, proposal_id, user)
    events = _events(session, proposal_id)
    names = usernames(session, [e.actor_id for e in events])
    return {"proposal_id": proposal_id, "state": proposal.state,
            "state_label": STATE_LABELS[proposal.state][lang.value],
            "next_actions": [{"action": a, "roles": list(STEPS[a].roles)} for a in allowed_actions(proposal.state)],
            "events": [_event_json(e, names, lang.value) for e in events]}


@router.post("/events", status_code=201, summary="Take a workflow step (allowed transitions only)")
def post_event(proposal_id: Id, body: EventIn, session: SessionDep, user: Staff,
               lang: LangDep) -> Response:
    proposal = svc.get_proposal(session, proposal_id, user)
    event = apply_action(session, proposal, body.action, user, body.reason)
    doc = _event_json(event, {user.id: user.username}, lang.value)
    return Response(json.dumps(doc, ensure_ascii=False), status_code=201, media_type="application/json",
                    headers={"Location": f"/proposals/{proposal_id}/events"})


def _finding_feature(f: SurveyFinding, names: dict[int, str], out: str, version: int) -> dict[str, Any]:
    photo = f"/proposals/{f.proposal_id}/versions/{version}/findings/{f.id}/photo" if f.photo_path else None
    return {"type": "Feature", "id": f.id, "geometry": geometry_json(f.geom, out),
            "properties": {"kind": f.kind, "note": f.note, "department": f.department,
                           "author": names.get(f.author_id), "created_at": iso(f.created_at),
                           "photo": photo}}


def _save_photo(request: Request, data: bytes) -> tuple[str, str]:
    limits = request.app.state.settings.uploads
    if len(data) > limits.max_photo_mb * 1024 ** 2:
        raise Problem(413, "photo_too_large", size=len(data) / 1024 ** 2, limit=limits.max_photo_mb)
    for magic, suffix, media in _PHOTO_TYPES:
        if data.startswith(magic):
            folder: Path = request.app.state.upload_dir / "photos"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{uuid.uuid4().hex}{suffix}"
            with (folder / name).open("xb") as handle:
                handle.write(data)
            return f"photos/{name}", media
    raise Problem(415, "photo_type")


@router.post("/versions/{version}/findings", status_code=201,
             summary="Record a joint-site-survey finding: a place, a note and an optional photo")
async def post_finding(proposal_id: Id, version: Id, request: Request, session: SessionDep,
                       user: Reviewer, geometry: Annotated[str, Form(description="GeoJSON geometry")],
                       note: Annotated[str, Form(min_length=1, max_length=8000)],
                       photo: Annotated[UploadFile | None, File()] = None) -> Response:
    proposal = svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    if proposal.state != SURVEY_STATE:
        raise Problem(409, "survey_closed", state=proposal.state)
    if not user.department:
        raise Problem(409, "department_missing", user=user.username)
    try:
        geom_json = json.loads(geometry)
    except ValueError as exc:
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc
    geom = parse_geometry(geom_json, content_crs(request))
    if geom.geom_type not in _KINDS:
        raise Problem(422, "geometry_kind", got=geom.geom_type)
    photo_path = photo_type = None
    if photo is not None and photo.filename:
        limit = int(request.app.state.settings.uploads.max_photo_mb * 1024 ** 2)
        photo_path, photo_type = _save_photo(request, await photo.read(limit + 1))
    finding = SurveyFinding(proposal_id=proposal_id, version_id=row.id, author_id=user.id,
                            department=user.department, kind=_KINDS[geom.geom_type], note=note,
                            photo_path=photo_path, photo_type=photo_type, created_at=utcnow(),
                            geom=db_geom(geom), **bbox_columns(geom))
    session.add(finding)
    session.commit()
    out = output_crs(request, None)
    doc = _finding_feature(finding, {user.id: user.username}, out, version)
    return Response(json.dumps(doc, ensure_ascii=False), status_code=201, media_type=GEOJSON,
                    headers={"Location": f"/proposals/{proposal_id}/versions/{version}/findings/{finding.id}"})


@router.get("/versions/{version}/findings", summary="The survey findings on a version (staff)")
def list_findings(proposal_id: Id, version: Id, request: Request, session: SessionDep,
                  user: Staff, crs: Annotated[str | None, Query()] = None) -> Response:
    out = output_crs(request, crs)
    svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    findings = session.scalars(select(SurveyFinding).where(SurveyFinding.version_id == row.id)
                               .order_by(SurveyFinding.id)).all()
    names = usernames(session, [f.author_id for f in findings])
    body = {"type": "FeatureCollection", "numberReturned": len(findings),
            "features": [_finding_feature(f, names, out, version) for f in findings]}
    return Response(json.dumps(body, ensure_ascii=False), media_type=GEOJSON, headers=crs_header(out))


@router.get("/versions/{version}/findings/{finding_id}/photo", summary="A finding's photo (staff)")
def finding_photo(proposal_id: Id, version: Id, finding_id: Id, request: Request,
                  session: SessionDep, user: Staff) -> FileResponse:
    svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    finding = session.get(SurveyFinding, finding_id)
    if finding is None or finding.version_id != row.id or not finding.photo_path:
        raise Problem(404, "photo_missing")
    return FileResponse(request.app.state.upload_dir / finding.photo_path, media_type=finding.photo_type)


def _opinion_json(o: Opinion, names: dict[int, str], version: Id) -> dict[str, Any]:
    return {"id": o.id, "department": o.department, "verdict": o.verdict, "text": o.text,
            "author": names.get(o.author_id), "version": version, "created_at": iso(o.created_at)}


@router.post("/opinions", status_code=201, summary="Give the department's joint-review opinion")
def post_opinion(proposal_id: Id, body: OpinionIn, session: SessionDep, user: Reviewer) -> Response:
    proposal = svc.get_proposal(session, proposal_id, user)
    if proposal.state != REVIEW_STATE:
        raise Problem(409, "review_closed", state=proposal.state)
    if not user.department:
        raise Problem(409, "department_missing", user=user.username)
    current = svc.head(session, proposal_id)
    opinion = Opinion(proposal_id=proposal_id, version_id=current.id, author_id=user.id,
                      department=user.department, verdict=body.verdict, text=body.text,
                      created_at=utcnow())
    session.add(opinion)
    session.commit()
    doc = _opinion_json(opinion, {user.id: user.username}, current.version)
    return Response(json.dumps(doc, ensure_ascii=False), status_code=201, media_type="application/json",
                    headers={"Location": f"/proposals/{proposal_id}/opinions"})


@router.get("/opinions", summary="The departments' opinions (staff)")
def list_opinions(proposal_id: Id, session: SessionDep, user: Staff) -> dict[str, Any]:
    svc.get_proposal(session, proposal_id, user)
    rows = session.scalars(select(Opinion).where(Opinion.proposal_id == proposal_id)
                           .order_by(Opinion.id)).all()
    numbers = dict(session.execute(select(ProposalVersion.id, ProposalVersion.version)
                                   .where(ProposalVersion.proposal_id == proposal_id)).all())
    names = usernames(session, [o.author_id for o in rows])
    return {"proposal_id": proposal_id,
            "opinions": [_opinion_json(o, names, numbers[o.version_id]) for o in rows]}
