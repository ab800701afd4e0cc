"""``/proposals/{id}/versions/{v}/validation|adjustment|grids|facility|profile|package``: POST
runs the spatial core on that version against its town's context and stores the result
(``?async=true`` or ``Prefer: respond-async`` makes it a job); GET reads the newest stored
result. ``…/map`` draws a map of the version for staff from the newest stored run of the analysis it
shows (running and storing it once when there is none). The kinds are those of
:mod:`api.registry`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from api.analyses import Analysis, Reading
from api.db.models import ProposalVersion, Run, User
from api.deps import GisUser, LangDep, SessionDep, StaffUser
from api.problems import Problem
from api.registry import ANALYSES
from api.routes.common import Id, crs_header, output_crs
from api.routes.jobs import job_document
from api.serialize import JSONDocument
from api.services import proposals as svc
from api.services.maps import map_page
from api.services.runs import Order, latest_run
from geo.i18n import Lang, Text

router = APIRouter(prefix="/proposals/{proposal_id}/versions/{version}", tags=["analysis"])

CrsQuery = Annotated[
    str | None, Query(description="CRS of geometries (CRS84, EPSG:4490, EPSG:4549 …)")
]
# the maps staff draw of a version: one per analysis that has a map
_STAFF_MAPS = "|".join(e.map_kind for e in ANALYSES.values() if e.map_kind is not None)
StaffMapQuery = Annotated[str, Query(pattern=f"^({_STAFF_MAPS})$")]


def _options(entry: Analysis[Any], request: Request, lang: Lang) -> dict[str, Any]:
    """What a run needs beyond the version (query parameters); 400 when one is malformed."""
    try:
        return entry.options(request.query_params, lang, request.app.state.upload_dir)
    except ValueError as exc:
        raise Problem(400, "bad_request", detail=str(exc)) from exc


def _version(session: Session, proposal_id: int, version: int, user: User) -> ProposalVersion:
    svc.get_proposal(session, proposal_id, user)
    return svc.version_of(session, proposal_id, version)


@dataclass(frozen=True)
class Asked:
    """What a request on a version's analysis names: the version, the CRS of the geometries
    it reads (a CRS URI) and its language."""

    proposal_id: int
    version: int
    session: Session
    crs: str
    lang: Lang

    def row(self, user: User) -> ProposalVersion:
        """The version asked for, when ``user`` may read its proposal (404 otherwise)."""
        return _version(self.session, self.proposal_id, self.version, user)

    def reading(self, run: Run) -> Reading:
        """``run`` as this request reads it."""
        return Reading(self.session, run, self.crs, self.lang, self.version)


def _asked(
    proposal_id: Id,
    version: Id,
    request: Request,
    session: SessionDep,
    lang: LangDep,
    crs: CrsQuery = None,
) -> Asked:
    return Asked(proposal_id, version, session, output_crs(request, crs), lang)


# after the role's dependency, so that who asks is checked before what is asked
AskedDep = Annotated[Asked, Depends(_asked)]


def _wants_async(request: Request, flag: bool) -> bool:
    return flag or "respond-async" in request.headers.get("prefer", "").lower()


def _post(entry: Analysis[Any]) -> Callable[..., Response]:
    kind = entry.name

    def post(
        user: GisUser,
        asked: AskedDep,
        request: Request,
        run_async: Annotated[bool, Query(alias="async")] = False,
    ) -> Response:
        order = Order(asked.row(user), kind, user.id, _options(entry, request, asked.lang))
        job = _wants_async(request, run_async)
        run = request.app.state.runner.start(asked.session, order, job=job)
        if job:
            return JSONDocument(
                job_document(run, asked.lang),
                202,
                {"Location": f"/jobs/{run.id}", "Preference-Applied": "respond-async"},
            )
        location = f"/proposals/{asked.proposal_id}/versions/{asked.version}/{kind}"
        return JSONDocument(entry.present(asked.reading(run)), 201,
                            {"Location": location, **crs_header(asked.crs)})

    post.__name__ = f"run_{kind}"
    post.__doc__ = f"Run {kind} on this version and store the result (async: a job)."
    return post


def _get(entry: Analysis[Any]) -> Callable[..., Response]:
    kind = entry.name

    def get(user: StaffUser, asked: AskedDep, request: Request) -> Response:
        run = latest_run(asked.session, asked.row(user).id, kind)
        if run is None:
            raise Problem(404, "not_run", version=asked.version, kind=Text(entry.label_key))
        download = entry.download(run, request.app.state.upload_dir)
        if download is not None:
            return FileResponse(
                download,
                media_type="application/zip",
                filename=f"proposal{asked.proposal_id}_v{asked.version}_package.zip",
            )
        return JSONDocument(entry.present(asked.reading(run)), headers=crs_header(asked.crs))

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
    # a kind read as a file (the application package) is a zip, as the document says
    _file = type(_entry).download is not Analysis.download
    router.add_api_route(
        f"/{_entry.name}",
        _get(_entry),
        methods=["GET"],
        summary=f"Newest stored {_entry.name} of this version",
        responses={200: {"content": {"application/zip": {}}}} if _file else None,
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
    kind: StaffMapQuery = "validation",
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
        runner=state.runner,
        session=session,
        user_id=user.id,
    )
    return HTMLResponse(page)
