"""Carving a proposal out of the neighbouring villages and communities it overlaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.measure import thin_parts_each

__all__ = ["SEARCH_BAND", "Carved", "carve", "edge_bands", "edge_bands_each", "slivers",
           "slivers_each"]

Objects = npt.NDArray[np.object_]

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
    before = ctx.shapes_at("neighbours", index)
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
    windows, bands = edge_bands_each(np.array([along], dtype=object), tolerance)
    return windows[0], bands[0]


def edge_bands_each(alongs: Objects, tolerance: float) -> tuple[Objects, Objects]:
    """:func:`edge_bands` of each of ``alongs`` at once."""
    x0, y0, x1, y1 = shapely.bounds(alongs).T
    windows = shapely.buffer(shapely.box(x0, y0, x1, y1), SEARCH_BAND * tolerance,
                             quad_segs=16, join_style="mitre")
    bands = shapely.buffer(shapely.boundary(alongs), tolerance, quad_segs=16)
    return np.asarray(windows, dtype=object), np.asarray(bands, dtype=object)


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
    pieces, _ = slivers_each(np.array([geom], dtype=object), tolerance,
                             np.array([search], dtype=object), np.array([band], dtype=object))
    return list(pieces)


def slivers_each(geoms: Objects, tolerance: float, windows: Objects, bands: Objects
                 ) -> tuple[Objects, npt.NDArray[np.intp]]:
    """:func:`slivers` of each of ``geoms`` at once, each along the edge whose
    :func:`edge_bands_each` are the same position of ``windows`` and ``bands``: the strips,
    and for each the position of the shape it is part of."""
    near = shapely.intersection(geoms, windows)
    pieces, owner = thin_parts_each(near, tolerance, min_area=tolerance * tolerance)
    along = (shapely.area(shapely.intersection(pieces, bands[owner]))
             >= 0.9 * shapely.area(pieces))
    return pieces[along], owner[along]
