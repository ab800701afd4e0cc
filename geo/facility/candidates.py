"""Candidate sites for the community's facility land: whole plots first, then parts of large ones.

Only land that is actually available is offered: vacant parcels, land to be consolidated, and —
where the rules allow — public land. A plot larger than the most the rules reserve is cut to the
target size, by a straight line across its long axis or, for a wide plot, by two cuts at right
angles in one of its corners, wherever what remains is still a usable plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    # (the parcel's position, -1) for a whole parcel, (its position, the cut) for a part cut
    # from one: land that depends on the layers alone, whose cuts and checks a context keeps
    key: tuple[int, int] | None = field(default=None, compare=False)


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


def _among(ctx: Context, name: str, values: tuple[str, ...], column: str, geom: BaseGeometry,
           min_area: float) -> NDArray[np.intp]:
    """Positions, in layer order, of the layer's features whose ``column`` is one of ``values``
    that meet ``geom``, and whose whole shape is not smaller than ``min_area``
    (:func:`_at_least`): asked of an index of those features alone (made once and kept), not
    of the whole layer."""

    def build() -> tuple[NDArray[np.intp], shapely.STRtree]:
        positions = np.flatnonzero(np.isin(ctx.column(name, column), values))
        positions = _at_least(ctx, name, positions, min_area)
        return positions, shapely.STRtree(ctx.shapes(name)[positions])

    key = f"facility:among:{name}:{column}:{values}:{min_area}"
    positions, tree = ctx.cached(key, build)
    return np.sort(positions[tree.query(geom, predicate="intersects")])


def _at_least(ctx: Context, name: str, chosen: NDArray[np.intp], area: float
              ) -> NDArray[np.intp]:
    """The features at ``chosen`` whose whole shape is not smaller than ``area`` (less a square
    metre, so that no piece of ``area`` is lost to rounding): a piece of a shape is never
    larger than the shape."""
    if area <= 0.0:
        return chosen
    areas = ctx.cached(f"facility:areas:{name}", lambda: shapely.area(ctx.shapes(name)))
    return chosen[areas[chosen] >= area - 1.0]


def _pieces(ctx: Context, geom: BaseGeometry, *, available: bool = True,
            min_area: float = 0.0) -> list[Candidate]:
    """Whole plots inside ``geom``: the available ones, or (``available=False``) every other
    plot a site could be measured on, which is where near misses come from; only those of at
    least ``min_area``."""
    rules = ctx.rules.facility
    found: list[Candidate] = []
    parcels = ctx.layer("parcels")
    held: NDArray[np.object_] | None = None
    held_tree: shapely.STRtree | None = None
    if parcels is not None:
        kinds = ("vacant",) + (("public",) if rules.allow_public else ()) + \
            (("enterprise",) if rules.allow_enterprise else ())
        if available:
            chosen = _among(ctx, "parcels", kinds, "kind", geom, min_area)
        else:
            index = ctx.query("parcels", geom)
            chosen = index[~np.isin(ctx.column("parcels", "kind")[index], kinds)]
            chosen = _at_least(ctx, "parcels", chosen, min_area)
        held = ctx.shapes("parcels")
        pieces = _inside(held[chosen], geom)
        sized = shapely.area(pieces) >= max(1.0, min_area)
        chosen, pieces = chosen[sized], pieces[sized]
        names = parcels["name"].values[chosen].tolist()
        kinds_of = parcels["kind"].values[chosen].tolist()
        for i, piece, name, kind in zip(chosen.tolist(), pieces, names, kinds_of, strict=True):
            # a plot wholly inside is the layer's own shape: its cuts and checks are kept
            key = (i, -1) if piece is held[i] else None
            found.append(Candidate(piece, "parcel", name, str(kind), key))
        held_tree = ctx.tree("parcels")
    landuse = ctx.layer("landuse")
    if landuse is not None:
        if available:
            chosen = _among(ctx, "landuse", tuple(rules.available_landuse), "class", geom,
                            min_area)
        else:
            index = ctx.query("landuse", geom)
            classes = ctx.column("landuse", "class")[index]
            usable = np.isin(classes, rules.available_landuse)
            chosen = index[~usable & ~np.isin(classes, rules.excluded_landuse)]
            chosen = _at_least(ctx, "landuse", chosen, min_area)
        # the layer's own shapes: a piece wholly inside is one of them (see _less_parcels)
        pieces = _inside(ctx.shapes("landuse")[chosen], geom)
        if held is not None and held_tree is not None:
            # land a parcel already stands for is not offered twice
            pieces = _less_parcels(ctx, chosen, pieces, held, held_tree)
        parts, owner = shapely.get_parts(pieces, return_index=True)
        big = shapely.area(parts) >= max(SLIVER_SHARE * rules.land_min_m2, min_area)
        land_classes = landuse["class"].values
        for part, k in zip(parts[big], owner[big], strict=True):
            found.append(Candidate(part, "land", None, str(land_classes[chosen[k]])))
    return found


def _inside(shapes: NDArray[np.object_], geom: BaseGeometry) -> NDArray[np.object_]:
    """Each shape's part inside ``geom``; the shapes wholly inside (most) are kept as they are."""
    shapely.prepare(geom)
    whole = shapely.covers(geom, shapes)  # asked of ``geom``'s prepared form
    result = shapes.copy()
    result[~whole] = shapely.intersection(shapes[~whole], geom)
    return result


