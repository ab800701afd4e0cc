"""``/public/map``: the town's public briefing page — every approved community with its grids
and service centre over the town's villages, roads and rivers — for anyone, without internal
attributes. Before anything is approved it shows the town and says so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes.common import MAX_ID
from api.services import proposals as svc
from api.services.briefing import approved_communities
from api.services.towns import first_town, get_town
from api.web.render import page, page_lang
from maps.briefing import town_briefing

router = APIRouter(prefix="/public", tags=["public"])


@router.get(
    "/map",
    response_class=HTMLResponse,
    summary="Briefing map of the town's approved communities (framed on one when it is named)",
)
def public_map(
    request: Request,
    session: SessionDep,
    town: Annotated[int | None, Query(ge=1, le=MAX_ID, description="the town's id")] = None,
    proposal: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                          description="an approved proposal to frame")] = None,
) -> HTMLResponse:
    if proposal is not None:
        row = svc.public_proposal(session, proposal)  # 404 unless approved or registered
        town_row = get_town(session, row.town_id)
    else:
        town_row = get_town(session, town) if town is not None else first_town(session)
    state = request.app.state
    ctx = state.contexts.get(town_row.id)
    communities, ids = approved_communities(session, state.runner, ctx, town_row)
    settings = state.settings
    token = settings.tianditu_token.get_secret_value() if settings.tianditu_token else None
    briefing = town_briefing(ctx, communities, town=town_row.name,
                             lang=page_lang(request).value, basemap=settings.basemap,
                             tianditu_token=token,
                             focus=ids.index(proposal) if proposal is not None else None)
    return page(request, "public/map.html", briefing=briefing)
