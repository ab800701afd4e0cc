"""The approval workflow of 001 § 二(一)4 as a state machine over immutable events.

draft ─application→ applied ─initial_review→ initially_reviewed ─site_survey→ surveyed
─joint_review→ jointly_reviewed ─approval→ approved ─registration→ registered; from any
review state a proposal may be rejected (final) or postponed (edited, then applied again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import Opinion, Proposal, User, WorkflowEvent, utcnow
from api.problems import Problem
from api.services.proposals import head
from geo.i18n import N_, t

__all__ = [
    "REVIEW_STATE",
    "STATE_LABELS",
    "STEPS",
    "SURVEY_STATE",
    "Step",
    "allowed_actions",
    "apply_action",
    "events_of",
    "latest_opinions",
]

_REVIEWING = ("applied", "initially_reviewed", "surveyed", "jointly_reviewed")
SURVEY_STATE = "initially_reviewed"  # the joint site survey happens after the initial review
REVIEW_STATE = "surveyed"  # departments give opinions after the survey


@dataclass(frozen=True)
class Step:
    """An action: the states it starts from, the state it leads to, who may take it."""

    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]


STEPS: dict[str, Step] = {
    "application": Step(("draft", "postponed"), "applied", ("gis",)),
    "initial_review": Step(("applied",), "initially_reviewed", ("civil_affairs",)),
    "site_survey": Step(("initially_reviewed",), "surveyed", ("civil_affairs", "reviewer")),
    "joint_review": Step(("surveyed",), "jointly_reviewed", ("civil_affairs",)),
    "approval": Step(("jointly_reviewed",), "approved", ("admin",)),
    "registration": Step(("approved",), "registered", ("civil_affairs",)),
    "rejection": Step(_REVIEWING, "rejected", ("civil_affairs", "admin")),
    "postponement": Step(_REVIEWING, "postponed", ("civil_affairs", "admin")),
}

# what each state is called (its message id)
STATE_LABELS = {
    "draft": N_("state_draft"),
    "applied": N_("state_applied"),
    "initially_reviewed": N_("state_initially_reviewed"),
    "surveyed": N_("state_surveyed"),
    "jointly_reviewed": N_("state_jointly_reviewed"),
    "approved": N_("state_approved"),
    "registered": N_("state_registered"),
    "rejected": N_("state_rejected"),
    "postponed": N_("state_postponed"),
}


def events_of(session: Session, proposal_id: int) -> list[WorkflowEvent]:
    """A proposal's workflow events in order."""
    return list(
        session.scalars(
            select(WorkflowEvent)
            .where(WorkflowEvent.proposal_id == proposal_id)
            .order_by(WorkflowEvent.seq)
        ).all()
    )


def allowed_actions(state: str) -> list[str]:
    return [name for name, step in STEPS.items() if state in step.sources]


def latest_opinions(session: Session, proposal_id: int, version: int) -> dict[str, Opinion]:
    """Each department's newest opinion on the proposal's reviewed version."""
    rows = session.scalars(
        select(Opinion)
        .where(Opinion.proposal_id == proposal_id)
        .order_by(Opinion.created_at, Opinion.id)
    ).all()
    latest: dict[str, Opinion] = {}
    for opinion in rows:
        latest[opinion.department] = opinion
    return latest


def _check_joint_review(session: Session, proposal: Proposal, version: int) -> None:
    opinions = latest_opinions(session, proposal.id, version)
    if not opinions:
        raise Problem(409, "opinions_missing")
    against = sorted(d for d, o in opinions.items() if o.verdict == "disagree")
    if against:
        raise Problem(409, "opinions_disagree", departments=t("names_sep").join(against))


def apply_action(
    session: Session, proposal: Proposal, action: str, user: User, reason: str
) -> WorkflowEvent:
    """Record ``action`` by ``user`` if the proposal's state and the user's role allow it.

    Concurrent actions are settled in the database: the state moves only from the state the
    decision was taken on (a conditional update), and events are numbered uniquely per
    proposal; the losers get 409, so no decision is recorded against a state that no longer
    holds.
    """
    step = STEPS.get(action)
    if step is None:
        raise Problem(422, "action_unknown", action=action, allowed=", ".join(STEPS))
    if user.role not in step.roles:
        raise Problem(403, "forbidden_role", role=user.role, allowed=", ".join(step.roles))
    state = proposal.state
    if state not in step.sources:
        raise Problem(
            409,
            "transition_invalid",
            state=state,
            action=action,
            allowed=", ".join(allowed_actions(state)) or "—",
        )
    if action == "joint_review":
        _check_joint_review(session, proposal, head(session, proposal.id).version)
    # claim the transition: only one writer can move the proposal out of ``state``
    claimed = cast(CursorResult[Any], session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == state)
        .values(state=step.target)
        .execution_options(synchronize_session=False)
    ))  # an UPDATE answers with a cursor result, which counts the rows it changed
    refused = Problem(
        409,
        "transition_invalid",
        state=state,
        action=action,
        allowed=", ".join(allowed_actions(state)) or "—",
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise refused
    # read the version only now that the proposal is claimed: an edit that was committing
    # meanwhile is then the version this decision is about
    version = head(session, proposal.id).version
    if action == "approval":
        session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(approved_version=version)
            .execution_options(synchronize_session=False)
        )
    seq = (
        int(
            session.scalar(
                select(func.coalesce(func.max(WorkflowEvent.seq), 0)).where(
                    WorkflowEvent.proposal_id == proposal.id
                )
            )
            or 0
        )
        + 1
    )
    event = WorkflowEvent(
        proposal_id=proposal.id,
        seq=seq,
        action=action,
        from_state=state,
        to_state=step.target,
        version=version,
        actor_id=user.id,
        reason=reason,
        created_at=utcnow(),
    )
    session.add(event)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise refused from None
    session.refresh(proposal)
    return event
