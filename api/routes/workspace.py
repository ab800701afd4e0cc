"""``/towns/{id}/…`` for the staff workspace: the town's dashboard, its snapping layers and
road-bounded blocks, the union of chosen blocks, and the validation and suggested boundary of
an unsaved sketch (a GeoJSON Feature in CRS84, nothing stored), by the same spatial core as
``sijie validate`` and ``sijie suggest``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.analyses.suggestion import storage_shapes, suggestion_document
from api.crs import CRS84
from api.deps import GisUser, LangDep, SessionDep, StaffUser
from api.problems import Problem
from api.routes.common import Id
from api.routes.proposals import Sent, SentDep, max_vertices, read_upload_input
from api.serialize import GeoJSONResponse, GeoJSONText, JSONDocument
from api.services import workspace as svc
from api.services.proposals import ProposalInput, input_from_geojson
from api.services.towns import get_town
from api.services.workflow import STATE_LABELS
from geo.i18n import t

router = APIRouter(prefix="/towns/{town_id}", tags=["workspace"])


class BlocksIn(BaseModel):
    """Blocks chosen by number (the ids of ``/towns/{id}/blocks``)."""

    blocks: list[int] = Field(min_length=1, max_length=100_000)


def _context(request: Request, session: Any, town_id: int) -> Any:
    get_town(session, town_id)
    return request.app.state.contexts.get(town_id)


@router.get("/dashboard", summary="The town's proposals for the workspace dashboard (staff)")
def dashboard(town_id: Id, session: SessionDep, user: StaffUser, lang: LangDep) -> JSONDocument:
    town = get_town(session, town_id)
    return JSONDocument({
        "town": {"id": town.id, "name": town.name},
        "states": {state: t(key, lang) for state, key in STATE_LABELS.items()},
        "proposals": svc.dashboard_rows(session, town_id),
    })


@router.get("/dashboard/grids", summary="The grids of each proposal's newest version, for the "
            "dashboard map, in CRS84 (staff)")
def dashboard_grids(town_id: Id, session: SessionDep, user: StaffUser) -> GeoJSONText:
    get_town(session, town_id)
    return GeoJSONText(svc.dashboard_grids(session, town_id))


@router.get("/layers/{name}", summary="A snapping layer of the town: roads, water, terrain or "
            "neighbours, in CRS84 (staff)")
def snap_layer(town_id: Id, name: str, request: Request, session: SessionDep,
               user: StaffUser) -> GeoJSONResponse:
    return GeoJSONResponse(svc.layer_collection(_context(request, session, town_id), name))


@router.get("/blocks", summary="The town's road-bounded blocks in CRS84 (staff)")
def blocks(town_id: Id, request: Request, session: SessionDep, user: StaffUser) -> GeoJSONResponse:
    return GeoJSONResponse(svc.blocks_collection(_context(request, session, town_id)))


@router.post("/blocks/union", summary="The union of chosen blocks, a boundary that follows "
             "roads by construction (GIS staff)")
def block_union(town_id: Id, body: BlocksIn, request: Request, session: SessionDep,
                user: GisUser) -> GeoJSONResponse:
    geom = svc.block_union(_context(request, session, town_id), body.blocks)
    return GeoJSONResponse({"type": "Feature", "geometry": geom.__geo_interface__,
                            "properties": {"blocks": sorted(set(body.blocks))}})


def _sketch(request: Request, sent: Sent) -> ProposalInput:
    """The unsaved boundary a sketch request sends: a GeoJSON Feature in CRS84, held to the
    vertex cap."""
    if sent.file is not None:
        raise Problem(415, "content_type")
    return input_from_geojson(sent.body, CRS84, max_vertices=max_vertices(request))[0]


@router.post("/sketch/validation", summary="Validate an unsaved boundary (GeoJSON Feature in "
             "CRS84) as `sijie validate` does; findings located in CRS84 (GIS staff). With "
             "fit=true the boundary is first fitted to the neighbours' edges, roads and rivers "
             "within the snap tolerance (boundary.snap_tolerance_m): the fitted boundary is the "
             "one validated, returned in the member `fitted` with what moved")
def sketch_validation(town_id: Id, request: Request, session: SessionDep, user: GisUser,
                      lang: LangDep, sent: SentDep, fit: bool = False) -> GeoJSONResponse:
    ctx = _context(request, session, town_id)
    inp = _sketch(request, sent)
    fitted = None
    if fit:
        inp, fitted = svc.fit_sketch(ctx, inp)
    document = svc.check_sketch(ctx, inp).to_geojson(lang.value)
    document["fitted"] = fitted
    return GeoJSONResponse(document)


@router.post("/sketch/suggestion", summary="The suggested boundary of an unsaved sketch, as "
             "`sijie suggest` makes it, in CRS84 (GIS staff)")
def sketch_suggestion(town_id: Id, request: Request, session: SessionDep, user: GisUser,
                      sent: SentDep) -> JSONDocument:
    ctx = _context(request, session, town_id)
    result = svc.suggest_sketch(ctx, _sketch(request, sent))
    shapes = storage_shapes(result)
    return JSONDocument(suggestion_document(result.to_dict(), shapes, CRS84))


@router.post("/sketch/upload", summary="Read a boundary file (any format sijie reads) into the "
             "editor, nothing stored; form fields crs, layer, feature, name and type as for "
             "POST /proposals (GIS staff)")
def sketch_upload(town_id: Id, request: Request, session: SessionDep, user: GisUser,
                  sent: SentDep) -> GeoJSONResponse:
    get_town(session, town_id)
    if sent.file is None:
        raise Problem(422, "content_type")
    inp = read_upload_input(request, sent)[0]  # opened in a worker process, as every upload
    return GeoJSONResponse({"type": "Feature", "geometry": inp.geometry.__geo_interface__,
                            "properties": {"name": inp.name, "type": inp.type}})
