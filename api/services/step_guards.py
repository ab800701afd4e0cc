"""What each workflow step needs beyond its state and role, and what it establishes.

- application: the head version is validated; with errors the applicant must confirm them
  (``confirm_errors``), and the errors confirmed are recorded;
- joint_review: every department of the roster (and the town) has given an opinion on the
  version under review and none disagrees (001 § 二(一)4(3): 联审不通过的，终止或暂缓); when the
  proposal changes a village's or community's boundary the committee must meet next;
- committee_review: who convened the committee meeting (主任或副主任) and when;
- approval: every condition of the departments' opinions is marked met; the approval's
  document number (批复文号) and date;
- registration: the 准予民办非企业单位成立登记决定书's number and the 民办非企业单位法人登记证书's
  number and unified social credit code, and the date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from api.db.models import Proposal
from api.problems import Problem
from api.services import joint_review as jr
from api.services.proposals import geo_proposal, head
from api.services.towns import ContextCache
from geo.committee import boundaries_changed
from geo.dates import today
from geo.employment.uscc import uscc_problem
from geo.i18n import Text, t
from geo.rules.model import Rules

__all__ = ["FACTS", "Outcome", "guard"]

# the facts each step takes beyond its reason: name → required
FACTS: dict[str, dict[str, bool]] = {
    "committee_review": {"convened_by": True, "meeting_on": False, "minutes": False},
    "approval": {"approval_number": True, "approved_on": False},
    "registration": {"decision_number": True, "certificate_number": True,
                     "credit_code": True, "registered_on": False},
}
_DATES = {"committee_review": "meeting_on", "approval": "approved_on",
          "registration": "registered_on"}


@dataclass(frozen=True)
class Outcome:
    """A guard's answer: the state to go to instead of the step's own, and what to record."""

    target: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _facts(action: str, given: dict[str, Any]) -> dict[str, Any]:
    """The step's facts as recorded (dates as ISO text); 422 for a missing or foreign one."""
    wanted = FACTS.get(action, {})
    foreign = sorted(k for k, v in given.items() if v is not None and k not in wanted)
    if foreign:
        raise Problem(422, "fact_not_for_step", action=action, fields=", ".join(foreign))
    missing = [k for k, required in wanted.items() if required and not given.get(k)]
    if missing:
        raise Problem(422, "fact_missing", action=action, fields=", ".join(missing))
    facts = {k: given[k] for k in wanted if given.get(k) is not None}
    if action in _DATES:
        now = today()
        when = facts.get(_DATES[action]) or now
        if when > now:
            raise Problem(422, "fact_date_in_future", field=_DATES[action],
                          date=when.isoformat())
        facts[_DATES[action]] = when.isoformat()
    return facts


def _application(session: Session, proposal: Proposal, confirm: bool, contexts: ContextCache,
                 rules: Rules) -> Outcome:
    from geo.validate import ERROR, validate

    report = validate(geo_proposal(head(session, proposal.id)), contexts.get(proposal.town_id))
    errors: dict[str, int] = {}
    for finding in report.findings:
        if finding.severity == ERROR:
            errors[finding.rule] = errors.get(finding.rule, 0) + 1
    if errors and not confirm:
        raise Problem(409, "errors_unconfirmed", rules=", ".join(errors),
                      body={"errors": errors})
    details: dict[str, Any] = {"validation_errors": errors}
    if errors:
        details["errors_confirmed"] = True
    return Outcome(details=details)


def _joint_review(session: Session, proposal: Proposal, contexts: ContextCache,
                  rules: Rules) -> Outcome:
    version = head(session, proposal.id)
    roster = jr.roster_of(session, proposal, rules.workflow)
    opinions = jr.latest_opinions(session, proposal.id, version.id)
    missing = jr.missing_departments(roster, opinions)
    if missing:
        raise Problem(409, "opinions_missing", departments=t("names_sep").join(missing),
                      count=len(missing), body={"missing": missing})
    against = sorted(d for d, o in opinions.items() if o.verdict == "disagree")
    if against:
        raise Problem(409, "opinions_disagree", departments=t("names_sep").join(against),
                      body={"disagree": against})
    ctx = contexts.get(proposal.town_id)
    geom = geo_proposal(version).to_crs(ctx.crs)
    changed = boundaries_changed(geom, ctx, min_area_m2=rules.workflow.committee_min_area_m2)
    details = {
        "opinions": {roster.entry_of(d) or d: o.verdict for d, o in opinions.items()},
        "villages_changed": [{"name": c.name, "code": c.code,
                              "area_m2": round(float(c.taken.area), 1)} for c in changed],
        "committee_required": bool(changed),
    }
    return Outcome(target="committee_pending" if changed else None, details=details)


def _approval(session: Session, proposal: Proposal) -> None:
    unmet = jr.unmet_conditions(session, proposal.id, head(session, proposal.id).id)
    if unmet:
        raise Problem(
            409, "conditions_unmet", conditions=jr.describe(unmet), count=len(unmet),
            body={"unmet": [{"id": c.condition.id, "department": c.condition.department,
                             "text": c.condition.text} for c in unmet]})


def _credit_code(code: str) -> None:
    problem = uscc_problem(code)
    if problem is not None:
        key, values = problem
        raise Problem(422, "credit_code_invalid", code=code, reason=Text(key, dict(values)))


def guard(action: str, session: Session, proposal: Proposal, given: Any, *,
          contexts: ContextCache, rules: Rules) -> Outcome:
    """Check what ``action`` needs and return what it establishes (see the module's list).

    ``given`` is the step's :class:`~api.services.workflow.StepInput`.
    """
    facts = _facts(action, given.facts)
    checks: dict[str, Callable[[], Outcome | None]] = {
        "application": lambda: _application(session, proposal, given.confirm_errors,
                                            contexts, rules),
        "joint_review": lambda: _joint_review(session, proposal, contexts, rules),
        "approval": lambda: _approval(session, proposal),
        "registration": lambda: _credit_code(str(facts["credit_code"])),
    }
    outcome = checks[action]() if action in checks else None
    outcome = outcome or Outcome()
    return Outcome(outcome.target, {**outcome.details, **facts})
