"""B6 intact holdings: no enterprise plot and no building is cut in two by the boundary.

Clauses: 001 § 二(一)3(2) (seamless, regular boundaries) and 001 § 二(三)2 ("一企一格": an
enterprise belongs to one community and one grid). Each cut holding is located with the share
of it on each side.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.context import Context
from geo.i18n import N_
from geo.measure import STAFFED, area_shares
from geo.proposal import Proposal
from geo.rules.model import rule_clause
from geo.validate.report import ERROR, INFO, Finding, RuleResult

__all__ = ["check"]

RULE = "B6"
CLAUSE = rule_clause(RULE)


def check(proposal: Proposal, ctx: Context) -> RuleResult:
    """One error per enterprise parcel or building the boundary cuts; skipped layers noted."""
    geom = proposal.to_crs(ctx.crs)
    least = ctx.rules.boundary.cut_share_min
    findings = []
    for layer, key in (("parcels", N_("b6_cut_parcel")), ("buildings", N_("b6_cut_building"))):
        if not ctx.has_layer(layer):
            findings.append(Finding(rule=RULE, severity=INFO, clause=CLAUSE, key="skipped_layer",
                                    params={"layer": layer}))
            continue
        index = ctx.query(layer, shapely.boundary(geom))
        if index.size == 0:
            continue
        shapes = ctx.shapes_at(layer, index)
        share = area_shares(shapes, geom)
        cut = (share > least) & (share < 1 - least)
        if layer == "parcels":
            cut &= np.isin(ctx.column(layer, "kind")[index], STAFFED)
        for i, s, shape in zip(index[cut], share[cut], shapes[cut], strict=True):
            name = ctx.column(layer, "name")[i]
            findings.append(Finding(
                rule=RULE, severity=ERROR, clause=CLAUSE, key=key,
                params={"name": name if isinstance(name, str) and name else f"#{i + 1}",
                        "share_in": float(s), "share_out": float(1 - s)},
                measure={"share_inside": float(s), "share_outside": float(1 - s),
                         "area_m2": float(shape.area)},
                geometry=shape))
    return RuleResult(findings=tuple(findings))
