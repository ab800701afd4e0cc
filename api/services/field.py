"""What a reviewer on the joint site survey (实地联合踏勘) reads in the field: the proposals
open for the survey or the joint review, and one proposal's survey sheet — its newest
boundary, the validation findings located on it, every survey finding made on any of its
versions and the departments' opinions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.analyses.validation import VALIDATION
from api.db.models import Opinion, Proposal, ProposalVersion, SurveyFinding, User
from api.services.joint_review import roster_of
from api.services.proposals import geo_proposal, head
from api.services.runs import latest_run
from api.services.towns import ContextCache
from api.services.workflow import REVIEW_STATE, SURVEY_STATE
from geo.i18n import Lang
from geo.rules.model import WorkflowRules
from geo.validate import validate

__all__ = ["FIELD_STATES", "OpenProposal", "SheetRights", "open_proposals", "rights_of",
           "survey_findings", "validation_findings"]

FIELD_STATES = (SURVEY_STATE, REVIEW_STATE)
"""The states a reviewer works on in the field: the survey, then the joint review."""


@dataclass(frozen=True)
class OpenProposal:
    """A proposal open for the survey or the joint review, as the field list shows it."""

    proposal: Proposal
    version: ProposalVersion
    findings: int  # survey findings on any version, every department
    own_findings: int  # those of the reader's department
    opinion_given: bool  # the reader's department has an opinion on the newest version


@dataclass(frozen=True)
class SheetRights:
    """What the reader may do on the sheet: record findings (the survey is open and they
    have a department) and give their department's opinion (joint review, on the roster)."""

    department: str | None
    roster_entry: str | None
    can_record: bool
    can_opine: bool


def _counts(session: Session, ids: list[int], department: str | None) -> tuple[
        dict[int, int], dict[int, int]]:
    if not ids:
        return {}, {}
    every = dict(session.execute(
        select(SurveyFinding.proposal_id, func.count()).where(
            SurveyFinding.proposal_id.in_(ids)).group_by(SurveyFinding.proposal_id)).all())
    own = dict(session.execute(
        select(SurveyFinding.proposal_id, func.count()).where(
            SurveyFinding.proposal_id.in_(ids), SurveyFinding.department == department)
        .group_by(SurveyFinding.proposal_id)).all()) if department else {}
    return every, own


def open_proposals(session: Session, user: User) -> list[OpenProposal]:
    """Proposals in the joint site survey or the joint review, oldest first."""
    proposals = list(session.scalars(
        select(Proposal).where(Proposal.state.in_(FIELD_STATES)).order_by(Proposal.id)).all())
    ids = [p.id for p in proposals]
    every, own = _counts(session, ids, user.department)
    rows = []
    for proposal in proposals:
        version = head(session, proposal.id)
        given = user.department is not None and bool(session.scalar(
            select(func.count()).select_from(Opinion).where(
                Opinion.version_id == version.id, Opinion.department == user.department)))
        rows.append(OpenProposal(proposal, version, every.get(proposal.id, 0),
                                 own.get(proposal.id, 0), given))
    return rows


def rights_of(session: Session, proposal: Proposal, user: User,
              rules: WorkflowRules) -> SheetRights:
    """What ``user`` may do on ``proposal``'s sheet in its current state."""
    entry = roster_of(session, proposal, rules).entry_of(user.department or "")
    return SheetRights(
        department=user.department,
        roster_entry=entry,
        can_record=proposal.state == SURVEY_STATE and bool(user.department),
        can_opine=proposal.state == REVIEW_STATE and entry is not None,
    )


def validation_findings(session: Session, contexts: ContextCache, proposal: Proposal,
                        version: ProposalVersion, lang: Lang) -> dict[str, Any]:
    """The validation findings of ``version`` as a FeatureCollection in WGS 84 (the report's
    summary under ``report``): the newest stored validation's, else validated now against
    the town's current context (as the application step checks it)."""
    run = latest_run(session, version.id, VALIDATION.name)
    ctx = contexts.get(proposal.town_id)
    report = VALIDATION.restore(session, run, ctx) if run is not None else None
    if report is None:
        report = validate(geo_proposal(version), ctx)
    return report.to_geojson(lang.value)


def survey_findings(session: Session,
                    proposal: Proposal) -> list[tuple[SurveyFinding, int]]:
    """Every survey finding on any version of ``proposal``, oldest first, with the version
    number it was made on."""
    rows = session.execute(
        select(SurveyFinding, ProposalVersion.version)
        .join(ProposalVersion, ProposalVersion.id == SurveyFinding.version_id)
        .where(SurveyFinding.proposal_id == proposal.id)
        .order_by(SurveyFinding.id)).all()
    return [(finding, number) for finding, number in rows]
