"""B10 residents: "产业型社区内有常驻居民的区域参照城市社区功能职责进行管理".

Clause: 001 § 二(二). Residential land and homes inside are reported as a warning: they are
managed under the rules of urban communities.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.context import Context
from geo.measure import residents_inside
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import INFO, WARNING, Finding, RuleResult

__all__ = ["check"]

RULE = "B10"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """A warning located on the residential land and homes inside, when there are any."""
    if not ctx.has_layer("landuse") and not ctx.has_layer("buildings"):
        return RuleResult(findings=(Finding(rule=RULE, severity=INFO, clause=CLAUSE,
                                            key="skipped_layer", params={"layer": "landuse"}),))
    area, count, places = residents_inside(proposal.to_crs(ctx.crs), ctx)
    if area < 1.0 and count == 0:
        return RuleResult()
    finding = Finding(rule=RULE, severity=WARNING, clause=CLAUSE, key="b10_residents",
                      params={"area_m2": area, "buildings": count},
                      measure={"area_m2": area, "buildings": count},
                      geometry=shapely.union_all(np.array(places, dtype=object)))
    return RuleResult(findings=(finding,))
