"""B7 industrial character: "以工业企业或楼宇为主体 … 产业特色较为明显".

Clause: 001 § 二(一)3(2). The share of industrial land (工业社区) or office and commercial
land (楼宇社区) in the community's land, roads and water left out, from the land-use layer; if
there is none, the share of floor area from the buildings layer. Below the minimum is a warning.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.validate.report import FOUR_BOUNDARIES, INFO, WARNING, Finding

__all__ = ["check_character", "land_shares"]

WANTED = {"industrial": ("industrial",), "building": ("office", "commercial")}
NOT_LAND = ("road", "water")


def land_shares(geom: BaseGeometry, ctx: Context) -> dict[str, float]:
    """Area (m²) of each land-use class inside ``geom``."""
    index = ctx.query("landuse", geom)
    if index.size == 0:
        return {}
    frame = ctx.layer("landuse")
    areas = shapely.area(shapely.intersection(frame.geometry.values[index], geom))
    classes = frame["class"].values[index]
    return {str(c): float(areas[classes == c].sum()) for c in np.unique(classes)}


def _floor_shares(geom: BaseGeometry, ctx: Context) -> dict[str, float]:
    chosen = ctx.layer("buildings").iloc[ctx.inside("buildings", geom)]
    return chosen.groupby("use")["floor_area_m2"].sum().astype(float).to_dict()


def check_character(geom: BaseGeometry, ctx: Context, community_type: str
                    ) -> tuple[list[Finding], dict[str, float | None]]:
    limit = ctx.rules.boundary.industrial_share_min
    kind = community_type if community_type in WANTED else "industrial"
    if ctx.layer("landuse") is not None:
        areas = land_shares(geom, ctx)
        total = sum(v for k, v in areas.items() if k not in NOT_LAND)
    elif ctx.layer("buildings") is not None:
        areas = _floor_shares(geom, ctx)
        total = sum(areas.values())
    else:
        return [Finding("B7", INFO, FOUR_BOUNDARIES, "skipped_layer", {"layer": "landuse"}, {},
                        None)], {"industrial_share": None}
    share = sum(areas.get(c, 0.0) for c in WANTED[kind]) / total if total else 0.0
    metrics = {"industrial_share": share}
    if share >= limit:
        return [], metrics
    return [Finding("B7", WARNING, FOUR_BOUNDARIES, "b7_low_share",
                    {"kind": kind, "share": share, "limit": limit},
                    {"share": share, "limit": limit}, shapely.boundary(geom))], metrics
