"""The joint site survey (findings at places, with photos) and the joint review (department
opinions): recorded only in the workflow state they belong to, never changed afterwards."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, TypeVar

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import Opinion, Proposal, ProposalVersion, SurveyFinding, User, utcnow
from api.geometry import bbox_columns, db_geom
from api.photos import photo_type
from api.problems import Problem
from api.services.joint_review import record_conditions, roster_of
from api.services.proposals import head
from api.services.workflow import REVIEW_STATE, SURVEY_STATE
from geo.i18n import t
from geo.rules.model import WorkflowRules

__all__ = [
    "FINDING_KINDS",
    "check_survey_open",
    "discard_photo",
    "finding_kind",
    "finding_of",
    "findings_of",
    "opinions_of",
    "record_finding",
    "record_opinion",
    "save_photo",
]

FINDING_KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "area",
    "MultiPolygon": "area",
}
T = TypeVar("T")


def save_photo(folder: Path, data: bytes, *, max_mb: float) -> tuple[str, str]:
    """Save a JPEG or PNG under a name the server chooses; its path below ``folder`` and type.

    Raises
    ------
    Problem
        413 above ``max_mb``, 415 if the bytes are not a JPEG or PNG image.
    """
    if len(data) > max_mb * 1024**2:
        raise Problem(413, "photo_too_large", size=len(data) / 1024**2, limit=max_mb)
    kind = photo_type(data)
    if kind is None:
        raise Problem(415, "photo_type")
    suffix, media = kind
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    name = f"photos/{uuid.uuid4().hex}{suffix}"
    with (folder / name).open("xb") as handle:
        handle.write(data)
    return name, media


def discard_photo(folder: Path, saved: tuple[str, str] | None) -> None:
    """Remove a photo saved for a finding that was not recorded."""
    if saved is not None:
        (folder / saved[0]).unlink(missing_ok=True)


def _department(user: User) -> str:
    if not user.department:
        raise Problem(409, "department_missing", user=user.username)
    return user.department


def _signed(proposal: Proposal, version: ProposalVersion, user: User) -> dict[str, Any]:
    """The columns every departmental record shares: on which version, by whom, for which
    department, and when (409 when the user has no department)."""
    return {
        "proposal_id": proposal.id,
        "version_id": version.id,
        "author_id": user.id,
        "department": _department(user),
        "created_at": utcnow(),
    }


def _recorded(session: Session, record: T) -> T:
    """``record`` stored for good."""
    session.add(record)
    session.commit()
    return record


def check_survey_open(proposal: Proposal, user: User) -> None:
    """409 unless the proposal is in its joint site survey and the user has a department."""
    if proposal.state != SURVEY_STATE:
        raise Problem(409, "survey_closed", state=proposal.state)
    _department(user)


def finding_kind(geometry: BaseGeometry) -> str:
    """``point``, ``line`` or ``area``; 422 for anything else."""
    kind = FINDING_KINDS.get(geometry.geom_type)
    if kind is None:
        raise Problem(422, "geometry_kind", got=geometry.geom_type)
    return kind


def record_finding(
    session: Session,
    proposal: Proposal,
    version: ProposalVersion,
    user: User,
    *,
    geometry: BaseGeometry,
    note: str,
    photo: tuple[str, str] | None,
) -> SurveyFinding:
    """Store a survey finding at ``geometry`` (lon/lat) for the user's department."""
    check_survey_open(proposal, user)
    kind = finding_kind(geometry)
    return _recorded(
        session,
        SurveyFinding(
            **_signed(proposal, version, user),
            kind=kind,
            note=note,
            photo_path=photo[0] if photo else None,
            photo_type=photo[1] if photo else None,
            geom=db_geom(geometry),
            **bbox_columns(geometry),
        ),
    )


def findings_of(session: Session, version: ProposalVersion) -> list[SurveyFinding]:
    return list(
        session.scalars(
            select(SurveyFinding)
            .where(SurveyFinding.version_id == version.id)
            .order_by(SurveyFinding.id)
        ).all()
    )


def finding_of(session: Session, version: ProposalVersion, finding_id: int) -> SurveyFinding | None:
    finding = session.get(SurveyFinding, finding_id)
    return finding if finding is not None and finding.version_id == version.id else None


def record_opinion(
    session: Session, proposal: Proposal, user: User, *, verdict: str, text: str,
    conditions: list[str], rules: WorkflowRules,
) -> tuple[Opinion, int]:
    """Store the user's department's opinion on the proposal's current version, with the
    conditions of an "agree with conditions" opinion (one at least, and only there).

    Raises
    ------
    Problem
        409 outside the joint review; 403 for a department not on the roster; 422 for
        conditions missing or given with another verdict.
    """
    if proposal.state != REVIEW_STATE:
        raise Problem(409, "review_closed", state=proposal.state)
    roster = roster_of(session, proposal, rules)
    department = _department(user)
    if roster.entry_of(department) is None:
        raise Problem(403, "department_not_on_roster", department=department,
                      roster=t("names_sep").join(roster.entries))
    conditions = [c.strip() for c in conditions if c.strip()]
    if verdict == "agree_with_conditions" and not conditions:
        raise Problem(422, "conditions_required")
    if verdict != "agree_with_conditions" and conditions:
        raise Problem(422, "conditions_need_verdict", verdict=verdict)
    current = head(session, proposal.id)
    opinion = Opinion(**_signed(proposal, current, user), verdict=verdict, text=text)
    session.add(opinion)
    record_conditions(session, opinion, conditions)
    session.commit()
    return opinion, current.version


def opinions_of(session: Session, proposal_id: int) -> list[tuple[Opinion, int]]:
    """Every opinion on a proposal, oldest first, with the version number it was given on."""
    rows = session.execute(
        select(Opinion, ProposalVersion.version)
        .join(ProposalVersion, ProposalVersion.id == Opinion.version_id)
        .where(Opinion.proposal_id == proposal_id)
        .order_by(Opinion.id)
    ).all()
    return [(opinion, number) for opinion, number in rows]
