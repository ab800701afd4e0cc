"""B4 regular: "管辖区域相对规整".

Clause: 001 § 二(一)3(2). Polsby–Popper compactness and the convex-hull ratio are measured;
below either threshold is a warning (a judgement for the reviewers, not an error), located on
the indentations (the convex hull minus the community).
"""

from __future__ import annotations

import shapely

from geo.context import Context
from geo.measure import hull_ratio, polsby_popper
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import WARNING, Finding, RuleResult

__all__ = ["check"]

RULE = "B4"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """A warning located on the indentations when the shape is below either threshold."""
    geom = proposal.to_crs(ctx.crs)
    limits = ctx.rules.boundary
    pp, hull = polsby_popper(geom), hull_ratio(geom)
    metrics = {"polsby_popper": pp, "hull_ratio": hull}
    if pp >= limits.polsby_popper_min and hull >= limits.hull_ratio_min:
        return RuleResult(metrics=metrics)
    where = shapely.difference(shapely.convex_hull(geom), geom)
    finding = Finding(rule=RULE, severity=WARNING, clause=CLAUSE, key="b4_irregular",
                      params={"polsby_popper": pp, "pp_min": limits.polsby_popper_min,
                              "hull_ratio": hull, "hull_min": limits.hull_ratio_min},
                      measure={"polsby_popper": pp, "polsby_popper_min": limits.polsby_popper_min,
                               "hull_ratio": hull, "hull_ratio_min": limits.hull_ratio_min},
                      geometry=where if not where.is_empty else shapely.boundary(geom))
    return RuleResult(findings=(finding,), metrics=metrics)
