"""A town's background audit: every community of the town re-validated at once on the Dask
cluster against the town's current data and rules, kept as an audit job.

What is audited is the town's map as it stands and as it is proposed: the industrial
communities registered in the town's context (neighbours of kind ``industrial_community``) and
the newest version of every stored proposal not rejected, a proposal named as a registered
community standing in for it (it revises it, or is the registered proposal itself). Each is
judged as ``validate`` judges it alone against the town's current context (a registered
community is not faulted for its own boundary in the neighbours; a proposal overlapping another
registered community gets rule B5's error naming it), and the overlaps between all of them are
found once.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.cluster import submit_audit
from api.db.models import AuditJob, Proposal, ProposalVersion, utcnow
from api.problems import Problem
from api.services.proposals import geo_proposal
from api.services.runs import Runner
from api.services.towns import ContextCache, get_town
from geo.audit import Audit
from geo.context import Context
from geo.i18n import Lang
from geo.proposal import Proposal as GeoProposal
from geo.revision import REGISTERED_KIND

__all__ = ["AUDIT_FORMATS", "AUDIT_MEDIA", "AuditFile", "audit_file", "audit_layer",
           "finished_audit", "start_audit"]

AUDIT_FORMATS = ("json", "gpkg", "csv", "html")
AUDIT_MEDIA = {"json": "application/json", "gpkg": "application/geopackage+sqlite3",
          "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
def audit_layer(session: Session, town_id: int, ctx: Context
                ) -> tuple[list[GeoProposal], list[str], dict[str, int]]:
    """The communities a town's audit judges (see the module), their codes, and how many of
    each source (``registered``, ``proposals``)."""
    newest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.version).label("v"))
              .group_by(ProposalVersion.proposal_id).subquery())
    versions = session.scalars(
        select(ProposalVersion)
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .join(newest, (newest.c.proposal_id == ProposalVersion.proposal_id)
              & (newest.c.v == ProposalVersion.version))
        .where(Proposal.town_id == town_id, Proposal.state != "rejected")
        .order_by(ProposalVersion.proposal_id)).all()
    proposed = [geo_proposal(v) for v in versions]
    names = {p.name for p in proposed}
    neighbours = ctx.require("neighbours")
    registered: list[GeoProposal] = []
    codes: list[str] = []
    if "kind" in neighbours.columns:
        rows = neighbours[neighbours["kind"].astype(str) == REGISTERED_KIND]
        building = ctx.rules.naming.building_suffix
        for name, code, geom in zip(rows["name"], rows["code"], rows.geometry, strict=True):
            if str(name) in names:
                continue
            kind = "building" if str(name).endswith(building) else "industrial"
            registered.append(GeoProposal(name=str(name), type=kind, geometry=geom,
                                          crs=ctx.crs, raw_type=kind))
            codes.append("" if code is None else str(code))
    counts = {"registered": len(registered), "proposals": len(proposed)}
    return registered + proposed, codes + [""] * len(proposed), counts


def start_audit(session: Session, runner: Runner, contexts: ContextCache, town_id: int,
                user_id: int) -> AuditJob:
    """Record an audit job of the town and submit it to the cluster.

    Raises
    ------
    Problem
        404 when there is no such town.
    """
    get_town(session, town_id)
    ctx = contexts.get(town_id)
    communities, codes, counts = audit_layer(session, town_id, ctx)
    job = AuditJob(id=uuid.uuid4().hex, town_id=town_id, status="accepted", progress=0,
                   created_by=user_id, created_at=utcnow(), result={"audited": counts})
    session.add(job)
    session.commit()
    future = submit_audit(runner.cluster, communities, ctx, codes)

    def store(session: Session, job: Any, result: Audit) -> dict[str, Any]:
        failing = sum(not c.ok for c in result.communities)
        return {"town_id": town_id, "audited": counts,
                "summary": {"communities": len(result.communities), "failing": failing,
                            "overlaps": len(result.overlaps), "ok": result.ok},
                "record": result.to_record()}

    runner.submit(session, job, future, store)
    return job


def finished_audit(job: AuditJob) -> Audit:
    """The audit a successful job kept.

    Raises
    ------
    Problem
        409 while the job has not finished successfully.
    """
    if job.status != "successful" or not job.result:
        raise Problem(409, "job_not_finished", id=job.id, state=job.status)
    return Audit.from_record(job.result["record"])


@dataclass(frozen=True)
class AuditFile:
    """An audit's results as one file: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def audit_file(job: AuditJob, fmt: str, lang: Lang, ctx: Context) -> AuditFile:
    """The results of a finished audit job as JSON (the audit document with a summary),
    GeoPackage (layers ``communities`` and ``overlaps`` in the town's work CRS), CSV (one row
    per community, UTF-8 with a byte-order mark for spreadsheets) or the HTML overview map;
    class words, map labels and the list separator in ``lang``."""
    result = finished_audit(job)
    stem = f"audit_{job.town_id}_{job.id[:8]}"
    if fmt == "json":
        document = {**result.to_dict(), "town_id": job.town_id,
                    "audited": job.result["audited"] if job.result else {},
                    "summary": job.result["summary"] if job.result else {}}
        content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    elif fmt == "csv":
        frame = result.communities_frame(lang.value).drop(columns="geometry")
        content = frame.to_csv(index=False).encode("utf-8-sig")
    elif fmt == "gpkg":
        from geo.io import write_gpkg

        with tempfile.TemporaryDirectory(prefix="sijie-audit-") as folder:
            path = Path(folder) / f"{stem}.gpkg"
            write_gpkg(result.communities_frame(lang.value), path, "communities", lang=lang)
            write_gpkg(result.overlaps_frame(), path, "overlaps", lang=lang)
            content = path.read_bytes()
    else:
        from maps import audit_map, page_html

        content = page_html(audit_map(result, ctx, lang=lang.value)).encode("utf-8")
    return AuditFile(content, AUDIT_MEDIA[fmt], f"{stem}.{fmt}")
