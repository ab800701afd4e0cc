"""What the staff workspace asks of a town beyond the stored proposals: its context layers and
road-bounded blocks as GeoJSON (for snapping and composing), the validation and the suggested
boundary of an unsaved sketch (the same spatial core as the command line), and the town's
dashboard rows."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import Grid, Proposal, ProposalVersion, Run
from api.geometry import shape_of, shapes_of
from api.problems import Problem
from api.serialize import iso
from api.services.proposals import ProposalInput
from geo.conform import conform
from geo.context import Context
from geo.proposal import Proposal as GeoProposal
from geo.proposal import proposal_from_frame
from geo.suggest import Suggestion, compose, suggest, town_blocks
from geo.validate import Report, validate
from geo.validate.validity import check_validity

__all__ = ["SNAP_LAYERS", "block_union", "blocks_collection", "check_sketch", "dashboard_grids",
           "dashboard_rows", "fit_sketch", "layer_collection", "sketch_proposal", "suggest_sketch"]

# the context layers a drawn edge snaps to: road centrelines, rivers and village edges
SNAP_LAYERS = ("roads", "water", "terrain", "neighbours")
_WGS84 = "EPSG:4326"
_LONLAT = "EPSG:4490"  # a sketch's lon/lat, as proposals are stored
_SIMPLIFY_M = 0.5  # drawn layers are simplified this much (metres) before sending


def _collection(frame: gpd.GeoDataFrame, columns: Iterable[str]) -> dict[str, Any]:
    """A frame in the work CRS as a FeatureCollection in lon/lat, ids by row."""
    keep = [c for c in columns if c in frame.columns]
    geoms = shapely.simplify(frame.geometry.to_numpy(), _SIMPLIFY_M, preserve_topology=True)
    lonlat = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(_WGS84)
    rows = frame[keep].astype(object).where(frame[keep].notna(), None).to_dict("records")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(g), "properties": p}
        for i, (g, p) in enumerate(zip(lonlat, rows, strict=True))]}


def layer_collection(ctx: Context, name: str) -> dict[str, Any]:
    """A snapping layer of the town as GeoJSON (built once per context)."""
    if name not in SNAP_LAYERS:
        raise Problem(404, "collection_not_found", id=name)
    frame = ctx.layer(name)
    if frame is None:
        return {"type": "FeatureCollection", "features": []}
    return ctx.cached(f"web:layer:{name}", lambda: _collection(frame, ("name", "class", "kind")))


def blocks_collection(ctx: Context) -> dict[str, Any]:
    """The town's road-bounded blocks as GeoJSON, ``id`` = block number (built once)."""
    def build() -> dict[str, Any]:
        blocks = town_blocks(ctx)
        frame = gpd.GeoDataFrame({"area_m2": np.round(blocks.area, 1)},
                                 geometry=blocks.geometry, crs=ctx.crs)
        return _collection(frame, ("area_m2",))
    return ctx.cached("web:blocks", build)


def block_union(ctx: Context, numbers: list[int]) -> BaseGeometry:
    """The union of the given blocks in lon/lat; 422 for a number that names no block."""
    blocks = town_blocks(ctx)
    bad = [n for n in numbers if not 0 <= n < len(blocks)]
    if bad or not numbers:
        raise Problem(422, "blocks_invalid", got=", ".join(map(str, bad)) or "[]")
    geom = compose(blocks, numbers)
    return gpd.GeoSeries([geom], crs=ctx.crs).to_crs(_WGS84).iloc[0]


def sketch_proposal(inp: ProposalInput) -> GeoProposal:
    """An unsaved sketch as the spatial core's proposal (lon/lat, EPSG:4490)."""
    frame = gpd.GeoDataFrame(
        {"name": [inp.name], "type": [inp.type],
         "custodial_parts": [None if not inp.custodial else
                             json.dumps(inp.custodial, ensure_ascii=False)]},
        geometry=[inp.geometry], crs=_LONLAT)
    return proposal_from_frame(frame, source="sketch")


def check_sketch(ctx: Context, inp: ProposalInput) -> Report:
    """Rules B1–B10 on an unsaved sketch, as ``sijie validate`` runs them."""
    return validate(sketch_proposal(inp), ctx)


def fit_sketch(ctx: Context, inp: ProposalInput) -> tuple[ProposalInput, dict[str, Any] | None]:
    """A drawn sketch fitted to the town's edges within the snap tolerance
    (:func:`geo.conform.conform`) and what moved, ``None`` when nothing did or the sketch is
    not a valid polygon (rule B1 reports that, nothing is fitted)."""
    geom = sketch_proposal(inp).to_crs(ctx.crs)
    if check_validity(geom):
        return inp, None
    fitted = conform(geom, ctx)
    if not fitted.changed:
        return inp, None
    lonlat = gpd.GeoSeries([fitted.geometry], crs=ctx.crs).to_crs(_LONLAT).iloc[0]
    return replace(inp, geometry=lonlat), {
        "geometry": shapely.geometry.mapping(lonlat), "moved": fitted.moved,
        "max_move_m": round(fitted.max_move_m, 2), "joined_m2": round(fitted.joined_m2, 1),
        "returned_m2": round(fitted.returned_m2, 1),
        "tolerance_m": ctx.rules.boundary.snap_tolerance_m}


