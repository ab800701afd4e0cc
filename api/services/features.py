"""The layers served as OGC API Features, and what each caller may see of them.

Staff see every proposal's newest version, the newest grids, micro-grids and facility sites
of every proposal, with all attributes. The public sees approved proposals as approved, their
grids and micro-grids without enterprise figures, and no facility sites. The context layers
(neighbours, roads) and the registered communities show the current version of each town's
context, or with a time span (the ``datetime`` parameter) the features valid at some time in
it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from api.db.models import (
    ContextFeature,
    FacilitySite,
    Grid,
    MicroGrid,
    Proposal,
    ProposalVersion,
    Run,
)
from api.serialize import PUBLIC_GRID_FIELDS, PUBLIC_MICROGRID_FIELDS
from api.services.proposals import PUBLIC_STATES, WITHDRAWN
from api.temporal import Span
from geo.revision import REGISTERED_KIND

__all__ = [
    "COLLECTIONS",
    "EVER",
    "TEMPORAL",
    "Collection",
    "extent",
    "feature_id",
    "one",
    "page",
    "properties",
    "query",
    "time_extent",
    "visible",
]

BBox = tuple[float, float, float, float]
EVER = Span(None, None)  # every feature any version ever had
TEMPORAL = {"neighbours", "communities"}  # collections answering "valid when"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    model: Any
    staff_only: bool = False


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "neighbours",
            "周边村（社区） Neighbouring villages and communities",
            "The villages and communities that tile the town (name, code, kind).",
            ContextFeature,
        ),
        Collection(
            "communities",
            "已登记产业型社区 Registered industrial communities",
            "The industrial communities registered in each town (name, code, valid_from, "
            "valid_to); with datetime, the boundaries valid then.",
            ContextFeature,
        ),
        Collection(
            "roads", "道路 Roads", "Road centrelines (name, class, width_m).", ContextFeature
        ),
        Collection(
            "proposals",
            "产业型社区方案 Community proposals",
            "Proposed community boundaries; the public sees approved ones.",
            ProposalVersion,
        ),
        Collection(
            "grids", "网格 Grids", "Grids of communities; the public sees approved ones.", Grid
        ),
        Collection(
            "microgrids",
            "微网格 Micro-grids",
            "One enterprise, park or building each; the public sees approved ones, codes only.",
            MicroGrid,
        ),
        Collection(
            "sites",
            "服务设施选址 Facility sites",
            "Candidate sites for community service facilities (staff only).",
            FacilitySite,
            staff_only=True,
        ),
    )
}


def visible(staff: bool) -> list[Collection]:
    """The collections a caller may list."""
    return [c for c in COLLECTIONS.values() if staff or not c.staff_only]


def _latest_runs(session: Session, kind: str, staff: bool) -> list[str]:
    """The newest successful run of ``kind`` per proposal (public: on the approved version)."""
    query = (
        select(Run.id, Run.proposal_id, Run.version_id, Run.created_at)
        .where(Run.kind == kind, Run.status == "successful")
        .order_by(Run.created_at, Run.id)
    )
    if not staff:
        query = (
            query.join(Proposal, Proposal.id == Run.proposal_id)
            .join(ProposalVersion, ProposalVersion.id == Run.version_id)
            .where(
                Proposal.state.in_(PUBLIC_STATES),
                ProposalVersion.version == Proposal.approved_version,
            )
        )
    latest: dict[int, str] = {}
    for run_id, proposal_id, _, _ in session.execute(query).all():
        latest[proposal_id] = run_id
    return list(latest.values())


def _valid(query: Select, when: Span | None) -> Select:
    """Context features of the current versions, or those valid at some time in ``when``."""
    if when is None:
        return query.where(ContextFeature.version_to.is_(None))
    if when is EVER:
        return query
    if when.end is not None:
        query = query.where(or_(ContextFeature.valid_from.is_(None),
                                ContextFeature.valid_from <= when.end))
    if when.start is not None:
        query = query.where(or_(ContextFeature.valid_to.is_(None),
                                ContextFeature.valid_to > when.start))
    return query


def _context_query(c: Collection, when: Span | None) -> Select:
    if c.id == "communities":
        query = select(ContextFeature).where(
            ContextFeature.layer == "neighbours",
            ContextFeature.properties["kind"].as_string() == REGISTERED_KIND)
    else:
        query = select(ContextFeature).where(ContextFeature.layer == c.id)
    return _valid(query, when)


def query(session: Session, c: Collection, staff: bool, when: Span | None = None) -> Select:
    """The features of ``c`` the caller sees (context features: current, or valid in
    ``when``)."""
    model = c.model
    if model is ContextFeature:
        return _context_query(c, when)
    if model is ProposalVersion:
        if staff:
            newest = (
                select(ProposalVersion.proposal_id, func.max(ProposalVersion.version).label("v"))
                .group_by(ProposalVersion.proposal_id)
                .subquery()
            )
            return select(ProposalVersion).join(
                newest,
                and_(
                    newest.c.proposal_id == ProposalVersion.proposal_id,
                    newest.c.v == ProposalVersion.version,
                ),
            ).join(Proposal, Proposal.id == ProposalVersion.proposal_id).where(
                Proposal.state != WITHDRAWN)
        return (
            select(ProposalVersion)
            .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
            .where(
                Proposal.state.in_(PUBLIC_STATES),
                ProposalVersion.version == Proposal.approved_version,
            )
        )
    kind = "facility" if model is FacilitySite else "grids"
    return select(model).where(model.run_id.in_(_latest_runs(session, kind, staff)))


def properties(c: Collection, row: Any, staff: bool, states: dict[int, Proposal]) -> dict[str, Any]:
    """What the caller may see of a row's attributes."""
    if c.model is ContextFeature:
        if c.id not in TEMPORAL:
            return dict(row.properties)
        return {**row.properties, "valid_from": _iso(row.valid_from),
                "valid_to": _iso(row.valid_to)}
    if c.model is ProposalVersion:
        proposal = states[row.proposal_id]
        props = {
            "proposal_id": row.proposal_id,
            "name": row.name,
            "type": row.type,
            "state": proposal.state,
            "version": row.version,
            "area_m2": round(row.area_m2, 1),
        }
        if staff:
            props.update({"reason": row.reason, "etag": row.etag, "input_crs": row.input_crs})
        return props
    if staff:
        return dict(row.properties)
    fields = PUBLIC_GRID_FIELDS if c.model is Grid else PUBLIC_MICROGRID_FIELDS
    return {k: row.properties.get(k) for k in fields}


