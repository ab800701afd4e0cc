"""B7 industrial character: "以工业企业或楼宇为主体 … 产业特色较为明显".

Clause: 001 § 二(一)3(2). The share of industrial land (工业社区) or office and commercial
land (楼宇社区) in the community's land, roads and water left out, from the land-use layer; if
there is none, the share of floor area from the buildings layer. Below the minimum is a warning.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.measure import land_share, land_shares
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import INFO, WARNING, Finding, RuleResult

__all__ = ["WANTED", "check"]

RULE = "B7"
CLAUSE = rule_clause(RULE)
# the land-use classes (or building uses) that make each community type's character
WANTED = {"industrial": ("industrial",), "building": ("office", "commercial")}


def _floor_shares(geom: BaseGeometry, ctx: Context) -> dict[str, float]:
    """Floor area (m²) of each building use inside ``geom``."""
    index = ctx.inside("buildings", geom)
    areas = ctx.column("buildings", "floor_area_m2")[index].astype(float)
    floors: dict[str, list[float]] = {}
    for use, area in zip(ctx.column("buildings", "use")[index], areas, strict=True):
        if isinstance(use, str) and not math.isnan(area):  # buildings of no use: no share
            floors.setdefault(use, []).append(float(area))
    return {use: math.fsum(each) for use, each in floors.items()}


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """A warning when the type's land (or floor area) is under the rules' share."""
    geom = proposal.to_crs(ctx.crs)
    limit = ctx.rules.boundary.industrial_share_min
    kind = proposal.type if proposal.type in WANTED else "industrial"
    if ctx.has_layer("landuse"):
        share = land_share(land_shares(geom, ctx), WANTED[kind])
    elif ctx.has_layer("buildings"):
        floors = _floor_shares(geom, ctx)
        total = sum(floors.values())
        share = sum(floors.get(c, 0.0) for c in WANTED[kind]) / total if total else 0.0
    else:
        return RuleResult(findings=(Finding(rule=RULE, severity=INFO, clause=CLAUSE,
                                            key="skipped_layer", params={"layer": "landuse"}),),
                          metrics={"industrial_share": None})
    metrics = {"industrial_share": share}
    if share >= limit:
        return RuleResult(metrics=metrics)
    finding = Finding(rule=RULE, severity=WARNING, clause=CLAUSE, key="b7_low_share",
                      params={"kind": kind, "share": share, "limit": limit},
                      measure={"share": share, "limit": limit}, geometry=shapely.boundary(geom))
    return RuleResult(findings=(finding,), metrics=metrics)
