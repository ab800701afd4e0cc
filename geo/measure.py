"""Measures of a community, each a pure function: shapes in a metric CRS, or a shape and the
context it lies in. Every rule, the profile, the grids and the facility search take their
numbers from here, so the same thing is measured the same way everywhere."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.employment import VERIFIED

__all__ = [
    "NOT_LAND",
    "STAFFED",
    "area_shares",
    "clipped",
    "clipped_areas",
    "employees_inside",
    "hull_ratio",
    "hull_ratio_each",
    "land_share",
    "land_shares",
    "mean_width",
    "polsby_popper",
    "polsby_popper_each",
    "residents_inside",
    "shares_inside",
    "thin_parts",
    "thin_parts_each",
    "verified_inside",
]

# parcel kinds whose employees count (vacant and public plots employ nobody)
STAFFED = ("enterprise", "park")
# land-use classes that are not land a community is made of
NOT_LAND = ("road", "water")


def polsby_popper_each(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    """Polsby–Popper compactness 4πA/P² of each shape: 1 for a circle, π/4 ≈ 0.785 for a
    square, 0 for a shape without perimeter.

    Polsby & Popper (1991), *Yale Law & Policy Review* 9(2). Holes count in the perimeter.
    """
    area, length = shapely.area(geoms), shapely.length(geoms)
    measured = length > 0
    pp: npt.NDArray[np.float64] = np.where(
        measured, 4 * math.pi * area / np.where(measured, length, 1.0) ** 2, 0.0)
    return pp


def hull_ratio_each(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    """Area over convex-hull area of each shape: 1 for a convex shape, lower the more it is
    indented, 0 for a shape without area."""
    area, hull = shapely.area(geoms), shapely.area(shapely.convex_hull(geoms))
    measured = hull > 0
    ratio: npt.NDArray[np.float64] = np.where(
        measured, area / np.where(measured, hull, 1.0), 0.0)
    return ratio


def polsby_popper(geom: BaseGeometry) -> float:
    """:func:`polsby_popper_each` of one shape."""
    return float(polsby_popper_each(np.array([geom], dtype=object))[0])


def hull_ratio(geom: BaseGeometry) -> float:
    """:func:`hull_ratio_each` of one shape."""
    return float(hull_ratio_each(np.array([geom], dtype=object))[0])


def mean_width(geom: BaseGeometry) -> float:
    """2A/P: the width of a long thin strip (exact for a rectangle much longer than wide)."""
    return 2 * geom.area / geom.length if geom.length > 0 else 0.0


# the opening is grown by this much (metres) before it is taken from the shape: its edges then
# clear the shape's own instead of lying on them to the last bit, which GEOS overlays only by
# their slow robust fallback; the pieces found are this much smaller on their inner side
_CLEARANCE_M = 1e-4


def thin_parts(geom: BaseGeometry, width: float, *, min_area: float = 1.0) -> list[BaseGeometry]:
    """Pieces of ``geom`` narrower than ``width``: what a morphological opening removes.

    The opening (erode by width/2, then dilate back, mitre joins so corners survive) keeps
    every part at least ``width`` wide; the rest are slivers. Pieces under ``min_area`` m²
    are noise from corners and are dropped.
    """
    if geom.is_empty:
        return []
    return list(thin_parts_each(np.array([geom], dtype=object), width, min_area=min_area)[0])


def thin_parts_each(geoms: npt.NDArray[np.object_], width: float, *, min_area: float = 1.0
                    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
    """:func:`thin_parts` of each of ``geoms`` at once: the pieces, and for each piece the
    position of the shape it is part of."""
    half = width / 2
    eroded = shapely.buffer(geoms, -half, quad_segs=16, join_style="mitre")
    opened = shapely.buffer(eroded, half + _CLEARANCE_M, quad_segs=16, join_style="mitre")
    parts, owner = shapely.get_parts(shapely.difference(geoms, opened), return_index=True)
    area, length = shapely.area(parts), shapely.length(parts)
    thin = ((shapely.get_type_id(parts) == 3) & (area >= min_area)
            & (2 * area < width * length))  # mean_width(p) < width
    return np.asarray(parts[thin], dtype=object), owner[thin]


def clipped(shapes: npt.NDArray[np.object_], geom: BaseGeometry) -> npt.NDArray[np.object_]:
    """The part of each of ``shapes`` inside ``geom``; a shape wholly inside (found with
    ``geom`` prepared) is itself, only those crossing ``geom``'s edge are intersected."""
    pieces = np.array(shapes, dtype=object)
    if len(pieces):
        crossing = _crossing(pieces, geom)
        pieces[crossing] = shapely.intersection(pieces[crossing], geom)
    return pieces


def _crossing(shapes: npt.NDArray[np.object_], geom: BaseGeometry | npt.NDArray[np.object_]
              ) -> npt.NDArray[np.bool_]:
    shapely.prepare(geom)
    crossing: npt.NDArray[np.bool_] = ~shapely.contains_properly(geom, shapes)
    return crossing


