"""``/jobs/{id}``: background runs, OGC API Processes style (status, progress, result link)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.analyses import Reading
from api.db.models import Run
from api.deps import LangDep, SessionDep, StaffUser
from api.registry import analysis
from api.routes.common import output_crs
from api.serialize import JSONDocument, iso
from api.services.jobs import finished_job, get_job
from api.services.runs import recent_runs
from geo.i18n import Lang

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_document(run: Run, lang: Lang = Lang.zh) -> dict[str, Any]:
    """A run as an OGC API Processes status document; a failure's message in ``lang``."""
    error = run.error or {}
    links = [{"href": f"/jobs/{run.id}", "rel": "self", "type": "application/json"}]
    if run.status == "successful":
        links.append(
            {
                "href": f"/jobs/{run.id}/results",
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/results",
                "type": "application/json",
            }
        )
    return {
        "jobID": run.id,
        "type": "process",
        "processID": run.kind,
        "status": run.status,
        "progress": run.progress,
        "created": iso(run.created_at),
        "finished": iso(run.finished_at),
        "proposal_id": run.proposal_id,
        # runs failed before messages were stored in both languages hold "detail" only
        "message": error.get(f"detail_{lang.value}", error.get("detail")),
        "links": links,
    }


@router.get("", summary="Recent jobs, newest first (staff)")
def list_jobs(
    session: SessionDep,
    user: StaffUser,
    lang: LangDep,
    status: Annotated[str | None, Query(pattern="^(accepted|running|successful|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    return {
        "jobs": [job_document(run, lang)
                 for run in recent_runs(session, status=status, limit=limit)],
        "links": [{"href": "/jobs", "rel": "self", "type": "application/json"}],
    }


@router.get("/{job_id}", summary="A job's status and progress")
def job_status(
    job_id: str, session: SessionDep, user: StaffUser, lang: LangDep
) -> dict[str, Any]:
    return job_document(get_job(session, job_id), lang)


@router.get("/{job_id}/results", summary="What a finished job produced")
def job_results(
    job_id: str,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    lang: LangDep,
    crs: Annotated[str | None, Query()] = None,
) -> Response:
    run, version = finished_job(session, job_id)
    reading = Reading(session, run, output_crs(request, crs), lang, version)
    return JSONDocument(analysis(run.kind).present(reading))
