"""Candidate sites for the community's facility land: whole plots first, then parts of large ones.

Only land that is actually available is offered: vacant parcels, land to be consolidated, and —
where the rules allow — public land. A plot larger than the most the rules reserve is cut to the
target size, by a straight line across its long axis or, for a wide plot, by two cuts at right
angles in one of its corners, wherever what remains is still a usable plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo.context import Context

__all__ = ["Candidate", "available_land", "candidate_sites", "cut_to_size", "other_land"]


# pieces of land under this share of the smallest site are not worth measuring
SLIVER_SHARE = 0.25
# a cut piece's area is this close to its target (m²)
AREA_TOLERANCE_M2 = 1e-4
_MOST_CUTS = 60


@dataclass(frozen=True)
class Candidate:
    """A piece of land that might host the facilities."""

    geometry: BaseGeometry
    source: str  # "parcel" (a whole plot), "part" (cut from a larger plot), "land" (no parcel)
    name: str | None
    landuse: str


def _axis(poly: BaseGeometry) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    # the rectangle around a plot with an area is a polygon
    rectangle = cast(Polygon, shapely.minimum_rotated_rectangle(poly))
    xy = np.asarray(rectangle.exterior.coords)[:4]
    edges = np.diff(np.vstack([xy, xy[:1]]), axis=0)
    u = edges[np.argmax(np.hypot(*edges.T))]
    u = u / np.hypot(*u)
    return u, np.array([-u[1], u[0]])


def _rings(poly: BaseGeometry, u: NDArray[np.float64], v: NDArray[np.float64]
           ) -> list[tuple[list[tuple[float, float]], bool]]:
    """Every ring of ``poly`` in (along ``u``, across ``v``) coordinates, and whether it is a
    hole; the closing point dropped."""
    rings = []
    for part in shapely.get_parts(poly):
        for k, ring in enumerate([part.exterior, *part.interiors]):
            xy = np.asarray(ring.coords)[:-1]
            rings.append((list(zip((xy @ u).tolist(), (xy @ v).tolist(), strict=True)), k > 0))
    return rings


def _clip(ring: list[tuple[float, float]], axis: int, limit: float, sign: float
          ) -> list[tuple[float, float]]:
    """A closed ring clipped to the half-plane ``sign * p[axis] <= sign * limit``
    (Sutherland–Hodgman: the shoelace area of the result is the ring's area in it)."""
    out: list[tuple[float, float]] = []
    count = len(ring)
    for i in range(count):
        p, q = ring[i], ring[(i + 1) % count]
        p_in, q_in = sign * p[axis] <= sign * limit, sign * q[axis] <= sign * limit
        if p_in:
            out.append(p)
        if p_in != q_in:
            t = (limit - p[axis]) / (q[axis] - p[axis])
            other = p[1 - axis] + t * (q[1 - axis] - p[1 - axis])
            out.append((limit, other) if axis == 0 else (other, limit))
    return out


def _area_within(rings: list[tuple[list[tuple[float, float]], bool]],
                 cuts: list[tuple[int, float, float]]) -> float:
    """The area of the polygon of ``rings`` where every cut ``(axis, limit, sign)`` holds: a
    cut's area in a few arithmetic steps per vertex instead of an overlay."""
    total = 0.0
    for ring, hole in rings:
        for axis, limit, sign in cuts:
            ring = _clip(ring, axis, limit, sign)
            if len(ring) < 3:
                break
        if len(ring) < 3:
            continue
        twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1],
                                                                    strict=True))
        total += -abs(twice) / 2 if hole else abs(twice) / 2
    return total


