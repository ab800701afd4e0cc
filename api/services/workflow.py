"""The approval workflow of 001 § 二(一)4 as a state machine over immutable events.

draft ─application→ applied ─initial_review→ initially_reviewed ─site_survey→ surveyed
─joint_review→ jointly_reviewed ─approval→ approved ─registration→ registered. When the
proposal changes a village's or community's boundary (二(一)4(3)), the joint review leads to
committee_pending instead, and only the committee's decision (committee_review) leads on to
jointly_reviewed. From any review state a proposal may be terminated (rejection, 终止, final)
or postponed (postponement, 暂缓: edited, then applied again). A proposal still being edited
(draft or postponed) may be withdrawn by its applicant (withdrawal, 撤回, final).

Every step records who, when and why (a reason is required) and what it established
(:attr:`WorkflowEvent.details`). What a step needs beyond its state and role is checked by
the step's guard (:mod:`api.services.step_guards`); code that must act when a step is taken
(such as registration updating the town's map) registers with :func:`on_step` and runs in
the step's transaction, so a failure leaves no event behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import Proposal, User, WorkflowEvent, utcnow
from api.problems import Problem
from api.services.proposals import (
    ANY_VERSION,
    EDITABLE_STATES,
    WITHDRAWN,
    etag_header,
    head,
)
from api.services.step_guards import guard
from api.services.towns import ContextCache
from geo.i18n import N_
from geo.rules.model import Rules

__all__ = [
    "ACTION_LABELS",
    "REVIEW_STATE",
    "STATE_LABELS",
    "STEPS",
    "SURVEY_STATE",
    "Step",
    "StepInput",
    "StepTaken",
    "allowed_actions",
    "apply_action",
    "events_of",
    "on_step",
    "withdraw",
]

_REVIEWING = ("applied", "initially_reviewed", "surveyed", "committee_pending",
              "jointly_reviewed")
SURVEY_STATE = "initially_reviewed"  # the joint site survey happens after the initial review
REVIEW_STATE = "surveyed"  # departments give opinions after the survey


@dataclass(frozen=True)
class Step:
    """An action: the states it starts from, the state it leads to, who may take it."""

    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]


# the office (区委城乡现代社区建设指导委员会办公室) organises the survey, leads the joint review
# and records the committee's decision (001 § 二(一)4(2)–(3))
STEPS: dict[str, Step] = {
    "application": Step(("draft", "postponed"), "applied", ("gis",)),
    "initial_review": Step(("applied",), "initially_reviewed", ("civil_affairs",)),
    "site_survey": Step(("initially_reviewed",), "surveyed", ("office",)),
    "joint_review": Step(("surveyed",), "jointly_reviewed", ("office",)),
    "committee_review": Step(("committee_pending",), "jointly_reviewed", ("office",)),
    "approval": Step(("jointly_reviewed",), "approved", ("admin",)),
    "registration": Step(("approved",), "registered", ("civil_affairs",)),
    "rejection": Step(_REVIEWING, "rejected", ("civil_affairs", "office", "admin")),
    "postponement": Step(_REVIEWING, "postponed", ("civil_affairs", "office", "admin")),
    # the applicant takes back a proposal it is still editing (DELETE in the OGC API): it
    # leaves the proposals collection, its versions and history are kept
    "withdrawal": Step(EDITABLE_STATES, WITHDRAWN, ("gis",)),
}
# the joint review's target when a village's boundary changes
COMMITTEE_STATE = "committee_pending"

# what each state is called (its message id)
STATE_LABELS = {
    "draft": N_("state_draft"),
    "applied": N_("state_applied"),
    "initially_reviewed": N_("state_initially_reviewed"),
    "surveyed": N_("state_surveyed"),
    "committee_pending": N_("state_committee_pending"),
    "jointly_reviewed": N_("state_jointly_reviewed"),
    "approved": N_("state_approved"),
    "registered": N_("state_registered"),
    "rejected": N_("state_rejected"),
    "postponed": N_("state_postponed"),
    "withdrawn": N_("state_withdrawn"),
}
# what each step is called (its message id)
ACTION_LABELS = {
    "application": N_("action_application"),
    "initial_review": N_("action_initial_review"),
    "site_survey": N_("action_site_survey"),
    "joint_review": N_("action_joint_review"),
    "committee_review": N_("action_committee_review"),
    "approval": N_("action_approval"),
    "registration": N_("action_registration"),
    "rejection": N_("action_rejection"),
    "postponement": N_("action_postponement"),
    "withdrawal": N_("action_withdrawal"),
}


@dataclass(frozen=True)
class StepInput:
    """What the person taking a step says: why, and the step's own facts.

    ``confirm_errors`` acknowledges an application whose validation has errors; ``facts``
    holds the approval's document number, the registration certificate's fields or the
    committee meeting's (checked by the step's guard).
    """

    reason: str
    confirm_errors: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepTaken:
    """A step being recorded, as hooks registered with :func:`on_step` see it."""

    session: Session
    proposal: Proposal
    event: WorkflowEvent
    user: User
    contexts: ContextCache


Hook = Callable[[StepTaken], None]
_HOOKS: dict[str, list[Hook]] = {}


def on_step(action: str) -> Callable[[Hook], Hook]:
    """Register a function to run whenever ``action`` is taken, inside its transaction
    (after the event is added, before it is committed; raising refuses the step)."""
    if action not in STEPS:
        raise ValueError(f"no workflow step {action!r}")

    def register(hook: Hook) -> Hook:
        _HOOKS.setdefault(action, []).append(hook)
        return hook

    return register


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


def _refused(state: str, action: str) -> Problem:
    return Problem(409, "transition_invalid", state=state, action=action,
                   allowed=", ".join(allowed_actions(state)) or "—")


def _next_seq(session: Session, proposal_id: int) -> int:
    last = session.scalar(select(func.coalesce(func.max(WorkflowEvent.seq), 0))
                          .where(WorkflowEvent.proposal_id == proposal_id))
    return int(last or 0) + 1


def apply_action(
    session: Session,
    proposal: Proposal,
    action: str,
    user: User,
    step_input: StepInput,
    *,
    contexts: ContextCache,
) -> WorkflowEvent:
    """Record ``action`` by ``user`` if the proposal's state, the user's role and the step's
    guard allow it.

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
        raise _refused(state, action)
    if not step_input.reason.strip():
        raise Problem(422, "reason_required", action=action)
    rules: Rules = contexts.rules
    outcome = guard(action, session, proposal, step_input, contexts=contexts, rules=rules)
    target = outcome.target or step.target
    # claim the transition: only one writer can move the proposal out of ``state``
    claimed = cast(CursorResult[Any], session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == state)
        .values(state=target)
        .execution_options(synchronize_session=False)
    ))  # an UPDATE answers with a cursor result, which counts the rows it changed
    if claimed.rowcount != 1:
        session.rollback()
        raise _refused(state, action)
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
    event = WorkflowEvent(
        proposal_id=proposal.id, seq=_next_seq(session, proposal.id), action=action,
        from_state=state, to_state=target, version=version, actor_id=user.id,
        reason=step_input.reason.strip(), created_at=utcnow(), details=outcome.details,
    )
    session.add(event)
    try:
        session.flush()
        for hook in _HOOKS.get(action, ()):
            hook(StepTaken(session, proposal, event, user, contexts))
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _refused(state, action) from None
    except BaseException:
        session.rollback()
        raise
    session.refresh(proposal)
    return event


def withdraw(
    session: Session,
    proposal: Proposal,
    user: User,
    if_match: list[str] | None,
    *,
    reason: str,
    contexts: ContextCache,
) -> WorkflowEvent:
    """Withdraw a proposal still being edited, if ``if_match`` names its newest version (428
    without it, 412 when stale, as for an edit): the step ``withdrawal``."""
    current = head(session, proposal.id)
    if if_match is None:
        raise Problem(428, "if_match_missing", etag=etag_header(current))
    if ANY_VERSION not in if_match and current.etag not in if_match:
        raise Problem(412, "if_match_stale", version=current.version, etag=etag_header(current))
    return apply_action(session, proposal, "withdrawal", user, StepInput(reason),
                        contexts=contexts)
