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
from api.services.context_versions import version_json, versions_of
from api.services.employment import EmploymentUpload, import_figures
from api.services.town_upload import (
    MAX_RULES_BYTES,
    ContextUpload,
    add_town,
    add_version,
    checked_layer,
    require_layer,
)
from api.services.towns import current_version, layer_counts, zone_epsgs
from api.upload_tasks import (
    GeometryCaps,
    read_employment_table,
    read_town_file,
    read_town_layer_file,
)
from api.uploads import UploadLimits, display_name

router = APIRouter(prefix="/towns", tags=["towns"])

_TEXT = Annotated[str | None, Form(max_length=1000)]


def _town_json(town: Town, counts: dict[str, int], version: int) -> dict[str, Any]:
    return {
        "id": town.id,
        "name": town.name,
        "code": town.code,
        "work_crs": town.work_crs,
        "loaded_at": iso(town.created_at),
        "context_version": version,
        "layers": dict(sorted(counts.items())),
        "links": [{"rel": "self", "href": f"/towns/{town.id}", "type": "application/json"},
                  {"rel": "version-history", "href": f"/towns/{town.id}/versions",
                   "type": "application/json"}],
    }


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


@router.get("", summary="The towns whose context is loaded")
def list_towns(session: SessionDep) -> JSONDocument:
    counts = layer_counts(session)
    return JSONDocument(
        {"towns": [_town_json(t, counts.get(t.id, {}), current_version(session, t.id))
                   for t in svc.all_towns(session)]}
    )


@router.get("/{town_id}", summary="A town: its name, code, measuring zone and context layers")
def get_town(town_id: Id, session: SessionDep) -> JSONDocument:
    town = svc.get_town(session, town_id)
    return JSONDocument(_town_json(town, layer_counts(session).get(town.id, {}),
                                   current_version(session, town.id)))


def _upload(request: Request, file: UploadFile, rules: UploadFile | None, **form: str | None
            ) -> tuple[ContextUpload, UploadLimits]:
    limit = int(request.app.state.settings.uploads.max_context_mb * 1024**2)
    upload = ContextUpload(
        data=file.file.read(limit + 1),
        filename=file.filename or "context.gpkg",
        rules=None if rules is None else rules.file.read(MAX_RULES_BYTES + 1),
        rules_filename=(rules.filename if rules is not None else None) or "rules.toml",
        **{key: _text(value) for key, value in form.items()},
    )
    return upload, UploadLimits(max_bytes=limit)


def _limits(request: Request) -> tuple[GeometryCaps, WorkerLimits]:
    uploads = request.app.state.settings.uploads
    return (GeometryCaps(uploads.max_context_features, uploads.max_context_vertices),
            WorkerLimits(uploads.worker_seconds, uploads.worker_memory_mb, uploads.workers))


def _stored(request: Request, session: SessionDep, town: Town, version: int) -> JSONDocument:
    request.app.state.contexts.forget(town.id)  # its context has a new version
    request.app.state.town_epsgs = zone_epsgs(session)
    body = _town_json(town, layer_counts(session).get(town.id, {}), version)
    return JSONDocument(body, status_code=201, headers={"Location": f"/towns/{town.id}"})


@router.post(
    "",
    status_code=201,
    summary="Add a town from the bureau's context GeoPackage, or the next version of the "
    "context of the town of that name (administrators, GIS staff)",
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
    upload, limits = _upload(request, file, rules, name=name, code=code, crs=crs)
    caps, worker = _limits(request)
    with scratch_dir(request.app.state.scratch_dir) as workdir:
        ctx = run_isolated(read_town_file, upload, workdir, limits, caps,
                           request.app.state.contexts.rules, limits=worker)
    town, version = add_town(session, upload, ctx, by=user)
    return _stored(request, session, town, version)


@router.get("/{town_id}/versions", summary="A town's context versions, oldest first")
def list_versions(town_id: Id, session: SessionDep) -> JSONDocument:
    svc.get_town(session, town_id)
    return JSONDocument({"town_id": town_id,
                         "versions": [version_json(v) for v in versions_of(session, town_id)]})


@router.post(
    "/{town_id}/versions",
    status_code=201,
    summary="Re-upload a town's context, whole or one layer, as its next version (GIS staff)",
)
def create_version(
    town_id: Id,
    request: Request,
    session: SessionDep,
    user: GisUser,
    file: Annotated[UploadFile, File(description="context GeoPackage (.gpkg)")],
    layer: Annotated[str | None, Form(max_length=50, description=(
        "replace only this layer (neighbours, roads, parcels …); all of them when absent"))
    ] = None,
    crs: _TEXT = None,
    rules: Annotated[
        UploadFile | None, File(description="TOML naming the file's layers and columns")
    ] = None,
) -> JSONDocument:
    town = svc.get_town(session, town_id)
    upload, limits = _upload(request, file, rules, crs=crs, layer=layer)
    caps, worker = _limits(request)
    contexts = request.app.state.contexts
    with scratch_dir(request.app.state.scratch_dir) as workdir:
        if upload.layer is None:
            layers = run_isolated(read_town_file, upload, workdir, limits, caps, contexts.rules,
                                  limits=worker).layers
        else:
            require_layer(upload.layer)
            frame, rules_read = run_isolated(read_town_layer_file, upload, workdir, limits, caps,
                                             contexts.rules, limits=worker)
            layers = checked_layer(contexts.get(town.id), upload.layer, frame, rules_read,
                                   display_name(upload.filename), workdir)
    version = add_version(session, town, upload, layers, by=user)
    return _stored(request, session, town, version)


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
    filename = file.filename or "employment.csv"
    cells = run_isolated(read_employment_table, file.file.read(limit + 1), filename,
                         limits=_limits(request)[1])
    upload = EmploymentUpload(cells=cells, filename=filename, accept_warnings=accept_warnings)
    return JSONDocument(import_figures(session, town_id, upload,
                                       contexts=request.app.state.contexts, by=user.id,
                                       lang=lang))