def _cut(poly: BaseGeometry, target: float, from_end: int) -> BaseGeometry:
    """The piece of ``poly`` of area ``target`` cut off one end of its long axis."""
    u, v = _axis(poly)
    xy = shapely.get_coordinates(poly)
    along = xy @ u
    across = xy @ v
    lo, hi = float(along.min()), float(along.max())
    a0, a1 = float(across.min()) - 1, float(across.max()) + 1

    def piece(at: float) -> BaseGeometry:
        start, stop = (lo - 1, at) if from_end == 0 else (at, hi + 1)
        return shapely.intersection(poly, Polygon([start * u + a0 * v, stop * u + a0 * v,
                                                   stop * u + a1 * v, start * u + a1 * v]))

    rings = _rings(poly, u, v)
    sign = 1.0 if from_end == 0 else -1.0
    # the area cut off grows with ``at`` from the low end and shrinks from the high end
    return piece(_solve(lambda at: sign * _area_within(rings, [(0, at, sign)]), lo, hi,
                        sign * target))


def _corner(poly: BaseGeometry, target: float, corner: tuple[int, int]) -> BaseGeometry:
    """The square-ish piece of area ``target`` in one corner of ``poly``'s oriented box.

    Two cuts at right angles, so a wide plot yields a buildable block rather than a strip.
    """
    u, v = _axis(poly)
    xy = shapely.get_coordinates(poly)
    along, across = xy @ u, xy @ v
    a0 = along.max() if corner[0] else along.min()
    b0 = across.max() if corner[1] else across.min()
    su, sv = (-1 if corner[0] else 1), (-1 if corner[1] else 1)

    def piece(side: float) -> BaseGeometry:
        a1, b1 = a0 + su * side, b0 + sv * side
        return shapely.intersection(poly, Polygon([a0 * u + b0 * v, a1 * u + b0 * v,
                                                   a1 * u + b1 * v, a0 * u + b1 * v]))

    rings = _rings(poly, u, v)

    def area(side: float) -> float:
        return _area_within(rings, [(0, a0 + su * side, su), (1, b0 + sv * side, sv)])

    high = float(max(np.ptp(along), np.ptp(across)))
    return piece(_solve(area, 0.0, high, target))


def _solve(area: Callable[[float], float], low: float, high: float, target: float) -> float:
    """Where the increasing ``area`` of a cut reaches ``target`` (to :data:`AREA_TOLERANCE_M2`),
    between ``low`` and ``high``: false position (Illinois), which a piecewise quadratic area
    brings there in a few cuts where halving the interval takes forty."""
    f_low, f_high = area(low) - target, area(high) - target
    side = 0
    for _ in range(_MOST_CUTS):
        if f_high == f_low:
            break
        at = high - f_high * (high - low) / (f_high - f_low)
        if not low < at < high:
            at = (low + high) / 2
        f_at = area(at) - target
        if abs(f_at) <= AREA_TOLERANCE_M2:
            return at
        if f_at < 0:
            low, f_low = at, f_at
            if side == -1:
                f_high /= 2
            side = -1
        else:
            high, f_high = at, f_at
            if side == 1:
                f_low /= 2
            side = 1
    return (low + high) / 2


def _usable(rest: BaseGeometry, min_area: float, min_width: float) -> bool:
    """Whether what is left of a plot after a cut can still be built on."""
    if rest.area < min_area:
        return False
    largest = max(shapely.get_parts(rest), key=lambda p: p.area)
    return bool(2 * shapely.maximum_inscribed_circle(largest, 0.5).length >= min_width)


