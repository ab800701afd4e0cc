"""Shape measures of polygons, each a pure function of geometry in a metric CRS."""

from __future__ import annotations

import math

import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["polsby_popper", "hull_ratio", "thin_parts", "mean_width"]


def polsby_popper(geom: BaseGeometry) -> float:
    """Polsby–Popper compactness 4πA/P²: 1 for a circle, π/4 ≈ 0.785 for a square.

    Polsby & Popper (1991), *Yale Law & Policy Review* 9(2). Holes count in the perimeter.
    """
    return 4 * math.pi * geom.area / geom.length**2 if geom.length > 0 else 0.0


def hull_ratio(geom: BaseGeometry) -> float:
    """Area over convex-hull area: 1 for a convex shape, lower the more it is indented."""
    hull = shapely.convex_hull(geom).area
    return geom.area / hull if hull > 0 else 0.0


def mean_width(geom: BaseGeometry) -> float:
    """2A/P: the width of a long thin strip (exact for a rectangle much longer than wide)."""
    return 2 * geom.area / geom.length if geom.length > 0 else 0.0


def thin_parts(geom: BaseGeometry, width: float, *, min_area: float = 1.0) -> list[BaseGeometry]:
    """Pieces of ``geom`` narrower than ``width``: what a morphological opening removes.

    The opening (erode by width/2, then dilate back, mitre joins so corners survive) keeps
    every part at least ``width`` wide; the rest are slivers. Pieces under ``min_area`` m²
    are noise from corners and are dropped.
    """
    if geom.is_empty:
        return []
    half = width / 2
    opened = geom.buffer(-half, join_style="mitre").buffer(half, join_style="mitre")
    rest = shapely.difference(geom, opened)
    return [p for p in shapely.get_parts(rest) if p.geom_type == "Polygon" and p.area >= min_area
            and mean_width(p) < width]