def clipped_areas(shapes: npt.NDArray[np.object_], geom: BaseGeometry | npt.NDArray[np.object_]
                  ) -> npt.NDArray[np.float64]:
    """The area of each of ``shapes`` that lies inside ``geom`` (m²): one shape, or one per
    shape (pairs, as a spatial-index query of many shapes gives them).

    Only the shapes crossing ``geom``'s edge are intersected with it: a shape wholly inside
    (found with ``geom`` prepared) counts whole.
    """
    shapes = np.asarray(shapes, dtype=object)
    areas: npt.NDArray[np.float64] = shapely.area(shapes)
    if len(shapes):
        crossing = _crossing(shapes, geom)
        inside = geom if isinstance(geom, BaseGeometry) else geom[crossing]
        areas[crossing] = shapely.area(shapely.intersection(shapes[crossing], inside))
    return areas


def area_shares(shapes: npt.NDArray[np.object_], geom: BaseGeometry | npt.NDArray[np.object_]
                ) -> npt.NDArray[np.float64]:
    """The share of each of ``shapes``' area that lies inside ``geom`` (0 to 1): one shape, or
    one per shape."""
    shares: npt.NDArray[np.float64] = clipped_areas(shapes, geom) / shapely.area(shapes)
    return shares


def shares_inside(geom: BaseGeometry, ctx: Context, layer: str
                  ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Positions of a layer's features meeting ``geom`` and the share of each inside it."""
    index = ctx.query(layer, geom)
    if index.size == 0:
        return index, np.empty(0)
    return index, area_shares(ctx.shapes_at(layer, index), geom)


def _staffed_inside(geom: BaseGeometry, ctx: Context) -> tuple[
        npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Positions of the parcels meeting ``geom``, the share of each inside, and which are
    staffed (:data:`STAFFED`)."""
    index, share = shares_inside(geom, ctx, "parcels")
    staffed: npt.NDArray[np.bool_] = np.isin(ctx.column("parcels", "kind")[index], STAFFED)
    return index, share, staffed


def _employees_of(ctx: Context, index: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
    values: npt.NDArray[np.float64] = np.nan_to_num(
        ctx.column("parcels", "employees")[index].astype(np.float64))
    return values


def employees_inside(geom: BaseGeometry, ctx: Context) -> tuple[int, int]:
    """Employees and enterprises inside ``geom``; (0, 0) without a parcels layer.

    Employees of the staffed parcels (:data:`STAFFED`) count by the share of each parcel's
    area inside; an enterprise counts where most of it lies. A parcel's employees are the
    verified figure where one was imported, its estimate otherwise.
    """
    if not ctx.has_layer("parcels"):
        return 0, 0
    index, share, staffed = _staffed_inside(geom, ctx)
    total = round(float((_employees_of(ctx, index) * share)[staffed].sum()))
    kinds = ctx.column("parcels", "kind")[index]
    enterprises = int(((kinds == "enterprise") & (share >= 0.5)).sum())
    return total, enterprises


def verified_inside(geom: BaseGeometry, ctx: Context) -> int | None:
    """Of :func:`employees_inside`'s employees, those counted from verified figures (核定就业
    人数, 001 § 三(一)); ``None`` when no figures were imported for the context."""
    if not ctx.has_verified:
        return None
    index, share, staffed = _staffed_inside(geom, ctx)
    verified = ctx.column("parcels", VERIFIED).astype(bool)[index] & staffed
    return round(float((_employees_of(ctx, index) * share)[verified].sum()))


def land_shares(geom: BaseGeometry, ctx: Context) -> dict[str, float]:
    """Area (m²) of each land-use class inside ``geom``; empty without a land-use layer."""
    index = ctx.query("landuse", geom)
    if index.size == 0:
        return {}
    areas = clipped_areas(ctx.shapes_at("landuse", index), geom)
    classes = ctx.column("landuse", "class")[index]
    # sorted as np.unique would, without loading numpy.ma for an object array
    return {str(c): float(areas[classes == c].sum()) for c in sorted(set(classes.tolist()))}


def land_share(areas: Mapping[str, float], classes: Iterable[str]) -> float:
    """The share of ``classes`` in the land of ``areas`` (class → m²), roads and water left
    out (:data:`NOT_LAND`); 0 when there is no land."""
    land = sum(v for k, v in areas.items() if k not in NOT_LAND)
    return sum(areas.get(c, 0.0) for c in classes) / land if land else 0.0


def residents_inside(geom: BaseGeometry, ctx: Context
                     ) -> tuple[float, int, list[BaseGeometry]]:
    """Residential land (m²) and homes (buildings) inside ``geom``, and where they are."""
    places: list[BaseGeometry] = []
    area = 0.0
    if ctx.has_layer("landuse"):
        index = ctx.query("landuse", geom)
        homes = index[ctx.column("landuse", "class")[index] == "residential"]
        pieces = clipped(ctx.shapes_at("landuse", homes), geom)
        pieces = pieces[shapely.area(pieces) >= 1.0]
        area = float(shapely.area(pieces).sum())
        places.extend(pieces)
    count = 0
    if ctx.has_layer("buildings"):
        index = ctx.inside("buildings", geom)
        homes = index[ctx.column("buildings", "use")[index] == "residential"]
        count = len(homes)
        places.extend(ctx.shapes_at("buildings", homes))
    return area, count, places
