"""The public briefing of a town: its approved communities as the public may see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.analyses.facility import FACILITY
from api.analyses.grids import GRIDS
from api.db.models import Proposal, Town
from api.services import proposals as svc
from api.services.proposals import PUBLIC_STATES, geo_proposal
from api.services.runs import Runner
from geo.context import Context
from maps.briefing import BriefedCommunity

__all__ = ["approved_communities"]


def approved_communities(session: Session, runner: Runner, ctx: Context, town: Town
                         ) -> tuple[list[BriefedCommunity], list[int | None]]:
    """Every approved or registered community of ``town`` with its grids and service-centre
    site (from the approved version's stored runs; one missing is run and stored once, on
    behalf of the proposal's author), and the industrial communities registered in the town's
    context that no proposal stands for; with the proposal id of each (None for the latter)."""
    rows = session.scalars(select(Proposal).where(Proposal.town_id == town.id,
                                                  Proposal.state.in_(PUBLIC_STATES))
                           .order_by(Proposal.id)).all()
    communities: list[BriefedCommunity] = []
    ids: list[int | None] = []
    for row in rows:
        version = svc.approved(session, row)
        proposal = geo_proposal(version)
        plan: Any = runner.result(session, version, GRIDS.name, row.created_by)
        sites: Any = runner.result(session, version, FACILITY.name, row.created_by)
        boundary = proposal.to_crs(ctx.crs)
        communities.append(BriefedCommunity(proposal.name, boundary, plan, sites))
        ids.append(row.id)
    named = {c.name for c in communities}
    neighbours = ctx.layer("neighbours")
    if neighbours is not None and "kind" in neighbours and "name" in neighbours:
        registered = neighbours[neighbours["kind"] == "industrial_community"]
        for name, geom in zip(registered["name"], registered.geometry.values, strict=True):
            if isinstance(name, str) and name and name not in named:
                communities.append(BriefedCommunity(name, geom))
                ids.append(None)
    return communities, ids
