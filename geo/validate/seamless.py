"""B5 seamless: "与周边已有村(社区)无缝连接".

Clause: 001 § 二(一)3(2). The community is carved out of its neighbours; the carve must leave
no gap sliver (a strip of a neighbour narrower than the snap tolerance left between the new
boundary and an existing edge) and take no overlap sliver (such a strip taken from a
neighbour); every neighbour must stay valid and in one piece, and a remnant smaller than the
minimum area is reported with the neighbour it should join.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from geo.carve import Carved, carve, slivers
from geo.context import Context
from geo.i18n import N_
from geo.measure import mean_width
from geo.validate.report import ERROR, FOUR_BOUNDARIES, INFO, WARNING, Finding, NeighbourChange

__all__ = ["check_seamless"]


def _sliver(key: str, neighbour: str, piece: BaseGeometry, limit: float) -> Finding:
    width = mean_width(piece)
    length = piece.area / width if width else 0.0
    params = {"neighbour": neighbour, "width_m": width, "length_m": length, "area_m2": piece.area}
    return Finding("B5", ERROR, FOUR_BOUNDARIES, key, params,
                   {"width_m": width, "length_m": length, "area_m2": piece.area,
                    "snap_tolerance_m": limit}, piece)


def _join_target(piece: BaseGeometry, own: int, geom: BaseGeometry, ctx: Context, lang_name: str) -> str:
    """The neighbour (or the community itself) that shares the longest edge with ``piece``."""
    neighbours = ctx.require("neighbours")
    best, best_length = lang_name, shapely.length(shapely.intersection(piece.boundary, geom.boundary))
    for i in ctx.query("neighbours", piece.buffer(0.5)):
        if i == own:
            continue
        shared = shapely.length(shapely.intersection(piece.boundary, neighbours.geometry.values[i]))
        if shared > best_length:
            best, best_length = str(neighbours["name"].values[i]), shared
    return best


def _neighbour_findings(c: Carved, geom: BaseGeometry, ctx: Context, name: str) -> list[Finding]:
    rules = ctx.rules.boundary
    snap = rules.snap_tolerance_m
    findings = [_sliver(N_("b5_overlap_sliver"), c.name, p, snap)
                for p in slivers(c.taken, snap, along=geom)]
    gaps = slivers(c.left, snap, along=geom)
    findings += [_sliver(N_("b5_gap_sliver"), c.name, p, snap) for p in gaps]
    if c.left.is_empty or c.left.area < 1.0:
        return findings + [Finding("B5", INFO, FOUR_BOUNDARIES, "b5_neighbour_absorbed",
                                   {"neighbour": c.name, "area_m2": c.before.area},
                                   {"area_m2": c.before.area}, c.before)]
    if not shapely.is_valid(c.left):
        reason = shapely.is_valid_reason(c.left)
        findings.append(Finding("B5", ERROR, FOUR_BOUNDARIES, "b5_neighbour_invalid",
                                {"neighbour": c.name, "reason": reason}, {}, c.left))
    rest = shapely.difference(c.left, shapely.union_all(gaps)) if gaps else c.left
    pieces = sorted((p for p in shapely.get_parts(rest) if p.area >= 1.0), key=lambda p: -p.area)
    # a neighbour already in several parts (an enclave of its own) is only faulted for new ones
    already = max(len([p for p in shapely.get_parts(c.before) if p.area >= 1.0]), 1)
    for piece in pieces[already:]:
        findings.append(Finding("B5", ERROR, FOUR_BOUNDARIES, "b5_neighbour_disjoint",
                                {"neighbour": c.name, "parts": len(pieces), "area_m2": piece.area},
                                {"area_m2": piece.area, "parts": len(pieces)}, piece))
    if pieces and pieces[0].area < rules.remnant_min_area_m2:
        join = _join_target(pieces[0], c.index, geom, ctx, name)
        findings.append(Finding("B5", WARNING, FOUR_BOUNDARIES, "b5_remnant_small",
                                {"neighbour": c.name, "area_m2": pieces[0].area,
                                 "limit": rules.remnant_min_area_m2, "join": join},
                                {"area_m2": pieces[0].area, "limit": rules.remnant_min_area_m2},
                                pieces[0]))
    return findings


def check_seamless(geom: BaseGeometry, ctx: Context, *, name: str
                   ) -> tuple[list[Finding], list[NeighbourChange]]:
    """Findings of the carve-out and, for each neighbour, what it gives up and keeps."""
    findings: list[Finding] = []
    changes = []
    for c in carve(geom, ctx):
        findings += _neighbour_findings(c, geom, ctx, name)
        changes.append(NeighbourChange(c.name, c.code, c.taken.area, c.left.area,
                                       bool(shapely.is_valid(c.left)),
                                       len([p for p in shapely.get_parts(c.left) if p.area >= 1.0]) <= 1))
    outside = shapely.difference(geom, ctx.town)
    if outside.area >= 1.0:
        findings.append(Finding("B5", ERROR, FOUR_BOUNDARIES, "b5_outside_town",
                                {"area_m2": outside.area}, {"area_m2": outside.area}, outside))
    return findings, changes
