"""B3 edges: "以道路为边界，也可以河流、山脉等自然地形为边界".

Clause: 001 § 二(一)3(2). The share of the perimeter lying within tolerance of a road
centreline (half its width plus a margin), a river or canal, a ridge or mountain foot, or the
town's own border must reach the rules' minimum; every stretch that follows none of them and is
at least the reporting length is located as a line with its length.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, WARNING, Finding, RuleResult

__all__ = ["check", "feature_zones", "followed_features", "followed_near", "zone_index"]

RULE = "B3"
CLAUSE = rule_clause(RULE)


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
        frame = ctx.layer(layer)
        if frame is not None:
            zones.extend(shapely.buffer(frame.geometry.values, distance))
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


def followed_near(ctx: Context, boundary: BaseGeometry) -> BaseGeometry:
    """The followed area around ``boundary`` (within its bounding box): the union of only the
    zones that meet it, each clipped first, so the cost depends on the proposal's
    surroundings, not on the town's size."""
    zones, tree = zone_index(ctx)
    window = shapely.box(*shapely.bounds(boundary)).buffer(1.0)
    near = zones[tree.query(boundary, predicate="intersects")]
    return shapely.union_all(shapely.intersection(near, window))


def _followed(ctx: Context) -> BaseGeometry:
    followed: BaseGeometry = shapely.union_all(zone_index(ctx)[0])
    shapely.prepare(followed)
    return followed


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """Findings for the boundary stretches that follow nothing, and the edge share."""
    rules = ctx.rules.boundary
    boundary = shapely.boundary(proposal.to_crs(ctx.crs))
    loose = shapely.difference(boundary, followed_near(ctx, boundary))
    share = 1.0 - loose.length / boundary.length if boundary.length else 0.0
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
