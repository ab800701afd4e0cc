"""Drawing context layers on a printed sheet: clipped to the view, styled, labelled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_, t
from geo.palette import LANDUSE_COLOURS, LANDUSE_LABELS

__all__ = ["HALO", "LANDUSE_COLOURS", "LANDUSE_LABELS", "ROAD_WIDTHS", "clipped", "draw_lines",
           "draw_polygons", "label", "line_handle", "patch_handle", "view_box"]

#: line widths (points) of the road classes
ROAD_WIDTHS = {"expressway": 2.6, "arterial": 1.9, "secondary": 1.3, "branch": 0.8,
               "track": 0.5}
WATER_COLOUR = "#5B9BD5"
#: the light box behind a label (a halo drawn as a path effect would turn the text into
#: outlines and take it out of the PDF's text layer)
HALO: dict[str, Any] = {"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6}


def view_box(ax: Axes) -> BaseGeometry:
    """The rectangle the map axes show."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return box(x0, y0, x1, y1)


def clipped(ctx: Context, layer: str, view: BaseGeometry) -> gpd.GeoDataFrame | None:
    """The features of ``layer`` meeting ``view``, each cut to it; None without the layer."""
    frame = ctx.layer(layer)
    if frame is None:
        return None
    index = np.sort(ctx.query(layer, view))
    part = frame.iloc[index].copy()
    part["geometry"] = shapely.intersection(part.geometry.to_numpy(), view)
    return part[~part.geometry.is_empty]


def draw_polygons(ax: Axes, geoms: Sequence[BaseGeometry] | gpd.GeoSeries, **style: Any) -> None:
    """Polygons (of a collection, its polygons; other types left out) with a matplotlib
    patch ``style``."""
    shapes = [part for g in geoms if g is not None and not g.is_empty
              for part in (shapely.get_parts(g) if g.geom_type == "GeometryCollection"
                           else [g])
              if part.geom_type in ("Polygon", "MultiPolygon")]
    if shapes:
        gpd.GeoSeries(shapes).plot(ax=ax, **style)


def draw_lines(ax: Axes, geoms: Sequence[BaseGeometry] | gpd.GeoSeries, **style: Any) -> None:
    """Lines (and the outlines of polygons) with a matplotlib line ``style``."""
    parts = [g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g
             for g in geoms if g is not None and not g.is_empty]
    lines = [g for g in parts if g.geom_type in ("LineString", "MultiLineString", "LinearRing")]
    if lines:
        gpd.GeoSeries(lines).plot(ax=ax, **style)


def label(ax: Axes, geom: BaseGeometry, text: str, size: float, **style: Any) -> None:
    """``text`` at a point inside ``geom`` (centred, white halo for legibility)."""
    point = shapely.point_on_surface(geom)
    ax.text(point.x, point.y, text, ha="center", va="center", fontsize=size, zorder=15,
            bbox=HALO,
            clip_on=True, **style)


def patch_handle(text: str, **style: Any) -> Patch:
    """A legend entry of an area style."""
    return Patch(label=text, **style)


def line_handle(text: str, **style: Any) -> Line2D:
    """A legend entry of a line style."""
    return Line2D([], [], label=text, **style)


def legend_title(lang: str) -> str:
    return t(N_("legend"), lang)
