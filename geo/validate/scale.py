"""B8 scale: "一般以 N 人左右就业人口为宜，原则上不超过 M 人".

Clause: 001 § 二(一)3(3). Employees are summed from the enterprise and park parcels inside
(a cut parcel counts by the share of its area inside). Above M is an error; farther from N than
the rules' tolerance is a warning. N and M are the bureau's settings.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.rules.model import ScaleRules, clause_of
from geo.validate.holdings import STAFFED, inside_shares
from geo.validate.report import ERROR, INFO, WARNING, Finding

__all__ = ["check_scale", "employees_inside"]

CLAUSE = clause_of(ScaleRules, "employees_max")


def employees_inside(geom: BaseGeometry, ctx: Context) -> tuple[int, int]:
    """Employees and enterprises inside ``geom`` (an enterprise counts where most of it lies)."""
    index, share = inside_shares(ctx, "parcels", geom)
    frame = ctx.layer("parcels")
    staffed = np.isin(frame["kind"].values[index], STAFFED)
    employees = np.nan_to_num(frame["employees"].values[index].astype(float))
    total = int(round(float((employees * share)[staffed].sum())))
    enterprises = int(((frame["kind"].values[index] == "enterprise") & (share >= 0.5)).sum())
    return total, enterprises


def check_scale(geom: BaseGeometry, ctx: Context) -> tuple[list[Finding], dict[str, int | None]]:
    rules = ctx.rules.scale
    if ctx.layer("parcels") is None:
        return [Finding("B8", INFO, CLAUSE, "skipped_layer", {"layer": "parcels"}, {}, None)], \
            {"employees": None, "enterprises": None}
    employees, enterprises = employees_inside(geom, ctx)
    metrics = {"employees": employees, "enterprises": enterprises}
    measure = {"employees": employees, "target": rules.employees_target, "limit": rules.employees_max}
    where = shapely.boundary(geom)
    if employees > rules.employees_max:
        return [Finding("B8", ERROR, CLAUSE, "b8_over_max",
                        {"employees": employees, "limit": rules.employees_max}, measure, where)], metrics
    if abs(employees - rules.employees_target) > rules.target_tolerance * rules.employees_target:
        return [Finding("B8", WARNING, CLAUSE, "b8_far_from_target",
                        {"employees": employees, "target": rules.employees_target}, measure, where)], metrics
    return [], metrics
