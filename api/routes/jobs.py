"""``/jobs/{id}``: background runs, OGC API Processes style (status, progress, result link)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.analyses import Reading
from api.db.models import AuditJob, Run
from api.deps import LangDep, SessionDep, StaffUser
from api.registry import analysis
from api.routes.common import output_crs
from api.serialize import JSONDocument, iso
from api.services.audits import AUDIT_FORMATS, AUDIT_MEDIA, audit_file
from api.services.jobs import finished_job, get_job, recent_jobs
from geo.i18n import Lang

router = APIRouter(prefix="/jobs", tags=["jobs"])


_RESULTS = "http://www.opengis.net/def/rel/ogc/1.0/results"


def job_document(run: Run | AuditJob, lang: Lang = Lang.zh) -> dict[str, Any]:
    """A run or audit job as an OGC API Processes status document; a failure's message in
    ``lang``; an audit's results linked in each of its formats."""
    error = run.error or {}
    links = [{"href": f"/jobs/{run.id}", "rel": "self", "type": "application/json"}]
    if run.status == "successful" and isinstance(run, AuditJob):
        links += [{"href": f"/jobs/{run.id}/results?f={fmt}", "rel": _RESULTS,
                   "type": AUDIT_MEDIA[fmt]} for fmt in AUDIT_FORMATS]
    elif run.status == "successful":
        links.append({"href": f"/jobs/{run.id}/results", "rel": _RESULTS,
                      "type": "application/json"})
    extra = ({"town_id": run.town_id} if isinstance(run, AuditJob)
             else {"context_version": run.context_version})
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
        **extra,
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
                 for run in recent_jobs(session, status=status, limit=limit)],
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
    f: Annotated[str | None, Query(pattern="^(json|gpkg|csv|html)$",
                                   description="an audit's format (default json)")] = None,
) -> Response:
    job = get_job(session, job_id)
    if isinstance(job, AuditJob):
        made = audit_file(job, f or "json", lang, request.app.state.contexts.get(job.town_id))
        return Response(made.content, media_type=made.media_type, headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"'})
    run, version = finished_job(session, job_id)
    reading = Reading(session, run, output_crs(request, crs), lang, version)
    return JSONDocument(analysis(run.kind).present(reading))