def _pieces(ctx: Context, geom: BaseGeometry, *, available: bool = True) -> list[Candidate]:
    """Whole plots inside ``geom``: the available ones, or (``available=False``) every other
    plot a site could be measured on, which is where near misses come from."""
    rules = ctx.rules.facility
    found: list[Candidate] = []
    parcels = ctx.layer("parcels")
    held: NDArray[np.object_] | None = None
    held_tree: shapely.STRtree | None = None
    if parcels is not None:
        kinds = ["vacant"] + (["public"] if rules.allow_public else []) + \
            (["enterprise"] if rules.allow_enterprise else [])
        index = ctx.query("parcels", geom)
        free = np.isin(parcels["kind"].to_numpy()[index], kinds)
        chosen = index[free if available else ~free]
        pieces = _inside(parcels.geometry.to_numpy()[chosen], geom)
        names, parcel_kinds = parcels["name"].values, parcels["kind"].values
        for i, piece in zip(chosen, pieces, strict=True):
            if piece.area >= 1.0:
                found.append(Candidate(piece, "parcel", names[i], str(parcel_kinds[i])))
        held = parcels.geometry.to_numpy()
        held_tree = ctx.tree("parcels")
    landuse = ctx.layer("landuse")
    if landuse is not None:
        index = ctx.query("landuse", geom)
        classes = landuse["class"].to_numpy()[index]
        usable = np.isin(classes, rules.available_landuse)
        chosen = index[usable if available else ~usable & ~np.isin(classes, rules.excluded_landuse)]
        pieces = _inside(landuse.geometry.to_numpy()[chosen], geom)
        if held is not None and held_tree is not None:
            # land a parcel already stands for is not offered twice
            pieces = _minus_parcels(pieces, held, held_tree)
        for i, piece in zip(chosen, pieces, strict=True):
            for part in shapely.get_parts(piece):
                if part.area >= SLIVER_SHARE * rules.land_min_m2:
                    found.append(Candidate(part, "land", None, str(landuse["class"].values[i])))
    return found


def _inside(shapes: NDArray[np.object_], geom: BaseGeometry) -> NDArray[np.object_]:
    """Each shape's part inside ``geom``; the shapes wholly inside (most) are kept as they are."""
    shapely.prepare(geom)
    whole = shapely.covered_by(shapes, geom)
    result = shapes.copy()
    result[~whole] = shapely.intersection(shapes[~whole], geom)
    return result


def _minus_parcels(pieces: NDArray[np.object_], parcels: NDArray[np.object_],
                   tree: shapely.STRtree) -> NDArray[np.object_]:
    """Each piece less the parcels it meets (only those: never a union of every parcel)."""
    result = pieces.copy()
    # land use drawn plot by plot lies whole inside one parcel: nothing is left of it
    gone = np.unique(tree.query(pieces, predicate="covered_by")[0])
    result[gone] = shapely.Polygon()
    piece, parcel = tree.query(pieces, predicate="intersects")
    keep = ~np.isin(piece, gone)
    piece, parcel = piece[keep], parcel[keep]
    order = np.argsort(piece, kind="stable")
    piece, parcel = piece[order], parcel[order]
    starts = np.flatnonzero(np.r_[True, piece[1:] != piece[:-1]])
    for group in np.split(np.arange(piece.size), starts[1:]) if piece.size else []:
        i = piece[group[0]]
        result[i] = shapely.difference(pieces[i], shapely.union_all(parcels[parcel[group]]))
    return result


def available_land(ctx: Context, geom: BaseGeometry) -> list[Candidate]:
    """The available plots inside ``geom`` (whole, before any cut)."""
    return _pieces(ctx, geom)


def other_land(ctx: Context, geom: BaseGeometry) -> list[Candidate]:
    """The plots inside ``geom`` that are not available but not forbidden either."""
    return _pieces(ctx, geom, available=False)


def cut_to_size(plots: list[Candidate], ctx: Context) -> list[Candidate]:
    """Plots up to the largest size as they are; larger plots as target-size parts."""
    rules = ctx.rules.facility
    target = (rules.land_min_m2 + rules.land_max_m2) / 2
    result = []
    for c in plots:
        if c.geometry.area <= rules.land_max_m2:
            result.append(c)
            continue
        cuts = [_cut(c.geometry, target, end) for end in (0, 1)]
        cuts += [_corner(c.geometry, target, (i, j)) for i in (0, 1) for j in (0, 1)]
        for part in cuts:
            rest = shapely.difference(c.geometry, part)
            if _usable(rest, rules.land_min_m2, rules.min_width_m):
                result.append(Candidate(part, "part", c.name, c.landuse))
    return result


def candidate_sites(ctx: Context, geom: BaseGeometry) -> list[Candidate]:
    """Every candidate on available land inside ``geom``: whole plots and target-size parts."""
    return cut_to_size(available_land(ctx, geom), ctx)
