"""The joint review's record (001 § 二(一)4(2)–(3)): which departments must give an opinion,
which have, and the conditions of "agree with conditions" opinions until each is marked met.

The roster is the rules' ``workflow`` section: the district departments by the names users'
departments carry, and the town (街道), spoken for by a department whose name contains the
proposal's town's name. Only opinions on the version under review count; a department's
newest opinion replaces its earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import ConditionMet, Opinion, Proposal, ReviewCondition, Town, User, utcnow
from api.problems import Problem
from api.services.proposals import head
from geo.i18n import t
from geo.rules.model import WorkflowRules

__all__ = [
    "ConditionState",
    "Roster",
    "conditions_of",
    "describe",
    "latest_opinions",
    "mark_met",
    "missing_departments",
    "record_conditions",
    "review_status",
    "roster_of",
    "unmet_conditions",
]


@dataclass(frozen=True)
class Roster:
    """Who must give an opinion on one proposal: the departments and, if asked, its town."""

    departments: tuple[str, ...]
    town: str | None  # the town's name, when the town's opinion is needed

    @property
    def entries(self) -> tuple[str, ...]:
        """Every entry of the roster as the record names it."""
        return self.departments + ((self.town,) if self.town else ())

    def entry_of(self, department: str) -> str | None:
        """The roster entry ``department`` speaks for, or ``None``."""
        if department in self.departments:
            return department
        if self.town and self.town in department:
            return self.town
        return None


def roster_of(session: Session, proposal: Proposal, rules: WorkflowRules) -> Roster:
    """The roster for ``proposal`` under the bureau's rules."""
    town = session.get(Town, proposal.town_id) if rules.town_opinion else None
    return Roster(rules.departments, town.name if town is not None else None)


def latest_opinions(session: Session, proposal_id: int, version_id: int) -> dict[str, Opinion]:
    """Each department's newest opinion on one version of the proposal."""
    rows = session.scalars(
        select(Opinion)
        .where(Opinion.proposal_id == proposal_id, Opinion.version_id == version_id)
        .order_by(Opinion.created_at, Opinion.id)
    ).all()
    return {opinion.department: opinion for opinion in rows}


def missing_departments(roster: Roster, opinions: dict[str, Opinion]) -> list[str]:
    """The roster entries no department has yet spoken for, in the roster's order."""
    given = {roster.entry_of(d) for d in opinions}
    return [entry for entry in roster.entries if entry not in given]


def record_conditions(session: Session, opinion: Opinion, texts: list[str]) -> None:
    """Attach ``texts`` to the stored ``opinion`` as its conditions (added, not committed)."""
    session.flush()  # the opinion's id
    for text in texts:
        session.add(ReviewCondition(proposal_id=opinion.proposal_id, opinion_id=opinion.id,
                                    department=opinion.department, text=text,
                                    created_at=opinion.created_at))


@dataclass(frozen=True)
class ConditionState:
    """A condition and, once marked met, by whom, on which date, recorded when, and how."""

    condition: ReviewCondition
    met: ConditionMet | None


def conditions_of(session: Session, proposal_id: int) -> list[ConditionState]:
    """Every condition of a proposal's opinions, oldest first, with its first fulfilment."""
    conditions = session.scalars(
        select(ReviewCondition).where(ReviewCondition.proposal_id == proposal_id)
        .order_by(ReviewCondition.id)).all()
    fulfilments = session.scalars(
        select(ConditionMet).where(ConditionMet.proposal_id == proposal_id)
        .order_by(ConditionMet.id)).all()
    first: dict[int, ConditionMet] = {}
    for met in fulfilments:
        first.setdefault(met.condition_id, met)
    return [ConditionState(c, first.get(c.id)) for c in conditions]


def unmet_conditions(session: Session, proposal_id: int, version_id: int) -> list[ConditionState]:
    """The conditions of the departments' current opinions on a version not yet marked met."""
    current = {o.id for o in latest_opinions(session, proposal_id, version_id).values()}
    return [c for c in conditions_of(session, proposal_id)
            if c.condition.opinion_id in current and c.met is None]


def describe(conditions: list[ConditionState], lang: str = "zh") -> str:
    """"department: text" of each condition, in one line."""
    return t("list_sep", lang).join(f"{c.condition.department}: {c.condition.text}"
                                    for c in conditions)


def mark_met(
    session: Session, proposal: Proposal, condition_id: int, user: User, *,
    met_on: date | None, note: str, office: str,
) -> ConditionState:
    """Record that condition ``condition_id`` is met, by ``user`` (the department that set it,
    or the office) on ``met_on`` (default today); a condition is marked met once.

    Raises
    ------
    Problem
        404 for a condition of another proposal; 403 for a user of another department; 409
        when it is marked met already or the proposal is past approval.
    """
    condition = session.get(ReviewCondition, condition_id)
    if condition is None or condition.proposal_id != proposal.id:
        raise Problem(404, "condition_not_found", id=proposal.id, condition=condition_id)
    if user.department not in (condition.department, office):
        raise Problem(403, "condition_other_department", department=condition.department,
                      office=office)
    if proposal.state not in ("surveyed", "committee_pending", "jointly_reviewed"):
        raise Problem(409, "conditions_closed", state=proposal.state)
    done = [c for c in conditions_of(session, proposal.id)
            if c.condition.id == condition_id and c.met is not None]
    if done:
        raise Problem(409, "condition_met_already", condition=condition.text)
    when = met_on or utcnow().date()
    if when > utcnow().date():
        raise Problem(422, "condition_met_in_future", date=when.isoformat())
    met = ConditionMet(condition_id=condition.id, proposal_id=proposal.id, met_by=user.id,
                       department=user.department or "", met_on=when.isoformat(), note=note,
                       created_at=utcnow())
    session.add(met)
    session.commit()
    return ConditionState(condition, met)


def review_status(session: Session, proposal: Proposal, rules: WorkflowRules) -> dict[str, Any]:
    """Where the joint review of the proposal's current version stands: the roster, each
    entry's verdict so far, the entries still missing, the conditions not yet met."""
    roster = roster_of(session, proposal, rules)
    version = head(session, proposal.id)
    opinions = latest_opinions(session, proposal.id, version.id)
    given = {roster.entry_of(d): o.verdict for d, o in opinions.items()
             if roster.entry_of(d) is not None}
    return {
        "office": rules.office,
        "roster": list(roster.entries),
        "verdicts": given,
        "missing": missing_departments(roster, opinions),
        "unmet_conditions": [c.condition.id
                             for c in unmet_conditions(session, proposal.id, version.id)],
    }
