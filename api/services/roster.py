"""The 1+3+N roster of a grid (001 § 二(四)3): one grid head, a full-time and a part-time grid
worker, a guide, and others. Each appointment is kept; the newest per role is the holder."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import Grid, GridAppointment, Run, User, utcnow
from api.problems import Problem

__all__ = ["appoint", "appointments", "check_grid"]


def check_grid(session: Session, proposal_id: int, code: str) -> None:
    """404 unless some grid run of the proposal made a grid with ``code``."""
    found = session.scalar(
        select(Grid.id)
        .join(Run, Run.id == Grid.run_id)
        .where(Run.proposal_id == proposal_id, Grid.code == code)
        .limit(1)
    )
    if found is None:
        raise Problem(404, "grid_not_found", id=proposal_id, grid=code)


def appoint(
    session: Session,
    proposal_id: int,
    code: str,
    *,
    role: str,
    person: str,
    user: User,
    roles: tuple[str, ...],
) -> GridAppointment:
    """Record that ``person`` holds ``role`` in grid ``code`` from now on."""
    if role not in roles:
        raise Problem(422, "role_unknown", role=role, allowed=", ".join(roles))
    check_grid(session, proposal_id, code)
    appointment = GridAppointment(
        proposal_id=proposal_id,
        grid_code=code,
        role=role,
        person=person,
        appointed_by=user.id,
        created_at=utcnow(),
    )
    session.add(appointment)
    session.commit()
    return appointment


def appointments(session: Session, proposal_id: int, code: str) -> list[GridAppointment]:
    """Every appointment in a grid, oldest first."""
    return list(
        session.scalars(
            select(GridAppointment)
            .where(GridAppointment.proposal_id == proposal_id, GridAppointment.grid_code == code)
            .order_by(GridAppointment.id)
        ).all()
    )
