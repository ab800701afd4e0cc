"""``/public/map``: the briefing map of an approved community — boundary, grids and the
recommended service-centre site — for anyone, without internal attributes, drawn from the
newest stored runs of the approved version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import LangDep, SessionDep
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
    row = svc.public_proposal(session, proposal)
    version = svc.approved(session, row)
    state = request.app.state
    # drawn from the approved version's stored runs; one the map needs and the version lacks
    # is run and stored once, on behalf of the proposal's author
    page = map_page(state.settings, state.contexts, "public", version, row.town_id, lang,
                    runner=state.runner, session=session, user_id=row.created_by)
    return HTMLResponse(page)
