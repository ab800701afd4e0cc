"""``/public/map``: the briefing map of an approved community — boundary, grids and the
recommended service-centre site — for anyone, without internal attributes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.db.models import Proposal
from api.deps import LangDep, SessionDep
from api.problems import Problem
from api.routes.common import MAX_ID
from api.services import proposals as svc
from api.services.maps import map_page

router = APIRouter(prefix="/public", tags=["public"])


@router.get(
    "/map",
    response_class=HTMLResponse,
    summary="Briefing map of an approved community (the newest approved when none is named)",
)
def public_map(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    proposal: Annotated[int | None, Query(ge=1, le=MAX_ID, description="the proposal's id")] = None,
) -> HTMLResponse:
    query = select(Proposal).where(Proposal.state.in_(svc.PUBLIC_STATES))
    query = (
        query.where(Proposal.id == proposal)
        if proposal is not None
        else query.order_by(Proposal.id.desc()).limit(1)
    )
    row = session.scalar(query)
    if row is None:
        if proposal is None:
            raise Problem(404, "no_approved_community")
        raise Problem(404, "community_not_public", id=proposal)
    version = svc.version_of(session, row.id, row.approved_version)
    state = request.app.state
    return HTMLResponse(
        map_page(state.settings, state.contexts, "public", version, row.town_id, lang)
    )
