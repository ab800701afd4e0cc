"""``/proposals/{id}/versions/{v}/validation|adjustment|grids|facility|profile|package``: POST
runs the spatial core on that version against its town's context and stores the result
(``?async=true`` or ``Prefer: respond-async`` makes it a job); GET reads the newest stored
result. ``…/map`` draws a map of the version for staff from the newest stored run of the analysis it
shows (running and storing it once when there is none). The kinds are those of
:mod:`api.registry`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from api.analyses import Analysis, Reading
from api.db.models import ProposalVersion, User
from api.deps import GisUser, LangDep, SessionDep, StaffUser
from api.problems import Problem
from api.registry import ANALYSES
from api.routes.common import Id, crs_header, output_crs
from api.routes.jobs import job_document
from api.serialize import JSONDocument
from api.services import proposals as svc
from api.services.maps import map_page
from api.services.runs import latest_run
from geo.i18n import Lang, Text

router = APIRouter(prefix="/proposals/{proposal_id}/versions/{version}", tags=["analysis"])

CrsQuery = Annotated[
    str | None, Query(description="CRS of geometries (CRS84, EPSG:4490, EPSG:4549 …)")
]


def _options(entry: Analysis[Any], request: Request, lang: Lang) -> dict[str, Any]:
    """What a run needs beyond the version (query parameters); 400 when one is malformed."""
    try:
        return entry.options(request.query_params, lang, request.app.state.upload_dir)
    except ValueError as exc:
        raise Problem(400, "bad_request", detail=str(exc)) from exc


def _version(session: Session, proposal_id: int, version: int, user: User) -> ProposalVersion:
    svc.get_proposal(session, proposal_id, user)
    return svc.version_of(session, proposal_id, version)


def _wants_async(request: Request, flag: bool) -> bool:
    return flag or "respond-async" in request.headers.get("prefer", "").lower()


def _post(entry: Analysis[Any]) -> Callable[..., Response]:
    kind = entry.name

    def post(
        proposal_id: Id,
        version: Id,
        request: Request,
        session: SessionDep,
        user: GisUser,
        lang: LangDep,
        crs: CrsQuery = None,
        run_async: Annotated[bool, Query(alias="async")] = False,
    ) -> Response:
        out = output_crs(request, crs)
        row = _version(session, proposal_id, version, user)
        runner = request.app.state.runner
        options = _options(entry, request, lang)
        if _wants_async(request, run_async):
            run = runner.submit(session, row, kind, user.id, options)
            return JSONDocument(
                job_document(run, lang),
                202,
                {"Location": f"/jobs/{run.id}", "Preference-Applied": "respond-async"},
            )
        run = runner.run_now(session, row, kind, user.id, options)
        return JSONDocument(
            entry.present(Reading(session, run, out, lang, version)),
            201,
            {"Location": f"/proposals/{proposal_id}/versions/{version}/{kind}", **crs_header(out)},
        )

    post.__name__ = f"run_{kind}"
    post.__doc__ = f"Run {kind} on this version and store the result (async: a job)."
    return post


def _get(entry: Analysis[Any]) -> Callable[..., Response]:
    kind = entry.name

    def get(
        proposal_id: Id,
        version: Id,
        request: Request,
        session: SessionDep,
        user: StaffUser,
        lang: LangDep,
        crs: CrsQuery = None,
    ) -> Response:
        out = output_crs(request, crs)
        row = _version(session, proposal_id, version, user)
        run = latest_run(session, row.id, kind)
        if run is None:
            raise Problem(404, "not_run", version=version, kind=Text(entry.label_key))
        if entry.download is not None:
            return FileResponse(
                entry.download(run, request.app.state.upload_dir),
                media_type="application/zip",
                filename=f"proposal{proposal_id}_v{version}_package.zip",
            )
        return JSONDocument(
            entry.present(Reading(session, run, out, lang, version)), headers=crs_header(out)
        )

    get.__name__ = f"read_{kind}"
    get.__doc__ = f"The newest stored {kind} of this version (staff)."
    return get


for _entry in ANALYSES.values():
    router.add_api_route(
        f"/{_entry.name}",
        _post(_entry),
        methods=["POST"],
        status_code=201,
        summary=f"Run {_entry.name} on this version",
    )
    router.add_api_route(
        f"/{_entry.name}",
        _get(_entry),
        methods=["GET"],
        summary=f"Newest stored {_entry.name} of this version",
    )


@router.get(
    "/map",
    response_class=HTMLResponse,
    summary="A web map of this version: validation, adjustment, grid or facility (staff)",
)
def version_map(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    lang: LangDep,
    kind: Annotated[str, Query(pattern="^(validation|adjustment|grid|facility)$")] = "validation",
) -> HTMLResponse:
    row = _version(session, proposal_id, version, user)
    town_id = svc.get_proposal(session, proposal_id, user).town_id
    state = request.app.state
    page = map_page(
        state.settings,
        state.contexts,
        kind,
        row,
        town_id,
        lang,
        result_of=lambda entry: state.runner.result(session, row, entry.name, user.id),
    )
    return HTMLResponse(page)
