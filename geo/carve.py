"""Carving a proposal out of the neighbouring villages and communities it overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.measure import thin_parts

__all__ = ["SEARCH_BAND", "Carved", "carve", "edge_bands", "slivers"]

# how far (in snap tolerances) from the proposal's edge slivers are looked for
SEARCH_BAND = 10.0


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
    index = ctx.query("neighbours", geom)
    before = ctx.shapes("neighbours")[index]
    taken = shapely.intersection(before, geom)
    left = shapely.difference(before, geom)
    names = ctx.column("neighbours", "name")[index]
    codes = ctx.column("neighbours", "code")[index]
    return [Carved(int(i), str(n), "" if c is None else str(c), b, t, lft)
            for i, n, c, b, t, lft in zip(index, names, codes, before, taken, left, strict=True)
            if t.area > 0.01]


def edge_bands(along: BaseGeometry, tolerance: float) -> tuple[BaseGeometry, BaseGeometry]:
    """Where :func:`slivers` looks (``along``'s bounding box grown by :data:`SEARCH_BAND`
    tolerances) and the band around ``along``'s edge where a strip must lie."""
    window = shapely.box(*shapely.bounds(along)).buffer(SEARCH_BAND * tolerance,
                                                        join_style="mitre")
    return window, shapely.boundary(along).buffer(tolerance)


def slivers(geom: BaseGeometry, tolerance: float, *, along: BaseGeometry,
            bands: tuple[BaseGeometry, BaseGeometry] | None = None) -> list[BaseGeometry]:
    """Strips of ``geom`` narrower than the snap ``tolerance`` that lie along ``along``'s edge.

    Only strips (nearly) all within ``tolerance`` of the proposal's boundary ``along`` are the
    proposal's doing; a neighbour's own narrow strip elsewhere is not. Pieces smaller than
    tolerance² are the tips of sharp corners, not strips.

    Only the part of ``geom`` within :data:`SEARCH_BAND` tolerances of ``along``'s bounding box
    is opened, not a whole village's remainder: the opening looks one tolerance around each
    point, so it is the same near the edge, and a piece the window cuts off reaches far from the
    edge and is not a strip along it. ``bands`` are :func:`edge_bands` of ``along``, when the caller
    looks at several pieces along the same edge.
    """
    search, band = edge_bands(along, tolerance) if bands is None else bands
    near = shapely.intersection(geom, search)
    return [p for p in thin_parts(near, tolerance, min_area=tolerance * tolerance)
            if shapely.area(shapely.intersection(p, band)) >= 0.9 * p.area]
