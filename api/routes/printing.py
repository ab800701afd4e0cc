"""``/proposals/{id}/versions/{v}/print?kind=现状图|布局图&f=pdf|png``: the print-ready map of a
version (staff), drawn from its newest stored runs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import LangDep, SessionDep, StaffUser
from api.printing import Printing
from api.routes.common import Id
from api.services import proposals as svc
from api.services.printing import printed_map
from maps.printed import Paper, PrintFormat, PrintKind

router = APIRouter(prefix="/proposals/{proposal_id}/versions/{version}", tags=["analysis"])

_MEDIA = {PrintFormat.pdf: "application/pdf", PrintFormat.png: "image/png"}


@router.get(
    "/print",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}}}},
    summary="The print-ready current-state (status) or layout map of this version (staff)",
)
def version_print(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    lang: LangDep,
    kind: Annotated[str, Query(
        description="status or layout, or their Chinese names as the command line takes them")],
    f: Annotated[PrintFormat, Query(description="pdf or png")] = PrintFormat.pdf,
    paper: Annotated[Paper, Query(description="A3 or A4 (landscape)")] = Paper.A3,
    date: Annotated[dt.date | None, Query(description="date in the title block")] = None,
) -> Response:
    chosen = PrintKind.parse(kind)
    proposal = svc.get_proposal(session, proposal_id, user)
    row = svc.version_of(session, proposal_id, version)
    state = request.app.state
    data = printed_map(state.contexts, chosen, f, Printing(paper, lang, date), row,
                       proposal.town_id, runner=state.runner, session=session, user_id=user.id)
    name = f"proposal{proposal_id}_v{version}_{chosen.name}.{f.value}"
    return Response(data, media_type=_MEDIA[f],
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
