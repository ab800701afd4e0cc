"""四至: what the community's boundary follows on its east, south, west and north sides."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.context import Context

__all__ = ["SIDES", "four_sides"]

SIDES = ("east", "south", "west", "north")
# a road or river counts for a side when it runs along this share of it
_FOLLOWS_SHARE = 0.2
# how far from a side a road or river may lie and still be looked at
_SEARCH_M = 60.0
_ANGLE = {"east": 0.0, "north": 90.0, "west": 180.0, "south": -90.0}


def _side_lines(geom: BaseGeometry) -> dict[str, list[LineString]]:
    """The boundary's segments grouped by the direction their outside faces."""
    sides: dict[str, list[LineString]] = {s: [] for s in SIDES}
    oriented = shapely.orient_polygons(geom)  # exteriors counter-clockwise
    for poly in shapely.get_parts(oriented):
        xy = np.asarray(poly.exterior.coords)
        d = np.diff(xy, axis=0)
        normal = np.degrees(np.arctan2(-d[:, 0], d[:, 1]))  # outward normal of a CCW ring
        for i, angle in enumerate(normal):
            side = min(SIDES, key=lambda s: abs((angle - _ANGLE[s] + 180) % 360 - 180))
            sides[side].append(LineString(xy[i:i + 2]))
    return sides


def _named_zones(ctx: Context, area: BaseGeometry) -> list[tuple[str, BaseGeometry]]:
    """Named roads and waters near ``area``, each as the zone within its tolerance."""
    rules = ctx.rules.boundary
    zones = []
    roads, reach = ctx.require("roads"), ctx.road_zones()
    for i in ctx.query("roads", area):
        name = roads["name"].values[i]
        if isinstance(name, str) and name:
            zones.append((name, reach[i]))
    water = ctx.layer("water")
    if water is not None and "name" in water:
        for i in ctx.query("water", area):
            name = water["name"].values[i]
            if isinstance(name, str) and name:
                zones.append((name, water.geometry.values[i].buffer(rules.water_tolerance_m)))
    return zones


def four_sides(geom: BaseGeometry, ctx: Context) -> dict[str, list[str]]:
    """For each side, the named roads and rivers it follows (longest first), else the
    neighbouring villages across it."""
    result: dict[str, list[str]] = {}
    neighbours = ctx.require("neighbours")
    for side, segments in _side_lines(geom).items():
        if not segments:
            result[side] = []
            continue
        line = shapely.union_all(np.array(segments, dtype=object))
        lengths: dict[str, float] = {}
        for name, zone in _named_zones(ctx, line.buffer(_SEARCH_M)):
            along = shapely.length(shapely.intersection(line, zone))
            lengths[name] = lengths.get(name, 0.0) + along
        names = [n for n, v in sorted(lengths.items(), key=lambda kv: -kv[1])
                 if v >= _FOLLOWS_SHARE * line.length]
        if not names:
            outside = line.buffer(5.0).difference(geom)
            index = ctx.query("neighbours", outside)
            shares = shapely.area(shapely.intersection(neighbours.geometry.values[index], outside))
            names = [str(neighbours["name"].values[i]) for i, a in
                     sorted(zip(index, shares, strict=True), key=lambda t: -t[1]) if a > 1.0][:2]
        result[side] = names
    return result
