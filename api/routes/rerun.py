"""``/jobs/{id}/repeat``: a finished run repeated on the town's current context version, with
the difference from the first."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import LangDep, SessionDep, StaffUser
from api.routes.jobs import job_document
from api.serialize import JSONDocument
from api.services.rerun import difference, repeat

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post("/{job_id}/repeat", status_code=201,
             summary="Repeat a finished run on the current context version; show the difference")
def repeat_job(job_id: str, request: Request, session: SessionDep, user: StaffUser,
               lang: LangDep) -> JSONDocument:
    before, after = repeat(session, request.app.state.runner, job_id, user.id)
    body = {"before": job_document(before, lang), "after": job_document(after, lang),
            "difference": difference(before, after)}
    return JSONDocument(body, status_code=201, headers={"Location": f"/jobs/{after.id}"})
