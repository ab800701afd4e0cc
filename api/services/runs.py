"""Analyses of a proposal version — validation, adjustment, grids, facility land — stored as
runs; a run asked for asynchronously is a job run by a background thread."""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyproj
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import (
    FacilitySite,
    Grid,
    MicroGrid,
    Proposal,
    ProposalVersion,
    Run,
    ValidationResult,
    utcnow,
)
from api.services.geometry import bbox_columns, db_geom, frame_records, plain
from api.services.proposals import geo_proposal
from api.services.towns import ContextCache
from geo.adjust import adjust
from geo.context import Context
from geo.errors import SijieError
from geo.facility import find_sites
from geo.grids import make_grids
from geo.i18n import Lang, t
from geo.validate import validate

__all__ = ["KINDS", "Runner", "latest_run", "recent_runs", "stored_rows"]

log = logging.getLogger(__name__)

KINDS = ("validation", "adjustment", "grids", "facility", "profile", "package")
_CRS84 = pyproj.CRS("OGC:CRS84")


def _feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    frame = frame.to_crs(_CRS84)
    features = [
        {
            "type": "Feature",
            "properties": props,
            "geometry": None if geom is None else geom.__geo_interface__,
        }
        for props, geom in frame_records(frame)
    ]
    return {"type": "FeatureCollection", "features": features}


