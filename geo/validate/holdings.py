"""B6 intact holdings: no enterprise plot and no building is cut in two by the boundary.

Clauses: 001 § 二(一)3(2) (seamless, regular boundaries) and 001 § 二(三)2 ("一企一格": an
enterprise belongs to one community and one grid). Each cut holding is located with the share
of it on each side.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_
from geo.validate.report import ERROR, Finding

__all__ = ["check_holdings", "inside_shares", "CLAUSE"]

CLAUSE = "001 § 二(一)3(2); 001 § 二(三)2"
STAFFED = ("enterprise", "park")


def inside_shares(ctx: Context, layer: str, geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a layer's features meeting ``geom`` and the share of each inside it."""
    index = ctx.query(layer, geom)
    if index.size == 0:
        return index, np.empty(0)
    shapes = ctx.layer(layer).geometry.values[index]
    return index, shapely.area(shapely.intersection(shapes, geom)) / shapely.area(shapes)


def check_holdings(geom: BaseGeometry, ctx: Context) -> list[Finding]:
    """One error per enterprise parcel or building the boundary cuts; skipped layers noted."""
    least = ctx.rules.boundary.cut_share_min
    findings = []
    for layer, key in (("parcels", N_("b6_cut_parcel")), ("buildings", N_("b6_cut_building"))):
        frame = ctx.layer(layer)
        if frame is None:
            findings.append(Finding("B6", "info", CLAUSE, "skipped_layer", {"layer": layer}, {}, None))
            continue
        index = ctx.query(layer, shapely.boundary(geom))
        if index.size == 0:
            continue
        shapes = frame.geometry.values[index]
        share = shapely.area(shapely.intersection(shapes, geom)) / shapely.area(shapes)
        cut = (share > least) & (share < 1 - least)
        if layer == "parcels":
            cut &= np.isin(frame["kind"].values[index], STAFFED)
        for i, s, shape in zip(index[cut], share[cut], shapes[cut]):
            name = frame["name"].values[i]
            params = {"name": name if isinstance(name, str) and name else f"#{i + 1}",
                      "share_in": float(s), "share_out": float(1 - s)}
            findings.append(Finding("B6", ERROR, CLAUSE, key, params,
                                    {"share_inside": float(s), "share_outside": float(1 - s),
                                     "area_m2": float(shape.area)}, shape))
    return findings


