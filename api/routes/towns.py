"""``/towns``: the towns whose context proposals are judged against; a bureau adds its own by
uploading its context GeoPackage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from api.db.models import Town
from api.deps import GisUser, LangDep, SessionDep
from api.isolation import WorkerLimits, run_isolated, scratch_dir
from api.routes.common import Id
from api.serialize import JSONDocument, iso
from api.services import towns as svc
from api.services.employment import EmploymentUpload, import_figures
from api.services.town_upload import MAX_RULES_BYTES, ContextUpload, add_town
from api.services.towns import layer_counts, zone_epsgs
from api.upload_tasks import GeometryCaps, read_town_file
from api.uploads import UploadLimits

router = APIRouter(prefix="/towns", tags=["towns"])

_TEXT = Annotated[str | None, Form(max_length=1000)]


def _town_json(town: Town, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": town.id,
        "name": town.name,
        "code": town.code,
        "work_crs": town.work_crs,
        "loaded_at": iso(town.created_at),
        "layers": dict(sorted(counts.items())),
        "links": [{"rel": "self", "href": f"/towns/{town.id}", "type": "application/json"}],
    }


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("", summary="The towns whose context is loaded")
def list_towns(session: SessionDep) -> JSONDocument:
    counts = layer_counts(session)
    return JSONDocument(
        {"towns": [_town_json(t, counts.get(t.id, {})) for t in svc.all_towns(session)]}
    )


@router.get("/{town_id}", summary="A town: its name, code, measuring zone and context layers")
def get_town(town_id: Id, session: SessionDep) -> JSONDocument:
    town = svc.get_town(session, town_id)
    return JSONDocument(_town_json(town, layer_counts(session).get(town.id, {})))


@router.post(
    "",
    status_code=201,
    summary="Add a town from the bureau's context GeoPackage (administrators, GIS staff)",
)
def create_town(
    request: Request,
    session: SessionDep,
    user: GisUser,
    file: Annotated[UploadFile, File(description="context GeoPackage (.gpkg)")],
    name: _TEXT = None,
    code: _TEXT = None,
    crs: _TEXT = None,
    rules: Annotated[
        UploadFile | None, File(description="TOML naming the file's layers and columns")
    ] = None,
) -> JSONDocument:
    settings = request.app.state.settings
    limit = int(settings.uploads.max_context_mb * 1024**2)
    upload = ContextUpload(
        data=file.file.read(limit + 1),
        filename=file.filename or "context.gpkg",
        name=_text(name),
        code=_text(code),
        rules=None if rules is None else rules.file.read(MAX_RULES_BYTES + 1),
        rules_filename=(rules.filename if rules is not None else None) or "rules.toml",
        crs=_text(crs),
    )
    caps = GeometryCaps(settings.uploads.max_context_features,
                        settings.uploads.max_context_vertices)
    worker = WorkerLimits(settings.uploads.worker_seconds, settings.uploads.worker_memory_mb,
                          settings.uploads.workers)
    with scratch_dir(request.app.state.scratch_dir) as workdir:
        ctx = run_isolated(read_town_file, upload, workdir, UploadLimits(max_bytes=limit), caps,
                           request.app.state.contexts.rules, limits=worker)
    town = add_town(session, upload, ctx, by=user.username)
    request.app.state.town_epsgs = zone_epsgs(session)
    body = _town_json(town, layer_counts(session).get(town.id, {}))
    return JSONDocument(body, status_code=201, headers={"Location": f"/towns/{town.id}"})


@router.post(
    "/{town_id}/employment",
    summary="Import the district's verified employment table for a town (GIS staff)",
)
def import_employment(
    town_id: Id,
    request: Request,
    session: SessionDep,
    user: GisUser,
    lang: LangDep,
    file: Annotated[UploadFile, File(description="employment table (.csv or .xlsx)")],
    accept_warnings: Annotated[bool, Form()] = False,
) -> JSONDocument:
    limit = int(request.app.state.settings.uploads.max_context_mb * 1024**2)
    upload = EmploymentUpload(data=file.file.read(limit + 1),
                              filename=file.filename or "employment.csv",
                              accept_warnings=accept_warnings)
    return JSONDocument(import_figures(session, town_id, upload,
                                       contexts=request.app.state.contexts, by=user.id,
                                       lang=lang))
