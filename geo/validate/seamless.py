"""B5 seamless: "与周边已有村(社区)无缝连接".

Clause: 001 § 二(一)3(2). The community is carved out of its neighbours; the carve must leave
no gap sliver (a strip of a neighbour narrower than the snap tolerance left between the new
boundary and an existing edge) and take no overlap sliver (such a strip taken from a
neighbour); every neighbour must stay valid and in one piece, and a remnant smaller than the
minimum area is reported with the neighbour it should join.
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from geo.carve import Carved, carve, edge_bands, slivers
from geo.context import Context
from geo.i18n import N_
from geo.measure import mean_width
from geo.proposal import Proposal
from geo.revision import REGISTERED_KIND
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, INFO, WARNING, Finding, NeighbourChange, RuleResult

__all__ = ["check", "neighbour_findings"]

RULE = "B5"
CLAUSE = rule_clause(RULE)


def _sliver(key: str, neighbour: str, piece: BaseGeometry, limit: float) -> Finding:
    width = mean_width(piece)
    length = piece.area / width if width else 0.0
    return Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key=key,
                   params={"neighbour": neighbour, "width_m": width, "length_m": length,
                           "area_m2": piece.area},
                   measure={"width_m": width, "length_m": length, "area_m2": piece.area,
                            "snap_tolerance_m": limit},
                   geometry=piece)


def _join_target(piece: BaseGeometry, own: int, geom: BaseGeometry, ctx: Context,
                 community: str) -> str:
    """The neighbour (or the community itself) that shares the longest edge with ``piece``."""
    shapes, names = ctx.shapes("neighbours"), ctx.column("neighbours", "name")
    best = community
    best_length = shapely.length(shapely.intersection(piece.boundary, geom.boundary))
    for i in ctx.query("neighbours", piece.buffer(0.5)):
        if i == own:
            continue
        shared = shapely.length(shapely.intersection(piece.boundary, shapes[i]))
        if shared > best_length:
            best, best_length = str(names[i]), shared
    return best


def neighbour_findings(c: Carved, geom: BaseGeometry, ctx: Context, name: str, *,
                       bands: tuple[BaseGeometry, BaseGeometry] | None = None,
                       strips: tuple[Sequence[BaseGeometry], Sequence[BaseGeometry]] | None = None
                       ) -> list[Finding]:
    """The findings of carving ``geom`` (the community ``name``) out of one neighbour
    (``bands``: :func:`geo.carve.edge_bands` of ``geom``, when the caller has them;
    ``strips``: the :func:`geo.carve.slivers` of what it takes and of what it leaves, when
    the caller has found them, as an audit finds them for many carves at once)."""
    if ctx.column("neighbours", "kind")[c.index] == REGISTERED_KIND:
        if c.name == name:  # the community itself, as registered (an audit of the district)
            return []
        if c.taken.area >= 1.0:
            return [Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                            key=N_("b5_overlaps_registered"),
                            params={"neighbour": c.name, "area_m2": c.taken.area},
                            measure={"area_m2": c.taken.area}, geometry=c.taken)]
    rules = ctx.rules.boundary
    snap = rules.snap_tolerance_m
    if strips is None:
        bands = edge_bands(geom, snap) if bands is None else bands
        strips = (slivers(c.taken, snap, along=geom, bands=bands),
                  slivers(c.left, snap, along=geom, bands=bands))
    findings = [_sliver(N_("b5_overlap_sliver"), c.name, p, snap) for p in strips[0]]
    gaps = list(strips[1])
    findings += [_sliver(N_("b5_gap_sliver"), c.name, p, snap) for p in gaps]
    if c.left.is_empty or c.left.area < 1.0:
        return [*findings, Finding(rule=RULE, severity=INFO, clause=CLAUSE,
                                   key="b5_neighbour_absorbed",
                                   params={"neighbour": c.name, "area_m2": c.before.area},
                                   measure={"area_m2": c.before.area}, geometry=c.before)]
    if not shapely.is_valid(c.left):
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                key="b5_neighbour_invalid",
                                params={"neighbour": c.name,
                                        "reason": shapely.is_valid_reason(c.left)},
                                geometry=c.left))
    rest = shapely.difference(c.left, shapely.union_all(gaps)) if gaps else c.left
    pieces = sorted((p for p in shapely.get_parts(rest) if p.area >= 1.0), key=lambda p: -p.area)
    # a neighbour already in several parts (an enclave of its own) is only faulted for new ones
    already = max(len([p for p in shapely.get_parts(c.before) if p.area >= 1.0]), 1)
    for piece in pieces[already:]:
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE,
                                key="b5_neighbour_disjoint",
                                params={"neighbour": c.name, "parts": len(pieces),
                                        "area_m2": piece.area},
                                measure={"area_m2": piece.area, "parts": len(pieces)},
                                geometry=piece))
    if pieces and pieces[0].area < rules.remnant_min_area_m2:
        join = _join_target(pieces[0], c.index, geom, ctx, name)
        findings.append(Finding(rule=RULE, severity=WARNING, clause=CLAUSE,
                                key="b5_remnant_small",
                                params={"neighbour": c.name, "area_m2": pieces[0].area,
                                        "limit": rules.remnant_min_area_m2, "join": join},
                                measure={"area_m2": pieces[0].area,
                                         "limit": rules.remnant_min_area_m2},
                                geometry=pieces[0]))
    return findings


def _change(c: Carved) -> NeighbourChange:
    return NeighbourChange(name=c.name, code=c.code, area_given_m2=c.taken.area,
                           area_left_m2=c.left.area, valid=bool(shapely.is_valid(c.left)),
                           contiguous=len([p for p in shapely.get_parts(c.left)
                                           if p.area >= 1.0]) <= 1)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """Findings of the carve-out and, for each neighbour, what it gives up and keeps."""
    geom = proposal.to_crs(ctx.crs)
    findings: list[Finding] = []
    changes = []
    bands = edge_bands(geom, ctx.rules.boundary.snap_tolerance_m)
    for c in carve(geom, ctx):
        findings += neighbour_findings(c, geom, ctx, proposal.name, bands=bands)
        changes.append(_change(c))
    # the town is prepared: a proposal inside it (the usual case) costs no overlay with it
    outside = (shapely.Polygon() if shapely.covered_by(geom, ctx.town)
               else shapely.difference(geom, ctx.town))
    if outside.area >= 1.0:
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b5_outside_town",
                                params={"area_m2": outside.area},
                                measure={"area_m2": outside.area}, geometry=outside))
    return RuleResult(findings=tuple(findings), neighbours=tuple(changes))