def _states(session: Session, rows: list[Any], c: Collection) -> dict[int, Proposal]:
    if c.model is not ProposalVersion or not rows:
        return {}
    ids = {r.proposal_id for r in rows}
    return {p.id: p for p in session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()}


def extent(session: Session, c: Collection, staff: bool) -> list[list[float]]:
    """The lon/lat bounds of what the caller sees, as OGC's ``[[minx, miny, maxx, maxy]]``
    (empty when the caller sees nothing)."""
    m = c.model
    row = session.execute(
        query(session, c, staff)
        .with_only_columns(func.min(m.minx), func.min(m.miny), func.max(m.maxx), func.max(m.maxy))
        .order_by(None)
    ).one()
    return [list(row)] if row[0] is not None else []


def time_extent(session: Session, c: Collection, staff: bool) -> list[str | None] | None:
    """When the features of a collection with time were valid, over every version kept:
    ``[start, end]`` in RFC 3339 (``None``: open, since the records began or still valid);
    ``None`` for a collection without time or without features."""
    if c.id not in TEMPORAL:
        return None
    f = ContextFeature
    count, starts, ends, first, last = session.execute(
        query(session, c, staff, EVER).with_only_columns(
            func.count(), func.count(f.valid_from), func.count(f.valid_to),
            func.min(f.valid_from), func.max(f.valid_to)).order_by(None)).one()
    if not count:
        return None
    return [_iso(first) if starts == count else None, _iso(last) if ends == count else None]


def page(
    session: Session, c: Collection, staff: bool, *, box: BBox | None, offset: int, limit: int,
    when: Span | None = None, where: ColumnElement[bool] | None = None,
    order: Sequence[Any] = (),
) -> tuple[int, list[Any], dict[int, Proposal]]:
    """How many features meet ``box`` (lon/lat), the condition ``where`` (a CQL2 filter) and,
    in the context collections, were valid at some time in ``when`` (default: the current
    ones); one page of them in ``order`` (then by id), and their proposals."""
    selected = query(session, c, staff, when)
    m = c.model
    if box is not None:
        selected = selected.where(m.maxx >= box[0], m.minx <= box[2], m.maxy >= box[1],
                                  m.miny <= box[3])
    if where is not None:
        selected = selected.where(where)
    matched = int(
        session.scalar(select(func.count()).select_from(selected.order_by(None).subquery()))
        or 0
    )
    rows = list(session.scalars(
        selected.order_by(*order, m.id).offset(offset).limit(limit)).all())
    return matched, rows, _states(session, rows, c)


def feature_id(c: Collection, row: Any) -> int:
    """A feature's id: the proposal's for proposals (one feature each), else the row's."""
    return row.proposal_id if c.model is ProposalVersion else row.id


def one(
    session: Session, c: Collection, staff: bool, fid: int
) -> tuple[Any | None, dict[int, Proposal]]:
    """The feature ``fid`` if the caller may see it, and its proposal."""
    key = ProposalVersion.proposal_id if c.model is ProposalVersion else c.model.id
    # a context feature keeps its id after a newer version replaces it
    row = session.scalars(query(session, c, staff, EVER).where(key == fid)).first()
    return row, _states(session, [row] if row is not None else [], c)
