"""The registration step (登记注册, 001 § 二(一)4) changes the town's map: a new context version
in which the villages around the community have their new boundaries and the community is an
existing community of the town (kind ``industrial_community``); a proposal named as a
registered community revises it and the old boundary is retired. The replaced features stay
in the store with the version and time they ended (see :mod:`api.services.context_versions`).
"""

from __future__ import annotations

import datetime as dt
import logging

import geopandas as gpd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import ContextFeature, Proposal, ProposalVersion, User, WorkflowEvent
from api.problems import Problem
from api.services.context_versions import current_feature_ids, new_version, retire
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache, insert_layers
from api.services.workflow import StepTaken, on_step
from geo.dates import CHINA, today
from geo.register import register
from geo.revision import REGISTERED_KIND

__all__ = ["record_registration"]

log = logging.getLogger(__name__)


def _valid_from(session: Session, town_id: int, event: WorkflowEvent) -> dt.datetime:
    """When the registration's boundaries begin: the step's own time, or the start (China
    time) of the registration date it records when that is an earlier day.

    Raises
    ------
    Problem
        422 ``registration_date_before``: that day begins before a change the town's context
        already records (the history of boundaries only moves forward).
    """
    at = event.created_at
    taken = today(at)
    day = dt.date.fromisoformat(str((event.details or {}).get("registered_on") or taken))
    if day >= taken:
        return at
    begins = dt.datetime.combine(day, dt.time(), tzinfo=CHINA).astimezone(dt.UTC)
    latest = session.scalar(select(func.max(ContextFeature.valid_from))
                            .where(ContextFeature.town_id == town_id))
    if latest is not None and begins < latest.astimezone(dt.UTC):
        raise Problem(422, "registration_date_before", date=day.isoformat(),
                      latest=latest.astimezone(CHINA).date().isoformat())
    return begins


def record_registration(session: Session, proposal: Proposal, contexts: ContextCache,
                        event: WorkflowEvent, user: User) -> int:
    """Write the town's context version made by registering ``proposal``'s approved version
    into ``session`` (not committed: the workflow step commits it with its event); its number.

    Raises
    ------
    InputError
        The community would take land of another registered community, or is not a valid
        polygon inside the town (422, nothing stored).
    """
    row = session.scalars(select(ProposalVersion).where(
        ProposalVersion.proposal_id == proposal.id,
        ProposalVersion.version == (proposal.approved_version or event.version))).one()
    number, ctx = contexts.current(proposal.town_id, session=session)
    at = _valid_from(session, proposal.town_id, event)
    registration = register(geo_proposal(row), ctx, date=at.date())
    ids = current_feature_ids(session, proposal.town_id, "neighbours")
    if len(ids) != len(ctx.require("neighbours")):  # another change came in meanwhile
        raise Problem(409, "context_changed", town=proposal.town_id)
    contexts.forget_on_commit(session, proposal.town_id)
    version = new_version(session, proposal.town_id, reason="registration",
                          source=f"registration:{proposal.id}", at=event.created_at,
                          proposal_id=proposal.id, by=user.id)
    gone = [ids[c.position] for c in registration.changes]
    if registration.retired is not None:
        gone.append(ids[registration.retired])
    kept = {i: dict(p) for i, p in session.execute(
        select(ContextFeature.id, ContextFeature.properties).where(ContextFeature.id.in_(gone)))}
    retire(session, proposal.town_id, version=version.version, at=at, ids=gone)
    properties = [kept[ids[c.position]] for c in registration.changes]
    properties.append({"name": registration.name, "code": registration.code,
                       "kind": REGISTERED_KIND, "proposal_id": proposal.id})
    frame = gpd.GeoDataFrame(
        properties, geometry=[*(c.after for c in registration.changes), registration.community],
        crs=registration.crs)
    insert_layers(session, proposal.town_id, {"neighbours": frame}, version=version.version,
                  valid_from=at)
    log.info("proposal %d registered: town %d context version %d (from %d), %d boundaries "
             "replaced", proposal.id, proposal.town_id, version.version, number, len(gone))
    return version.version


@on_step("registration")
def _registered(step: StepTaken) -> None:
    record_registration(step.session, step.proposal, step.contexts, step.event, step.user)
