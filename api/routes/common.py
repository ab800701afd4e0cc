"""Small helpers the routers share: allowed CRSs, Content-Crs, who counts as staff, and a
proposal file read from an upload's form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Path, Request

from api.auth import STAFF
from api.crs import parse_crs, supported_crs
from api.db.models import User
from api.isolation import WorkerLimits, run_isolated, scratch_dir
from api.services.proposals import ProposalInput
from api.upload_tasks import GeometryCaps, ProposalFields, read_proposal_file
from api.uploads import UploadLimits

__all__ = [
    "MAX_ID",
    "Id",
    "allowed_crs",
    "content_crs",
    "form_text",
    "is_staff",
    "output_crs",
    "public_base",
    "read_proposal_upload",
]

MAX_ID = 2_147_483_647  # the databases' integer keys; larger numbers name nothing
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def allowed_crs(request: Request) -> list[str]:
    return supported_crs(tuple(request.app.state.town_epsgs))


def output_crs(request: Request, value: str | None) -> str:
    """The ``crs`` a client asked for (CRS84 by default); 400 if unsupported."""
    return parse_crs(value, allowed_crs(request))


def content_crs(request: Request) -> str:
    """The CRS of a request body (``Content-Crs`` header, OGC API Features Part 4)."""
    return parse_crs(request.headers.get("content-crs"), allowed_crs(request))


def public_base(request: Request) -> str:
    """The service's public URL for links: the ``base_url`` setting, else the path prefix the
    service is mounted at (never the request's Host header, which the client chooses)."""
    base = request.app.state.settings.base_url or request.scope.get("root_path", "")
    return str(base).rstrip("/")


def crs_header(uri: str) -> dict[str, str]:
    return {"Content-Crs": f"<{uri}>"}


def is_staff(user: User | None) -> bool:
    return user is not None and user.role in STAFF


def form_text(form: Any, key: str) -> str | None:
    """A form field's text, stripped; ``None`` when absent, blank or a file."""
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_proposal_upload(request: Request, data: bytes, filename: str,
                         form: Mapping[str, Any]) -> ProposalInput:
    """The proposal in an uploaded file, read by a worker process (see :mod:`api.isolation`)
    with the form's ``crs``, ``layer``, ``feature``, ``name`` and ``type`` and the service's
    rules file's ``[proposal]`` columns: one path for every upload of a proposal."""
    settings = request.app.state.settings.uploads
    limits = UploadLimits(max_bytes=int(settings.max_file_mb * 1024**2))
    caps = GeometryCaps(settings.max_features, settings.max_vertices)
    worker = WorkerLimits(settings.worker_seconds, settings.worker_memory_mb, settings.workers)
    fields = ProposalFields(
        crs=form_text(form, "crs"), layer=form_text(form, "layer"),
        feature=form_text(form, "feature"), name=form_text(form, "name"),
        type=form_text(form, "type"), columns=request.app.state.contexts.rules.proposal)
    with scratch_dir(request.app.state.scratch_dir) as workdir:
        return run_isolated(read_proposal_file, data, filename, workdir, limits, caps, fields,
                            limits=worker)
