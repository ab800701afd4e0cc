"""Carving a proposal out of the neighbouring villages and communities it overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.measure import thin_parts

__all__ = ["Carved", "carve", "slivers"]


@dataclass(frozen=True)
class Carved:
    """One neighbour before and after: what it gives up (``taken``) and keeps (``left``)."""

    index: int
    name: str
    code: str
    before: BaseGeometry
    taken: BaseGeometry
    left: BaseGeometry


def carve(geom: BaseGeometry, ctx: Context) -> list[Carved]:
    """Each neighbour the proposal takes land from (touching along an edge is not taking)."""
    neighbours = ctx.require("neighbours")
    index = ctx.query("neighbours", geom)
    before = neighbours.geometry.values[index]
    taken = shapely.intersection(before, geom)
    left = shapely.difference(before, geom)
    names = neighbours["name"].values[index]
    codes = neighbours["code"].values[index]
    return [Carved(int(i), str(n), "" if c is None else str(c), b, t, lft)
            for i, n, c, b, t, lft in zip(index, names, codes, before, taken, left, strict=True)
            if t.area > 0.01]


def slivers(geom: BaseGeometry, tolerance: float, *, along: BaseGeometry) -> list[BaseGeometry]:
    """Strips of ``geom`` narrower than the snap ``tolerance`` that lie along ``along``'s edge.

    Only strips (nearly) all within ``tolerance`` of the proposal's boundary ``along`` are the
    proposal's doing; a neighbour's own narrow strip elsewhere is not. Pieces smaller than
    tolerance² are the tips of sharp corners, not strips.
    """
    band = shapely.boundary(along).buffer(tolerance)
    return [p for p in thin_parts(geom, tolerance, min_area=tolerance * tolerance)
            if shapely.area(shapely.intersection(p, band)) >= 0.9 * p.area]
