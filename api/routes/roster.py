"""``/proposals/{id}/grids/{code}/roster``: who holds each 1+3+N role of a grid (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from api.deps import AppointerUser, SessionDep, StaffUser
from api.routes.common import Id
from api.serialize import JSONDocument, iso
from api.services import proposals as svc
from api.services import roster
from api.services.users import usernames

router = APIRouter(prefix="/proposals/{proposal_id}/grids/{code}/roster", tags=["grids"])

Code = Annotated[str, Path(max_length=50, pattern=r"^[0-9A-Za-z_\-]+$")]


class AppointmentIn(BaseModel):
    """A person taking a 1+3+N role in the grid."""

    role: str = Field(max_length=50)
    person: str = Field(min_length=1, max_length=100)


def _roster(
    session: SessionDep, proposal_id: int, code: str, roles: tuple[str, ...]
) -> dict[str, Any]:
    history = roster.appointments(session, proposal_id, code)
    names = usernames(session, [a.appointed_by for a in history])
    holders: dict[str, str | None] = dict.fromkeys(roles)
    for a in history:
        holders[a.role] = a.person
    return {
        "proposal_id": proposal_id,
        "grid": code,
        "holders": holders,
        "history": [
            {
                "role": a.role,
                "person": a.person,
                "appointed_by": names.get(a.appointed_by),
                "created_at": iso(a.created_at),
            }
            for a in history
        ],
    }


@router.get("", summary="The grid's 1+3+N roster: current holders and every appointment (staff)")
def read_roster(
    proposal_id: Id, code: Code, request: Request, session: SessionDep, user: StaffUser
) -> dict[str, Any]:
    svc.get_proposal(session, proposal_id, user)
    roster.check_grid(session, proposal_id, code)
    return _roster(session, proposal_id, code, request.app.state.contexts.rules.grid.roles)


@router.post("", status_code=201, summary="Appoint a person to a 1+3+N role of the grid")
def appoint(
    proposal_id: Id,
    code: Code,
    body: AppointmentIn,
    request: Request,
    session: SessionDep,
    user: AppointerUser,
) -> JSONDocument:
    svc.get_proposal(session, proposal_id, user)
    roles = request.app.state.contexts.rules.grid.roles
    roster.appoint(
        session, proposal_id, code, role=body.role, person=body.person, user=user, roles=roles
    )
    doc = _roster(session, proposal_id, code, roles)
    return JSONDocument(
        doc, status_code=201, headers={"Location": f"/proposals/{proposal_id}/grids/{code}/roster"}
    )
