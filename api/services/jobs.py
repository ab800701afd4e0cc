"""Background jobs as the ``/jobs`` routes read them: a run by id, or a finished one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.models import ProposalVersion, Run
from api.problems import Problem

__all__ = ["finished_job", "get_job"]


def get_job(session: Session, job_id: str) -> Run:
    """The run with id ``job_id``.

    Raises
    ------
    Problem
        404 when there is no such run.
    """
    run = session.get(Run, job_id)
    if run is None:
        raise Problem(404, "job_not_found", id=job_id)
    return run


def finished_job(session: Session, job_id: str) -> tuple[Run, int]:
    """A successful run and the number of the proposal version it ran on.

    Raises
    ------
    Problem
        404 when there is no such run, 409 while it has not finished successfully.
    """
    run = get_job(session, job_id)
    if run.status != "successful":
        raise Problem(409, "job_not_finished", id=job_id, state=run.status)
    version = session.get(ProposalVersion, run.version_id)
    assert version is not None, f"job {job_id} without its version"
    return run, version.version
