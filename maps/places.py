"""Place names for the maps: villages and communities, roads along their course, rivers.

Each name is a point with its text, its kind (``village``, ``road``, ``river``), the angle of
the road or river there (degrees anticlockwise from east, kept upright) and the zoom from which
it shows, so a town's names stay legible at every scale.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from maps.display import Display, feature_collection

__all__ = ["place_names"]

# the zoom from which a road's name shows, by class: main roads first
_ROAD_ZOOM = {"expressway": 13, "arterial": 14, "secondary": 15, "branch": 16, "track": 17}
_VILLAGE_ZOOM = 12
_RIVER_ZOOM = 13
_MIN_LENGTH_M = 250.0  # a stretch shorter than this carries no name


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _upright(angle: float) -> float:
    """An angle in (-90, 90]: text along a line never reads upside down."""
    angle = (angle + 180.0) % 360.0 - 180.0
    if angle > 90.0:
        angle -= 180.0
    elif angle <= -90.0:
        angle += 180.0
    return round(angle, 1)


def _along(line: BaseGeometry) -> tuple[BaseGeometry, float]:
    """The middle of a line and its direction there."""
    length = line.length
    middle = line.interpolate(length / 2)
    a = line.interpolate(max(length / 2 - 20.0, 0.0))
    b = line.interpolate(min(length / 2 + 20.0, length))
    return middle, _upright(math.degrees(math.atan2(b.y - a.y, b.x - a.x)))


def _line_names(ctx: Context, layer: str, window: BaseGeometry, kind: str,
                zoom_of: Any) -> list[tuple[BaseGeometry, dict[str, Any]]]:
    frame = ctx.layer(layer)
    if frame is None or "name" not in frame:
        return []
    frame = frame.iloc[ctx.query(layer, window)]
    out = []
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(frame["name"]):
        text = _text(name)
        if text:
            groups.setdefault(text, []).append(i)
    for name, rows in groups.items():
        geoms = shapely.intersection(frame.geometry.values[rows], window)
        lines = [shapely.boundary(g) if g.geom_type.endswith("Polygon") else g for g in geoms
                 if not g.is_empty]
        if not lines:
            continue
        merged = shapely.line_merge(shapely.union_all(lines))
        parts = [p for p in getattr(merged, "geoms", [merged]) if p.length >= _MIN_LENGTH_M]
        zoom = min(zoom_of(frame.iloc[r]) for r in rows)
        for part in sorted(parts, key=lambda p: -p.length)[:3]:
            point, angle = _along(part)
            out.append((point, {"label": name, "kind": kind, "angle": angle, "minZoom": zoom}))
    return out


def place_names(ctx: Context, window: BaseGeometry, display: Display,
                layers: tuple[str, ...] = ("neighbours", "roads", "water")) -> dict[str, Any]:
    """The names of the context's villages, roads and rivers inside ``window`` (context CRS),
    as points ready to draw for ``sijie.places``."""
    names: list[tuple[BaseGeometry, dict[str, Any]]] = []
    if "neighbours" in layers and (villages := ctx.layer("neighbours")) is not None:
        villages = villages.iloc[ctx.query("neighbours", window)]
        inside = shapely.intersection(villages.geometry.values, window)
        texts = villages["name"] if "name" in villages else [None] * len(villages)
        for geom, name in zip(inside, texts, strict=True):
            text = _text(name)
            if text and not geom.is_empty and geom.area > 0:
                part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
                names.append((shapely.point_on_surface(part),
                              {"label": text, "kind": "village", "minZoom": _VILLAGE_ZOOM}))
    if "roads" in layers:
        names += _line_names(ctx, "roads", window, "road",
                             lambda row: _ROAD_ZOOM.get(str(row.get("class")), 16))
    if "water" in layers:
        names += _line_names(ctx, "water", window, "river", lambda row: _RIVER_ZOOM)
    geoms = display.geometries([g for g, _ in names], ctx.crs) if names else np.array([])
    return feature_collection(geoms, [p for _, p in names])
