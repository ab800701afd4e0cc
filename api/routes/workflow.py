"""The approval workflow: ``/proposals/{id}/events`` (steps), ``…/versions/{v}/findings``
(joint site survey, with photos) and ``/proposals/{id}/opinions`` (joint review)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.db.models import Opinion, SurveyFinding, WorkflowEvent
from api.deps import LangDep, ReviewerUser, SessionDep, StaffUser
from api.problems import Problem
from api.routes.common import Id, content_crs, crs_header, output_crs
from api.serialize import GeoJSONResponse, JSONDocument, feature_collection, iso, stored_feature
from api.services import proposals as svc
from api.services import review
from api.services.proposals import parse_geometry
from api.services.users import usernames
from api.services.workflow import STATE_LABELS, STEPS, allowed_actions, apply_action, events_of
from geo.i18n import t

router = APIRouter(prefix="/proposals/{proposal_id}", tags=["workflow"])


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
    return {
        "seq": event.seq,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "state_label": t(STATE_LABELS[event.to_state], lang),
        "version": event.version,
        "actor": names.get(event.actor_id),
        "reason": event.reason,
        "created_at": iso(event.created_at),
    }


@router.get("/events", summary="The proposal's workflow history: who did what, when, why (staff)")
def list_events(
    proposal_id: Id, session: SessionDep, user: StaffUser, lang: LangDep
) -> dict[str, Any]:
    proposal = svc.get_proposal(session, proposal_id, user)
    events = events_of(session, proposal_id)
    names = usernames(session, [e.actor_id for e in events])
    return {
        "proposal_id": proposal_id,
        "state": proposal.state,
        "state_label": t(STATE_LABELS[proposal.state], lang),
        "next_actions": [
            {"action": a, "roles": list(STEPS[a].roles)} for a in allowed_actions(proposal.state)
        ],
        "events": [_event_json(e, names, lang.value) for e in events],
    }


@router.post("/events", status_code=201, summary="Take a workflow step (allowed transitions only)")
def post_event(
    proposal_id: Id, body: EventIn, session: SessionDep, user: StaffUser, lang: LangDep
) -> JSONDocument:
    proposal = svc.get_proposal(session, proposal_id, user)
    event = apply_action(session, proposal, body.action, user, body.reason)
    doc = _event_json(event, {user.id: user.username}, lang.value)
    return JSONDocument(
        doc, status_code=201, headers={"Location": f"/proposals/{proposal_id}/events"}
    )


def _finding_feature(
    f: SurveyFinding, names: dict[int, str], out: str, version: int
) -> dict[str, Any]:
    photo = (
        f"/proposals/{f.proposal_id}/versions/{version}/findings/{f.id}/photo"
        if f.photo_path
        else None
    )
    props = {
        "kind": f.kind,
        "note": f.note,
        "department": f.department,
        "author": names.get(f.author_id),
        "created_at": iso(f.created_at),
        "photo": photo,
    }
    return stored_feature(f.id, f.geom, props, out)


@router.post(
    "/versions/{version}/findings",
    status_code=201,
    summary="Record a joint-site-survey finding: a place, a note and an optional photo",
)
async def post_finding(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    user: ReviewerUser,
    geometry: Annotated[str, Form(description="GeoJSON geometry")],
    note: Annotated[str, Form(min_length=1, max_length=8000)],
    photo: Annotated[UploadFile | None, File()] = None,
) -> GeoJSONResponse:
    proposal = svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    review.check_survey_open(proposal, user)
    try:
        geom_json = json.loads(geometry)
    except ValueError as exc:
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc
    geom = parse_geometry(geom_json, content_crs(request))
    review.finding_kind(geom)  # before the photo is saved, so a refusal leaves no file behind
    saved = None
    if photo is not None and photo.filename:
        limits = request.app.state.settings.uploads
        data = await photo.read(int(limits.max_photo_mb * 1024**2) + 1)
        saved = review.save_photo(request.app.state.upload_dir, data, max_mb=limits.max_photo_mb)
    finding = review.record_finding(
        session, proposal, row, user, geometry=geom, note=note, photo=saved
    )
    out = output_crs(request, None)
    doc = _finding_feature(finding, {user.id: user.username}, out, version)
    return GeoJSONResponse(
        doc,
        status_code=201,
        headers={"Location": f"/proposals/{proposal_id}/versions/{version}/findings/{finding.id}"},
    )


@router.get("/versions/{version}/findings", summary="The survey findings on a version (staff)")
def list_findings(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    crs: Annotated[str | None, Query()] = None,
) -> GeoJSONResponse:
    out = output_crs(request, crs)
    svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    findings = review.findings_of(session, row)
    names = usernames(session, [f.author_id for f in findings])
    features = [_finding_feature(f, names, out, version) for f in findings]
    return GeoJSONResponse(feature_collection(features), headers=crs_header(out))


@router.get("/versions/{version}/findings/{finding_id}/photo", summary="A finding's photo (staff)")
def finding_photo(
    proposal_id: Id,
    version: Id,
    finding_id: Id,
    request: Request,
    session: SessionDep,
    user: StaffUser,
) -> FileResponse:
    svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    finding = review.finding_of(session, row, finding_id)
    if finding is None or not finding.photo_path:
        raise Problem(404, "photo_missing")
    return FileResponse(
        request.app.state.upload_dir / finding.photo_path, media_type=finding.photo_type
    )


def _opinion_json(o: Opinion, names: dict[int, str], version: int) -> dict[str, Any]:
    return {
        "id": o.id,
        "department": o.department,
        "verdict": o.verdict,
        "text": o.text,
        "author": names.get(o.author_id),
        "version": version,
        "created_at": iso(o.created_at),
    }


@router.post("/opinions", status_code=201, summary="Give the department's joint-review opinion")
def post_opinion(
    proposal_id: Id, body: OpinionIn, session: SessionDep, user: ReviewerUser
) -> JSONDocument:
    proposal = svc.get_proposal(session, proposal_id, user)
    opinion, number = review.record_opinion(
        session, proposal, user, verdict=body.verdict, text=body.text
    )
    doc = _opinion_json(opinion, {user.id: user.username}, number)
    return JSONDocument(
        doc, status_code=201, headers={"Location": f"/proposals/{proposal_id}/opinions"}
    )


@router.get("/opinions", summary="The departments' opinions (staff)")
def list_opinions(proposal_id: Id, session: SessionDep, user: StaffUser) -> dict[str, Any]:
    svc.get_proposal(session, proposal_id, user)
    rows = review.opinions_of(session, proposal_id)
    names = usernames(session, [o.author_id for o, _ in rows])
    return {
        "proposal_id": proposal_id,
        "opinions": [_opinion_json(o, names, number) for o, number in rows],
    }
