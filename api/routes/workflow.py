"""The approval workflow: ``/proposals/{id}/events`` (steps), ``…/versions/{v}/findings``
(joint site survey, with photos), ``/proposals/{id}/opinions`` (joint review) and
``/proposals/{id}/conditions`` (the opinions' conditions, marked met one by one)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.db.models import Opinion, SurveyFinding, WorkflowEvent
from api.deps import LangDep, ReviewerUser, SessionDep, StaffUser
from api.json_checks import JSONRefused, load_json
from api.photos import SAFE_HEADERS
from api.problems import Problem
from api.routes.common import Id, content_crs, crs_header, output_crs
from api.serialize import GeoJSONResponse, JSONDocument, feature_collection, iso, stored_feature
from api.services import joint_review as jr
from api.services import proposals as svc
from api.services import (
    registration,  # noqa: F401  (its hook changes the map on registration)
    review,
)
from api.services.proposals import parse_geometry
from api.services.users import usernames
from api.services.workflow import (
    ACTION_LABELS,
    STATE_LABELS,
    STEPS,
    StepInput,
    allowed_actions,
    apply_action,
    events_of,
)
from geo.i18n import t

__all__ = ["finding_feature", "opinion_json", "router"]

router = APIRouter(prefix="/proposals/{proposal_id}", tags=["workflow"])


class EventIn(BaseModel):
    """A workflow step and why; the facts some steps record beside the reason."""

    action: str = Field(max_length=30, description=", ".join(STEPS))
    reason: str = Field("", max_length=4000, description="why (required for every step)")
    confirm_errors: bool = Field(
        False, description="application: submit although validation found errors")
    convened_by: str | None = Field(
        None, max_length=200,
        description="committee_review: the director or deputy director who convened it")
    meeting_on: date | None = Field(None, description="committee_review: meeting date")
    minutes: str | None = Field(None, max_length=200,
                                description="committee_review: the minutes' reference")
    approval_number: str | None = Field(None, max_length=100,
                                        description="approval: the approval document's number")
    approved_on: date | None = Field(None, description="approval: date of the approval")
    decision_number: str | None = Field(
        None, max_length=100, description="registration: number of the registration decision")
    certificate_number: str | None = Field(
        None, max_length=100, description="registration: number of the registration certificate")
    credit_code: str | None = Field(
        None, max_length=18,
        description="registration: unified social credit code on the certificate")
    registered_on: date | None = Field(None, description="registration: date registered")

    def step_input(self) -> StepInput:
        facts = self.model_dump(exclude={"action", "reason", "confirm_errors"})
        return StepInput(self.reason, self.confirm_errors,
                         {k: v for k, v in facts.items() if v is not None})


class OpinionIn(BaseModel):
    """A department's opinion in the joint review; "agree with conditions" lists them."""

    verdict: Literal["agree", "agree_with_conditions", "disagree"]
    text: str = Field(min_length=1, max_length=8000)
    conditions: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=50)


class ConditionMetIn(BaseModel):
    """That a condition is met: how, and on which date (default today)."""

    note: str = Field(min_length=1, max_length=4000)
    met_on: date | None = None


def _event_json(event: WorkflowEvent, names: dict[int, str], lang: str) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "action_label": t(ACTION_LABELS[event.action], lang),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "state_label": t(STATE_LABELS[event.to_state], lang),
        "version": event.version,
        "actor": names.get(event.actor_id),
        "reason": event.reason,
        "details": event.details or {},
        "created_at": iso(event.created_at),
    }


@router.get("/events", summary="The proposal's workflow history: who did what, when, why (staff)")
def list_events(
    proposal_id: Id, request: Request, session: SessionDep, user: StaffUser, lang: LangDep
) -> dict[str, Any]:
    proposal = svc.get_proposal(session, proposal_id, user)
    events = events_of(session, proposal_id)
    names = usernames(session, [e.actor_id for e in events])
    rules = request.app.state.contexts.rules.workflow
    return {
        "proposal_id": proposal_id,
        "state": proposal.state,
        "state_label": t(STATE_LABELS[proposal.state], lang),
        "next_actions": [
            {"action": a, "roles": list(STEPS[a].roles)} for a in allowed_actions(proposal.state)
        ],
        "joint_review": jr.review_status(session, proposal, rules),
        "events": [_event_json(e, names, lang.value) for e in events],
    }


@router.post("/events", status_code=201, summary="Take a workflow step (allowed transitions only)")
def post_event(
    proposal_id: Id, body: EventIn, request: Request, session: SessionDep, user: StaffUser,
    lang: LangDep,
) -> JSONDocument:
    proposal = svc.get_proposal(session, proposal_id, user)
    event = apply_action(session, proposal, body.action, user, body.step_input(),
                         contexts=request.app.state.contexts)
    doc = _event_json(event, {user.id: user.username}, lang.value)
    return JSONDocument(
        doc, status_code=201, headers={"Location": f"/proposals/{proposal_id}/events"}
    )


