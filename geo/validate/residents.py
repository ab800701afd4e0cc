"""B10 residents: "产业型社区内有常驻居民的区域参照城市社区功能职责进行管理".

Clause: 001 § 二(二). Residential land and homes inside are reported as a warning: they are
managed under the rules of urban communities.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.validate.report import INFO, WARNING, Finding

__all__ = ["check_residents", "residents_inside"]


def residents_inside(geom: BaseGeometry, ctx: Context) -> tuple[float, int, list[BaseGeometry]]:
    """Residential land (m²) and homes (buildings) inside ``geom``, and where they are."""
    landuse, buildings = ctx.layer("landuse"), ctx.layer("buildings")
    places = []
    area = 0.0
    if landuse is not None:
        index = ctx.query("landuse", geom)
        homes = index[landuse["class"].values[index] == "residential"]
        pieces = shapely.intersection(landuse.geometry.values[homes], geom)
        pieces = pieces[shapely.area(pieces) >= 1.0]
        area = float(shapely.area(pieces).sum())
        places.extend(pieces)
    count = 0
    if buildings is not None:
        index = ctx.inside("buildings", geom)
        homes = index[buildings["use"].values[index] == "residential"]
        count = len(homes)
        places.extend(buildings.geometry.values[homes])
    return area, count, places


def check_residents(geom: BaseGeometry, ctx: Context) -> list[Finding]:
    clause = ctx.rules.boundary.residents_clause
    if ctx.layer("landuse") is None and ctx.layer("buildings") is None:
        return [Finding("B10", INFO, clause, "skipped_layer", {"layer": "landuse"}, {}, None)]
    area, count, places = residents_inside(geom, ctx)
    if area < 1.0 and count == 0:
        return []
    where = shapely.union_all(np.array(places, dtype=object))
    return [Finding("B10", WARNING, clause, "b10_residents", {"area_m2": area, "buildings": count},
                    {"area_m2": area, "buildings": count}, where)]
