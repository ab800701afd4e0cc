"""B8 scale: "一般以 N 人左右就业人口为宜，原则上不超过 M 人".

Clause: 001 § 二(一)3(3). Employees are summed from the enterprise and park parcels inside
(a cut parcel counts by the share of its area inside). Above M is an error; farther from N than
the rules' tolerance is a warning. N and M are the bureau's settings.
"""

from __future__ import annotations

import shapely

from geo.context import Context
from geo.measure import employees_inside, verified_inside
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, INFO, WARNING, Finding, RuleResult

__all__ = ["check"]

RULE = "B8"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """An error above M employees, a warning far from N; the employees and enterprises."""
    rules = ctx.rules.scale
    if not ctx.has_layer("parcels"):
        return RuleResult(findings=(Finding(rule=RULE, severity=INFO, clause=CLAUSE,
                                            key="skipped_layer", params={"layer": "parcels"}),),
                          metrics={"employees": None, "enterprises": None})
    geom = proposal.to_crs(ctx.crs)
    employees, enterprises = employees_inside(geom, ctx)
    metrics = {"employees": employees, "enterprises": enterprises}
    verified = verified_inside(geom, ctx)
    if verified is not None:  # only said when verified figures were imported (001 § 三(一))
        metrics["employees_verified"] = verified
    measure: dict[str, float] = {"employees": employees, "target": rules.employees_target,
               "limit": rules.employees_max}
    where = shapely.boundary(geom)
    if employees > rules.employees_max:
        finding = Finding(rule=RULE, severity=ERROR, clause=CLAUSE, key="b8_over_max",
                          params={"employees": employees, "limit": rules.employees_max},
                          measure=measure, geometry=where)
    elif abs(employees - rules.employees_target) > rules.target_tolerance * rules.employees_target:
        finding = Finding(rule=RULE, severity=WARNING, clause=CLAUSE, key="b8_far_from_target",
                          params={"employees": employees, "target": rules.employees_target},
                          measure=measure, geometry=where)
    else:
        return RuleResult(metrics=metrics)
    return RuleResult(findings=(finding,), metrics=metrics)
