"""``/proposals/{id}/versions/{v}/validation|adjustment|grids|facility|profile|package``: POST
runs the spatial core on that version against its town's context and stores the result
(``?async=true`` or ``Prefer: respond-async`` makes it a job); GET reads the newest stored
result. ``…/map`` draws a map of the version for staff."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from api.crs import from_storage
from api.db.models import ProposalVersion, Run, User
from api.deps import LangDep, SessionDep, require_roles
from api.problems import Problem
from api.routes.common import Id, crs_header, output_crs
from api.routes.jobs import job_document
from api.services import proposals as svc
from api.services.geometry import shape_of
from api.services.maps import map_page
from api.services.runs import KINDS, latest_run, stored_rows
from geo.i18n import N_, Lang, Text

router = APIRouter(prefix="/proposals/{proposal_id}/versions/{version}", tags=["analysis"])

Runner = Annotated[User, Depends(require_roles("gis", "admin"))]
Staff = Annotated[User, Depends(require_roles("gis", "reviewer", "civil_affairs", "admin"))]
CrsQuery = Annotated[
    str | None, Query(description="CRS of geometries (CRS84, EPSG:4490, EPSG:4549 …)")
]

_KIND_LABELS = {
    "validation": N_("kind_validation"),
    "adjustment": N_("kind_adjustment"),
    "grids": N_("kind_grids"),
    "facility": N_("kind_facility"),
    "profile": N_("kind_profile"),
    "package": N_("kind_package"),
}


def _json(
    body: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=media_type,
        headers=headers,
    )


def _collection(rows: Sequence[Any], out: str) -> dict[str, Any]:
    features = []
    for row in rows:
        features.append(
            {
                "type": "Feature",
                "id": row.id,
                "properties": row.properties,
                "geometry": from_storage(shape_of(row.geom), out).__geo_interface__,
            }
        )
    return {"type": "FeatureCollection", "features": features, "numberReturned": len(features)}


def run_result(session: Session, run: Run, out: str, lang: Lang, version: int) -> dict[str, Any]:
    """What a finished run produced, as clients read it."""
    rows = stored_rows(session, run)
    if run.kind == "validation":
        return rows["report"].report_en if lang == Lang.en else rows["report"].report_zh
    if run.kind == "grids":
        notes = [note[lang.value] for note in run.result.get("notes", [])]
        return {
            "run": run.id,
            "notes": notes,
            "grids": _collection(rows["grids"], out),
            "microgrids": _collection(rows["microgrids"], out),
        }
    if run.kind == "facility":
        return {
            "run": run.id,
            "qualified": run.result["qualified"],
            "largest_available_m2": run.result["largest_available_m2"],
            "sites": _collection(rows["sites"], out),
        }
    if run.kind == "package":
        return {
            "run": run.id,
            "ok": run.result["ok"],
            "files": run.result["files"],
            "download": f"/proposals/{run.proposal_id}/versions/{version}/package",
        }
    return {"run": run.id, **run.result}


def _options(kind: str, request: Request, lang: Lang) -> dict[str, Any]:
    """What a profile or package run needs beyond the version (query parameters)."""
    if kind not in ("profile", "package"):
        return {}
    params = request.query_params
    try:
        year = int(params.get("year") or date.today().year)
        share = params.get("live_work_share")
        members = params.get("party_members")
        options: dict[str, Any] = {"year": year}
        if kind == "profile":
            options["live_work_share"] = None if share is None else float(share)
            options["party_members"] = None if members is None else int(members)
    except ValueError as exc:
        raise Problem(400, "bad_request", detail=str(exc)) from exc
    if kind == "package":
        options.update(lang=lang.value, folder=str(request.app.state.upload_dir / "packages"))
    return options


def _version(session: Session, proposal_id: int, version: int, user: User) -> ProposalVersion:
    svc.get_proposal(session, proposal_id, user)
    return svc.version_of(session, proposal_id, version)


def _wants_async(request: Request, flag: bool) -> bool:
    return flag or "respond-async" in request.headers.get("prefer", "").lower()


def _post(kind: str) -> Callable[..., Response]:
    def post(
        proposal_id: Id,
        version: Id,
        request: Request,
        session: SessionDep,
        user: Runner,
        lang: LangDep,
        crs: CrsQuery = None,
        run_async: Annotated[bool, Query(alias="async")] = False,
    ) -> Response:
        out = output_crs(request, crs)
        row = _version(session, proposal_id, version, user)
        runner = request.app.state.runner
        options = _options(kind, request, lang)
        if _wants_async(request, run_async):
            run = runner.submit(session, row, kind, user.id, options)
            return _json(
                job_document(run, lang),
                202,
                {"Location": f"/jobs/{run.id}", "Preference-Applied": "respond-async"},
            )
        run = runner.run_now(session, row, kind, user.id, options)
        return _json(
            run_result(session, run, out, lang, version),
            201,
            {"Location": f"/proposals/{proposal_id}/versions/{version}/{kind}", **crs_header(out)},
        )

    post.__name__ = f"run_{kind}"
    post.__doc__ = f"Run {kind} on this version and store the result (async: a job)."
    return post


def _get(kind: str) -> Callable[..., Response]:
    def get(
        proposal_id: Id,
        version: Id,
        request: Request,
        session: SessionDep,
        user: Staff,
        lang: LangDep,
        crs: CrsQuery = None,
    ) -> Response:
        out = output_crs(request, crs)
        row = _version(session, proposal_id, version, user)
        run = latest_run(session, row.id, kind)
        if run is None:
            raise Problem(404, "not_run", version=version, kind=Text(_KIND_LABELS[kind]))
        if kind == "package":
            archive = request.app.state.upload_dir / "packages" / run.result["archive"]
            return FileResponse(
                archive,
                media_type="application/zip",
                filename=f"proposal{proposal_id}_v{version}_package.zip",
            )
        return _json(run_result(session, run, out, lang, version), headers=crs_header(out))

    get.__name__ = f"read_{kind}"
    get.__doc__ = f"The newest stored {kind} of this version (staff)."
    return get


for _kind in KINDS:
    router.add_api_route(
        f"/{_kind}",
        _post(_kind),
        methods=["POST"],
        status_code=201,
        summary=f"Run {_kind} on this version",
    )
    router.add_api_route(
        f"/{_kind}", _get(_kind), methods=["GET"], summary=f"Newest stored {_kind} of this version"
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
    user: Staff,
    lang: LangDep,
    kind: Annotated[str, Query(pattern="^(validation|adjustment|grid|facility)$")] = "validation",
) -> HTMLResponse:
    row = _version(session, proposal_id, version, user)
    town_id = svc.get_proposal(session, proposal_id, user).town_id
    state = request.app.state
    return HTMLResponse(map_page(state.settings, state.contexts, kind, row, town_id, lang))
