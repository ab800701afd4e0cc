"""B3 edges: "以道路为边界，也可以河流、山脉等自然地形为边界".

Clause: 001 § 二(一)3(2). The share of the perimeter lying within tolerance of a road
centreline (half its width plus a margin), a river or canal, a ridge or mountain foot, or the
town's own border must reach the rules' minimum; every stretch that follows none of them and is
at least the reporting length is located as a line with its length.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, WARNING, Finding, RuleResult

__all__ = ["check", "feature_zones", "followed_features", "loose_boundary", "loose_edges",
           "tiles_of", "zone_index"]

RULE = "B3"
CLAUSE = rule_clause(RULE)
# the side of the squares the followed area is kept in (metres)
TILE_M = 1000.0


def followed_features(ctx: Context) -> BaseGeometry:
    """The area within tolerance of every road, water, ridge and the town border (cached).

    The whole town's union grows faster than the town (≈ area^1.7); the rule itself only
    ever needs :func:`followed_near`, which unions the few zones near one proposal.
    """
    return ctx.cached("followed", lambda: _followed(ctx))


def feature_zones(ctx: Context) -> list[BaseGeometry]:
    """The zone within tolerance of each road, then of each river and each ridge (the town
    border's zone is added by the caller)."""
    rules = ctx.rules.boundary
    zones = list(ctx.road_zones())
    for layer, distance in (("water", rules.water_tolerance_m),
                            ("terrain", rules.terrain_tolerance_m)):
        if ctx.has_layer(layer):
            zones.extend(shapely.buffer(ctx.shapes(layer), distance))
    return zones


def zone_index(ctx: Context) -> tuple[npt.NDArray[np.object_], shapely.STRtree]:
    """Every zone a boundary may follow (each road's, river's and ridge's, and the town
    border's) and their spatial index, built once per context and kept."""

    def build() -> tuple[npt.NDArray[np.object_], shapely.STRtree]:
        zones = feature_zones(ctx)
        zones.append(shapely.buffer(ctx.town_border, ctx.rules.boundary.border_tolerance_m))
        pieces = np.array(zones, dtype=object)
        return pieces, shapely.STRtree(pieces)

    return ctx.cached("followed_zones", build)


def _square(col: int, row: int) -> BaseGeometry:
    return shapely.box(col * TILE_M, row * TILE_M, (col + 1) * TILE_M, (row + 1) * TILE_M)


def _pieces(ctx: Context, squares: list[tuple[int, int]]) -> None:
    """Make and keep the followed area inside each of ``squares`` (column, row)."""
    zones, tree = zone_index(ctx)
    boxes = np.array([_square(col, row) for col, row in squares], dtype=object)
    which, near = tree.query(boxes, predicate="intersects")
    order = np.argsort(which, kind="stable")
    which, near = which[order], near[order]
    clipped = shapely.intersection(zones[near], boxes[which])
    starts = np.searchsorted(which, np.arange(len(squares) + 1))
    for k, (col, row) in enumerate(squares):
        ctx.cached(f"followed_tile:{col}:{row}",
                   partial(_prepared_union, clipped[starts[k]:starts[k + 1]]))


def _prepared_union(pieces: npt.NDArray[np.object_]) -> BaseGeometry:
    union: BaseGeometry = shapely.union_all(pieces)
    shapely.prepare(union)
    return union


def _tile(ctx: Context, col: int, row: int) -> BaseGeometry:
    """The followed area inside one :data:`TILE_M` square of the town (made on first use and
    kept: a town is prepared where proposals are drawn, and only there, unless
    :func:`tiles_of` prepared it all)."""
    key = f"followed_tile:{col}:{row}"
    if not ctx.has(key):
        _pieces(ctx, [(col, row)])
    return ctx.cached(key, shapely.Polygon)


def tiles_of(ctx: Context) -> int:
    """Make and keep the followed area in every square the town (and its border's zone)
    reaches; how many squares that is."""
    margin = ctx.rules.boundary.border_tolerance_m
    x0, y0, x1, y1 = shapely.bounds(ctx.town)
    squares = [(col, row)
               for col in range(math.floor((x0 - margin) / TILE_M),
                                math.floor((x1 + margin) / TILE_M) + 1)
               for row in range(math.floor((y0 - margin) / TILE_M),
                                math.floor((y1 + margin) / TILE_M) + 1)
               if not ctx.has(f"followed_tile:{col}:{row}")]
    _pieces(ctx, squares)
    return len(squares)


def loose_edges(ctx: Context, boundary: BaseGeometry) -> BaseGeometry:
    """The parts of ``boundary`` within tolerance of no road, river, ridge or the town border.

    The followed area is kept square by square (:func:`_tile`), so a proposal costs the
    squares its boundary crosses, whatever the size of the town.
    """
    loose = boundary
    x0, y0, x1, y1 = shapely.bounds(boundary)
    for col in range(math.floor(x0 / TILE_M), math.floor(x1 / TILE_M) + 1):
        for row in range(math.floor(y0 / TILE_M), math.floor(y1 / TILE_M) + 1):
            if shapely.intersects(loose, _square(col, row)):
                loose = shapely.difference(loose, _tile(ctx, col, row))
    return loose


def _followed(ctx: Context) -> BaseGeometry:
    followed: BaseGeometry = shapely.union_all(zone_index(ctx)[0])
    shapely.prepare(followed)
    return followed


def loose_boundary(area: BaseGeometry, ctx: Context) -> tuple[BaseGeometry, float]:
    """The part of ``area``'s boundary (work CRS) that follows no road, river, ridge or the
    town border, and the share of the boundary that does follow one."""
    boundary = shapely.boundary(area)
    loose = loose_edges(ctx, boundary)
    share = 1.0 - loose.length / boundary.length if boundary.length else 0.0
    return loose, share


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """Findings for the boundary stretches that follow nothing, and the edge share."""
    rules = ctx.rules.boundary
    loose, share = loose_boundary(proposal.to_crs(ctx.crs), ctx)
    failed = share < rules.edge_share_min
    findings = []
    if failed:
        findings.append(Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b3_edge_share",
                                params={"share": share, "limit": rules.edge_share_min},
                                measure={"edge_share": share, "limit": rules.edge_share_min,
                                         "loose_m": loose.length},
                                geometry=loose))
    stretches: list[BaseGeometry] = ([] if loose.is_empty
                                     else list(shapely.get_parts(shapely.line_merge(loose))))
    for stretch in sorted(stretches, key=lambda s: -s.length):
        if stretch.length >= rules.uncovered_stretch_min_m:
            findings.append(Finding(rule=RULE, severity=ERROR if failed else WARNING,
                                    clause=CLAUSE, key="b3_loose_stretch",
                                    params={"length_m": stretch.length},
                                    measure={"length_m": stretch.length,
                                             "limit": rules.uncovered_stretch_min_m},
                                    geometry=stretch))
    return RuleResult(findings=tuple(findings), metrics={"edge_share": share})