def suggest_sketch(ctx: Context, inp: ProposalInput) -> Suggestion:
    """The suggested boundary of an unsaved sketch, as ``sijie suggest`` makes it."""
    return suggest(sketch_proposal(inp), ctx)


def _latest_results(session: Session, version_ids: list[int], kind: str) -> dict[int, dict]:
    """The newest successful run's result of ``kind`` on each version (one query)."""
    if not version_ids:
        return {}
    newest = (select(Run.version_id, func.max(Run.created_at).label("at"))
              .where(Run.version_id.in_(version_ids), Run.kind == kind,
                     Run.status == "successful")
              .group_by(Run.version_id).subquery())
    rows = session.execute(
        select(Run.version_id, Run.result)
        .join(newest, (Run.version_id == newest.c.version_id) & (Run.created_at == newest.c.at))
        .where(Run.kind == kind)).all()
    return {version_id: result or {} for version_id, result in rows}


def _head_versions(session: Session, town_id: int) -> list[tuple[Proposal, ProposalVersion]]:
    """Each proposal of the town with its newest version, by proposal id."""
    newest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.version).label("v"))
              .group_by(ProposalVersion.proposal_id).subquery())
    rows = session.execute(
        select(Proposal, ProposalVersion)
        .join(ProposalVersion, ProposalVersion.proposal_id == Proposal.id)
        .join(newest, (newest.c.proposal_id == ProposalVersion.proposal_id)
              & (newest.c.v == ProposalVersion.version))
        .where(Proposal.town_id == town_id)
        .order_by(Proposal.id)).all()
    return [(p, v) for p, v in rows]


def dashboard_grids(session: Session, town_id: int) -> str:
    """The grids of each proposal's newest version (from its newest grids run) as GeoJSON
    text in lon/lat."""
    versions = {v.id: p.id for p, v in _head_versions(session, town_id)}
    if not versions:
        return _EMPTY
    newest = (select(Run.version_id, func.max(Run.created_at).label("at"))
              .where(Run.version_id.in_(list(versions)), Run.kind == "grids",
                     Run.status == "successful")
              .group_by(Run.version_id).subquery())
    runs = session.scalars(select(Run.id).join(
        newest, (Run.version_id == newest.c.version_id) & (Run.created_at == newest.c.at)
    ).where(Run.kind == "grids").order_by(Run.id)).all()
    return _grids_text(session, tuple(runs), tuple(sorted(versions.items())))


_EMPTY = '{"type": "FeatureCollection", "features": []}'
_GRIDS_KEPT: OrderedDict[tuple[Any, ...], str] = OrderedDict()  # stored runs never change


def _grids_text(session: Session, runs: tuple[str, ...],
                versions: tuple[tuple[int, int], ...]) -> str:
    """The grids of ``runs`` as GeoJSON text (kept for the last few sets of runs asked for:
    a stored run's grids never change)."""
    key = (str(session.get_bind().engine.url), runs, versions)
    if key in _GRIDS_KEPT:
        _GRIDS_KEPT.move_to_end(key)
        return _GRIDS_KEPT[key]
    proposal_of = dict(versions)
    rows = session.execute(select(Grid.code, Grid.version_id, Grid.geom)
                           .where(Grid.run_id.in_(runs)).order_by(Grid.id)).all() if runs else []
    if not rows:
        return _EMPTY
    shapes = shapes_of([r.geom for r in rows])
    texts = shapely.to_geojson(shapes)
    features = ",".join(
        '{"type": "Feature", "geometry": ' + text + ', "properties": '
        + json.dumps({"code": r.code, "proposal": proposal_of[r.version_id]}, ensure_ascii=False)
        + "}"
        for r, text in zip(rows, texts, strict=True))
    text = '{"type": "FeatureCollection", "features": [' + features + "]}"
    _GRIDS_KEPT[key] = text
    while len(_GRIDS_KEPT) > 8:
        _GRIDS_KEPT.popitem(last=False)
    return text


def dashboard_rows(session: Session, town_id: int) -> list[dict[str, Any]]:
    """Each proposal of the town with its newest version: id, name, state, class, employees,
    area, last change and the boundary (lon/lat); class and employees from the newest stored
    profile of that version (``None`` when none was run)."""
    rows = _head_versions(session, town_id)
    profiles = _latest_results(session, [v.id for _, v in rows], "profile")
    out = []
    for proposal, version in rows:
        profile = profiles.get(version.id, {}).get("profile", {})
        out.append({
            "id": proposal.id, "name": version.name, "state": proposal.state,
            "version": version.version, "type": version.type,
            "class": profile.get("community_class"), "employees": profile.get("employees"),
            "area_m2": round(version.area_m2, 1), "changed_at": iso(version.created_at),
            "geometry": shapely.geometry.mapping(shape_of(version.geom)),
        })
    return out