def _less_parcels(ctx: Context, chosen: NDArray[np.intp], pieces: NDArray[np.object_],
                  parcels: NDArray[np.object_], tree: shapely.STRtree) -> NDArray[np.object_]:
    """:func:`_minus_parcels` of each piece; what is left of a land-use shape wholly inside
    (the layer's own shape) is kept by the context."""
    kept: dict[int, BaseGeometry] = ctx.cached("facility:land_less_parcels", dict)
    shapes = ctx.shapes("landuse")
    result = pieces.copy()
    whole = np.fromiter((piece is shapes[i] for i, piece in zip(chosen, pieces, strict=True)),
                        dtype=bool, count=len(pieces))
    known = np.fromiter((w and int(i) in kept for i, w in zip(chosen, whole, strict=True)),
                        dtype=bool, count=len(pieces))
    result[known] = [kept[int(i)] for i in chosen[known]]
    todo = np.flatnonzero(~known)
    if todo.size:
        result[todo] = _minus_parcels(pieces[todo], parcels, tree)
        for k in todo[whole[todo]]:
            kept[int(chosen[k])] = result[k]
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


def available_land(ctx: Context, geom: BaseGeometry, *, min_area: float = 0.0
                   ) -> list[Candidate]:
    """The available plots inside ``geom`` (whole, before any cut); only those of at least
    ``min_area`` (a plot smaller than a site is neither a site nor cut into one)."""
    return _pieces(ctx, geom, min_area=min_area)


def other_land(ctx: Context, geom: BaseGeometry) -> list[Candidate]:
    """The plots inside ``geom`` that are not available but not forbidden either."""
    return _pieces(ctx, geom, available=False)


def cut_to_size(plots: list[Candidate], ctx: Context) -> list[Candidate]:
    """Plots up to the largest size as they are; larger plots as target-size parts."""
    rules = ctx.rules.facility
    # the usable cuts of each whole parcel, by its position (they depend on the layer alone)
    kept: dict[int, list[tuple[int, BaseGeometry]]] = ctx.cached("facility:cuts", dict)
    result = []
    for c, area in zip(plots, areas_of(plots), strict=True):
        if area <= rules.land_max_m2:
            result.append(c)
            continue
        if c.key is None:
            parts = _usable_cuts(c.geometry, ctx)
        else:
            if c.key[0] not in kept:
                kept[c.key[0]] = _usable_cuts(c.geometry, ctx)
            parts = kept[c.key[0]]
        for k, part in parts:
            key = None if c.key is None else (c.key[0], k)
            result.append(Candidate(part, "part", c.name, c.landuse, key))
    return result


def areas_of(candidates: list[Candidate]) -> NDArray[np.float64]:
    """Each candidate's area, measured in one call."""
    return np.asarray(shapely.area(np.fromiter((c.geometry for c in candidates), dtype=object,
                                               count=len(candidates))), dtype=np.float64)


def _usable_cuts(plot: BaseGeometry, ctx: Context) -> list[tuple[int, BaseGeometry]]:
    """The target-size cuts of a large plot that leave a usable plot, each with its number."""
    rules = ctx.rules.facility
    target = (rules.land_min_m2 + rules.land_max_m2) / 2
    cuts = [_cut(plot, target, end) for end in (0, 1)]
    cuts += [_corner(plot, target, (i, j)) for i in (0, 1) for j in (0, 1)]
    return [(k, part) for k, part in enumerate(cuts)
            if _usable(shapely.difference(plot, part), rules.land_min_m2, rules.min_width_m)]


def candidate_sites(ctx: Context, geom: BaseGeometry) -> list[Candidate]:
    """Every candidate on available land inside ``geom``: whole plots and target-size parts."""
    return cut_to_size(available_land(ctx, geom), ctx)
