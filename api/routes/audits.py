"""``POST /towns/{id}/audit``: every community of a town re-validated in the background."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import LangDep, SessionDep, StaffUser
from api.routes.common import Id
from api.routes.jobs import job_document
from api.serialize import JSONDocument
from api.services.audits import start_audit

router = APIRouter(tags=["audit"])


@router.post("/towns/{town_id}/audit", status_code=202,
             summary="Audit every community of the town as a background job (staff)")
def audit_town(town_id: Id, request: Request, session: SessionDep, user: StaffUser,
               lang: LangDep) -> Response:
    """Re-validate the town's registered industrial communities and the newest version of
    each proposal not rejected against the town's current data and rules, on the Dask
    cluster. 202 with the job's status document; ``Location`` is ``/jobs/{id}``, whose
    results come as ``?f=json|gpkg|csv|html``."""
    state = request.app.state
    job = start_audit(session, state.runner, state.contexts, town_id, user.id)
    return JSONDocument(job_document(job, lang), 202, {"Location": f"/jobs/{job.id}"})