def finding_feature(
    f: SurveyFinding, names: dict[int, str], out: str, version: int
) -> dict[str, Any]:
    """A survey finding as a Feature in ``out``: kind, note, department, author, time and
    the URL of its photo."""
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
def post_finding(
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
    settings = request.app.state.settings
    try:
        geom_json = load_json(geometry.encode(), max_depth=settings.max_json_depth)
    except JSONRefused as exc:
        raise Problem(422, exc.key, **exc.values) from exc
    except ValueError as exc:
        raise Problem(422, "bad_geojson", reason=str(exc)[:200]) from exc
    geom = parse_geometry(geom_json, content_crs(request),
                          max_vertices=settings.uploads.max_vertices)
    review.finding_kind(geom)  # before the photo is saved, so a refusal leaves no file behind
    saved = None
    if photo is not None and photo.filename:
        limits = settings.uploads
        photo.file.seek(0)
        data = photo.file.read(int(limits.max_photo_mb * 1024**2) + 1)
        saved = review.save_photo(request.app.state.upload_dir, data, max_mb=limits.max_photo_mb)
    try:
        finding = review.record_finding(
            session, proposal, row, user, geometry=geom, note=note, photo=saved
        )
    except BaseException:  # nothing recorded (a retry racing the first one included)
        review.discard_photo(request.app.state.upload_dir, saved)
        raise
    out = output_crs(request, None)
    doc = finding_feature(finding, {user.id: user.username}, out, version)
    location = f"/proposals/{proposal_id}/versions/{version}/findings/{finding.id}"
    return GeoJSONResponse(doc, status_code=201, headers={"Location": location})


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
    features = [finding_feature(f, names, out, version) for f in findings]
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
        request.app.state.upload_dir / finding.photo_path,
        media_type=finding.photo_type,
        headers=SAFE_HEADERS,
    )


def opinion_json(o: Opinion, names: dict[int, str], version: int,
                 conditions: list[jr.ConditionState]) -> dict[str, Any]:
    """A department's opinion with its conditions, on version ``version``."""
    return {
        "id": o.id,
        "department": o.department,
        "verdict": o.verdict,
        "text": o.text,
        "conditions": [_condition_json(c, names) for c in conditions
                       if c.condition.opinion_id == o.id],
        "author": names.get(o.author_id),
        "version": version,
        "created_at": iso(o.created_at),
    }


def _condition_json(c: jr.ConditionState, names: dict[int, str]) -> dict[str, Any]:
    met = c.met
    return {
        "id": c.condition.id,
        "opinion_id": c.condition.opinion_id,
        "department": c.condition.department,
        "text": c.condition.text,
        "met": None if met is None else {
            "by": names.get(met.met_by), "department": met.department, "on": met.met_on,
            "note": met.note, "recorded_at": iso(met.created_at)},
    }


@router.post("/opinions", status_code=201, summary="Give the department's joint-review opinion")
def post_opinion(
    proposal_id: Id, body: OpinionIn, request: Request, session: SessionDep, user: ReviewerUser
) -> JSONDocument:
    proposal = svc.get_proposal(session, proposal_id, user)
    opinion, number = review.record_opinion(
        session, proposal, user, verdict=body.verdict, text=body.text,
        conditions=body.conditions, rules=request.app.state.contexts.rules.workflow,
    )
    conditions = jr.conditions_of(session, proposal_id)
    doc = opinion_json(opinion, {user.id: user.username}, number, conditions)
    return JSONDocument(
        doc, status_code=201, headers={"Location": f"/proposals/{proposal_id}/opinions"}
    )


@router.get("/opinions", summary="The departments' opinions with their conditions (staff)")
def list_opinions(proposal_id: Id, session: SessionDep, user: StaffUser) -> dict[str, Any]:
    svc.get_proposal(session, proposal_id, user)
    rows = review.opinions_of(session, proposal_id)
    conditions = jr.conditions_of(session, proposal_id)
    names = usernames(session, [o.author_id for o, _ in rows]
                      + [c.met.met_by for c in conditions if c.met])
    return {
        "proposal_id": proposal_id,
        "opinions": [opinion_json(o, names, number, conditions) for o, number in rows],
    }


@router.get("/conditions", summary="The conditions of the opinions and whether each is met")
def list_conditions(proposal_id: Id, session: SessionDep, user: StaffUser) -> dict[str, Any]:
    svc.get_proposal(session, proposal_id, user)
    conditions = jr.conditions_of(session, proposal_id)
    names = usernames(session, [c.met.met_by for c in conditions if c.met])
    return {"proposal_id": proposal_id,
            "conditions": [_condition_json(c, names) for c in conditions]}


@router.post("/conditions/{condition_id}/met", status_code=201,
             summary="Mark a condition met: by the department that set it or the office")
def condition_met(
    proposal_id: Id, condition_id: Id, body: ConditionMetIn, request: Request,
    session: SessionDep, user: ReviewerUser,
) -> JSONDocument:
    proposal = svc.get_proposal(session, proposal_id, user)
    state = jr.mark_met(session, proposal, condition_id, user, met_on=body.met_on,
                        note=body.note, office=request.app.state.contexts.rules.workflow.office)
    doc = _condition_json(state, {user.id: user.username})
    return JSONDocument(doc, status_code=201,
                        headers={"Location": f"/proposals/{proposal_id}/conditions"})