def _validation(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    report = validate(geo_proposal(version), ctx)
    crs = pyproj.CRS.from_user_input(version.input_crs)
    zh, en = report.to_dict("zh", crs=crs), report.to_dict("en", crs=crs)
    session.add(
        ValidationResult(
            run_id=run.id,
            version_id=version.id,
            ok=report.ok,
            rules_version=report.rules_version,
            report_zh=plain(zh),
            report_en=plain(en),
            created_at=utcnow(),
        )
    )
    return {
        "ok": report.ok,
        "errors": sum(f.severity == "error" for f in report.findings),
        "findings": len(report.findings),
    }


def _adjustment(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    result = adjust(geo_proposal(version), ctx)
    return {
        "area_m2": round(result.area_m2, 2),
        "given_m2": round(result.given_m2, 2),
        "neighbours": _feature_collection(result.neighbours),
        "given": _feature_collection(result.given),
    }


def _rows(
    frame: gpd.GeoDataFrame, run: Run, version: ProposalVersion, extra: Callable[[dict], dict]
) -> list[dict]:
    frame = frame.to_crs(_CRS84)
    return [
        {
            "run_id": run.id,
            "version_id": version.id,
            "properties": props,
            "geom": db_geom(geom),
            **bbox_columns(geom),
            **extra(props),
        }
        for props, geom in frame_records(frame)
    ]


def _grids(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    plan = make_grids(geo_proposal(version), ctx)
    grids = _rows(plan.grids, run, version, lambda p: {"code": p["code"]})
    micro = _rows(
        plan.microgrids,
        run,
        version,
        lambda p: {"code": str(p.get("code") or ""), "grid_code": p.get("grid")},
    )
    if grids:
        session.execute(insert(Grid), grids)
    if micro:
        session.execute(insert(MicroGrid), micro)
    return {
        "grids": len(grids),
        "microgrids": len(micro),
        "units": plan.units,
        "notes": [{"key": n, **{lang.value: t(n, lang) for lang in Lang}} for n in plan.notes],
    }


def _facility(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    result = find_sites(geo_proposal(version), ctx)
    rows = _rows(
        result.sites,
        run,
        version,
        lambda p: {"rank": int(p.get("rank") or 0), "qualified": result.qualified},
    )
    if rows:
        session.execute(insert(FacilitySite), rows)
    return {
        "qualified": result.qualified,
        "sites": len(rows),
        "largest_available_m2": round(result.largest_available_m2, 1),
    }


def _profile(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    from geo.profile import community_profile

    profile = community_profile(
        geo_proposal(version),
        ctx,
        year=options["year"],
        live_work_share=options.get("live_work_share"),
        party_members=options.get("party_members"),
    )
    return {"options": options, "profile": profile.to_dict()}


def _package(
    session: Session, run: Run, version: ProposalVersion, ctx: Context, options: dict[str, Any]
) -> dict[str, Any]:
    from api.package import build_package
    from geo.i18n import Lang

    folder = Path(options["folder"]) / run.id
    lang = Lang(options.get("lang", "zh"))
    package = build_package(geo_proposal(version), ctx, folder, year=options["year"], lang=lang)
    archive = folder.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in package.files:
            bundle.write(path, arcname=path.name)
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "ok": package.ok,
        "files": [p.name for p in package.files],
        "lang": lang.value,
        "archive": archive.name,
    }


Analysis = Callable[[Session, Run, ProposalVersion, Context, dict[str, Any]], dict[str, Any]]
_ANALYSES: dict[str, Analysis] = {
    "validation": _validation,
    "adjustment": _adjustment,
    "grids": _grids,
    "facility": _facility,
    "profile": _profile,
    "package": _package,
}


def stored_rows(session: Session, run: Run) -> dict[str, Any]:
    """What a successful run stored beside its summary: the report, grids, micro-grids, sites."""
    if run.kind == "validation":
        return {
            "report": session.scalar(
                select(ValidationResult).where(ValidationResult.run_id == run.id)
            )
        }
    if run.kind == "grids":
        return {
            "grids": session.scalars(
                select(Grid).where(Grid.run_id == run.id).order_by(Grid.code)
            ).all(),
            "microgrids": session.scalars(
                select(MicroGrid).where(MicroGrid.run_id == run.id).order_by(MicroGrid.id)
            ).all(),
        }
    if run.kind == "facility":
        return {
            "sites": session.scalars(
                select(FacilitySite)
                .where(FacilitySite.run_id == run.id)
                .order_by(FacilitySite.rank, FacilitySite.id)
            ).all()
        }
    return {}


def recent_runs(session: Session, *, status: str | None, limit: int) -> list[Run]:
    """Runs newest first, optionally only those in ``status``."""
    query = select(Run).order_by(Run.created_at.desc(), Run.id)
    if status is not None:
        query = query.where(Run.status == status)
    return list(session.scalars(query.limit(limit)).all())


def latest_run(session: Session, version_id: int, kind: str) -> Run | None:
    """The newest successful run of ``kind`` on a version."""
    return session.scalar(
        select(Run)
        .where(Run.version_id == version_id, Run.kind == kind, Run.status == "successful")
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(1)
    )


class Runner:
    """Runs analyses now (in the request) or later (a background thread, as a job)."""

    def __init__(self, sessions: sessionmaker, contexts: ContextCache, *, threads: int) -> None:
        self._sessions = sessions
        self._contexts = contexts
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sijie-job")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def drain(self) -> None:
        """Wait until every job submitted so far has finished (for tests and shutdown)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _new_run(
        self,
        session: Session,
        version: ProposalVersion,
        kind: str,
        user_id: int,
        options: dict[str, Any],
    ) -> Run:
        # a job's options wait in its result until it runs
        run = Run(
            id=uuid.uuid4().hex,
            proposal_id=version.proposal_id,
            version_id=version.id,
            kind=kind,
            status="accepted",
            progress=0,
            created_by=user_id,
            created_at=utcnow(),
            result={"options": options},
        )
        session.add(run)
        session.commit()
        return run

    def _execute(self, run_id: str) -> None:
        with self._sessions() as session:
            run = session.get(Run, run_id)
            version = session.get(ProposalVersion, run.version_id)
            proposal = session.get(Proposal, version.proposal_id)
            run.status, run.progress = "running", 10
            session.commit()
            try:
                ctx = self._contexts.get(proposal.town_id)
                result = _ANALYSES[run.kind](session, run, version, ctx, run.result["options"])
            except SijieError as exc:
                session.rollback()
                run = session.get(Run, run_id)
                run.status, run.error = "failed", {
                    "detail": str(exc), "detail_zh": exc.message("zh"),
                    "detail_en": exc.message("en"), "code": "input_error"}
            except Exception:  # a job must end in a state a client can read
                log.exception("job %s failed", run_id)
                session.rollback()
                run = session.get(Run, run_id)
                run.status, run.error = "failed", {"detail": "internal error", "code": "internal"}
            else:
                run.status, run.progress, run.result = "successful", 100, plain(result)
            run.finished_at = utcnow()
            session.commit()

    def run_now(
        self,
        session: Session,
        version: ProposalVersion,
        kind: str,
        user_id: int,
        options: dict[str, Any] | None = None,
    ) -> Run:
        """Run and store an analysis in the request; its typed errors reach the client."""
        options = options or {}
        run = self._new_run(session, version, kind, user_id, options)
        ctx = self._contexts.get(session.get(Proposal, version.proposal_id).town_id)
        try:
            result = _ANALYSES[kind](session, run, version, ctx, options)
        except Exception:
            session.rollback()
            failed = session.get(Run, run.id)
            failed.status, failed.finished_at = "failed", utcnow()
            session.commit()
            raise
        run.status, run.progress, run.result, run.finished_at = (
            "successful",
            100,
            plain(result),
            utcnow(),
        )
        session.commit()
        return run

    def submit(
        self,
        session: Session,
        version: ProposalVersion,
        kind: str,
        user_id: int,
        options: dict[str, Any] | None = None,
    ) -> Run:
        """Queue an analysis as a job; the caller polls ``/jobs/{id}``."""
        run = self._new_run(session, version, kind, user_id, options or {})
        future = self._pool.submit(self._execute, run.id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return run

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
