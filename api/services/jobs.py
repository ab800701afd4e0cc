"""Background jobs as the ``/jobs`` routes read them: a run by id, or a finished one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import AuditJob, ProposalVersion, Run
from api.problems import Problem

__all__ = ["finished_job", "get_job", "recent_jobs"]


def get_job(session: Session, job_id: str) -> Run | AuditJob:
    """The run or audit job with id ``job_id``.

    Raises
    ------
    Problem
        404 when there is no such job.
    """
    job = session.get(Run, job_id) or session.get(AuditJob, job_id)
    if job is None:
        raise Problem(404, "job_not_found", id=job_id)
    return job


def recent_jobs(session: Session, *, status: str | None, limit: int
                ) -> list[Run | AuditJob]:
    """Runs and audit jobs newest first, optionally only those in ``status``."""
    runs = select(Run).order_by(Run.created_at.desc(), Run.id)
    audits = select(AuditJob).order_by(AuditJob.created_at.desc(), AuditJob.id)
    if status is not None:
        runs, audits = runs.where(Run.status == status), audits.where(AuditJob.status == status)
    jobs: list[Run | AuditJob] = [*session.scalars(runs.limit(limit)).all(),
                                  *session.scalars(audits.limit(limit)).all()]
    jobs.sort(key=lambda job: job.created_at, reverse=True)
    return jobs[:limit]


def finished_job(session: Session, job_id: str) -> tuple[Run, int]:
    """A successful run and the number of the proposal version it ran on.

    Raises
    ------
    Problem
        404 when there is no such run, 409 while it has not finished successfully.
    """
    run = get_job(session, job_id)
    if isinstance(run, AuditJob):
        raise Problem(404, "job_not_found", id=job_id)
    if run.status != "successful":
        raise Problem(409, "job_not_finished", id=job_id, state=run.status)
    version = session.get(ProposalVersion, run.version_id)
    assert version is not None, f"job {job_id} without its version"
    return run, version.version
