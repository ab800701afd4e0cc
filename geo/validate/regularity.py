"""B4 regular: "管辖区域相对规整".

Clause: 001 § 二(一)3(2). Polsby–Popper compactness and the convex-hull ratio are measured;
below either threshold is a warning (a judgement for the reviewers, not an error), located on
the indentations (the convex hull minus the community).
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from geo.measure import hull_ratio, polsby_popper
from geo.rules import Rules
from geo.validate.report import FOUR_BOUNDARIES, WARNING, Finding

__all__ = ["check_regularity"]


def check_regularity(geom: BaseGeometry, rules: Rules) -> tuple[list[Finding], dict[str, float]]:
    limits = rules.boundary
    pp, hull = polsby_popper(geom), hull_ratio(geom)
    metrics = {"polsby_popper": pp, "hull_ratio": hull}
    if pp >= limits.polsby_popper_min and hull >= limits.hull_ratio_min:
        return [], metrics
    params = {"polsby_popper": pp, "pp_min": limits.polsby_popper_min,
              "hull_ratio": hull, "hull_min": limits.hull_ratio_min}
    where = shapely.difference(shapely.convex_hull(geom), geom)
    return [Finding("B4", WARNING, FOUR_BOUNDARIES, "b4_irregular", params,
                    {"polsby_popper": pp, "polsby_popper_min": limits.polsby_popper_min,
                     "hull_ratio": hull, "hull_ratio_min": limits.hull_ratio_min},
                    where if not where.is_empty else shapely.boundary(geom))], metrics
