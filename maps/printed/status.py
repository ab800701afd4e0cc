"""现状图: the proposed community and its surroundings as they are (001 § 二(一)4(1)): land
use, enterprises, roads, rivers, the villages and communities with their names, the proposed
boundary."""

from __future__ import annotations

from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_, t
from maps.printed.draw import (
    HALO,
    LANDUSE_COLOURS,
    LANDUSE_LABELS,
    ROAD_WIDTHS,
    WATER_COLOUR,
    clipped,
    draw_lines,
    draw_polygons,
    label,
    legend_title,
    line_handle,
    patch_handle,
    view_box,
)
from maps.printed.sheet import Frame, PrintFormat, Sheet, draw_frame, render, sheet_frame

__all__ = ["BOUNDARY_STYLE", "draw_context", "panel_legend", "status_map"]

BOUNDARY_STYLE: dict[str, Any] = {"color": "#D7191C", "linewidth": 2.4, "zorder": 12}
NEIGHBOUR_STYLE: dict[str, Any] = {"color": "#555555", "linewidth": 0.9,
                                   "linestyle": (0, (6, 3)), "zorder": 8}
# the surroundings shown around the community, as a share of its larger side
_SURROUNDINGS = 0.3


def draw_context(ax: Axes, ctx: Context, view: BaseGeometry, lang: str, *,
                 landuse: bool) -> list[Artist]:
    """Land use (when asked), water, roads, the villages' boundaries and names; the legend
    entries of what was drawn."""
    handles: list[Artist] = []
    size = 1.0
    if landuse:
        frame = clipped(ctx, "landuse", view)
        if frame is not None and len(frame):
            for cls, colour in LANDUSE_COLOURS.items():
                part = frame[frame["class"] == cls]
                if len(part):
                    draw_polygons(ax, part.geometry, facecolor=colour, edgecolor="none",
                                  zorder=1)
                    if cls != "road":  # the road lines have their own entry
                        handles.append(patch_handle(t(LANDUSE_LABELS[cls], lang),
                                                    facecolor=colour))
    water = clipped(ctx, "water", view)
    if water is not None and len(water):
        draw_polygons(ax, water.geometry, facecolor="#B7D7EC", edgecolor=WATER_COLOUR,
                      linewidth=0.5, zorder=4)
        widths = water["width_m"].to_numpy(float) if "width_m" in water else None
        for i, geom in enumerate(water.geometry):
            if geom.geom_type in ("LineString", "MultiLineString"):
                w = 1.5 if widths is None else max(1.0, min(4.0, float(widths[i]) / 12))
                draw_lines(ax, [geom], color=WATER_COLOUR, linewidth=w, zorder=4)
        handles.append(line_handle(t(N_("layer_water"), lang), color=WATER_COLOUR,
                                   linewidth=2.0))
    roads = clipped(ctx, "roads", view)
    if roads is not None and len(roads):
        for cls, width in ROAD_WIDTHS.items():
            part = roads[roads["class"] == cls]
            if len(part):
                draw_lines(ax, part.geometry, color="#8C8C8C", linewidth=width * size + 0.8,
                           zorder=5)
                draw_lines(ax, part.geometry, color="white" if cls != "expressway" else "#F6C56B",
                           linewidth=width * size, zorder=6)
        handles.append(line_handle(t(N_("layer_roads"), lang), color="#8C8C8C", linewidth=2.0))
        _road_names(ax, roads)
    neighbours = clipped(ctx, "neighbours", view)
    if neighbours is not None and len(neighbours):
        draw_lines(ax, neighbours.geometry, **NEIGHBOUR_STYLE)
        handles.append(line_handle(t(N_("print_legend_neighbours"), lang), **NEIGHBOUR_STYLE))
    return handles


def label_neighbours(ax: Axes, ctx: Context, view: BaseGeometry, size: float) -> list[str]:
    """Each village's (community's) name inside its part of the view; the names written."""
    neighbours = clipped(ctx, "neighbours", view)
    written: list[str] = []
    if neighbours is None:
        return written
    for name, geom in zip(neighbours["name"], neighbours.geometry, strict=True):
        if isinstance(name, str) and geom.area > view.area * 0.004:
            label(ax, geom, name, size, color="#333333")
            written.append(name)
    return written


def _road_names(ax: Axes, roads: Any) -> None:
    """The name of each main road once, along its longest piece in view."""
    main = roads[roads["class"].isin(["expressway", "arterial", "secondary"])]
    main = main[main["name"].notna()]
    if not len(main):
        return
    lengths = main.geometry.length
    for name in sorted(set(main["name"])):
        piece = main.geometry[main["name"] == name].iloc[
            int(lengths[main["name"] == name].to_numpy().argmax())]
        if piece.length < 150:
            continue
        line = piece if piece.geom_type == "LineString" else max(piece.geoms,
                                                                  key=lambda g: g.length)
        a = line.interpolate(0.45, normalized=True)
        b = line.interpolate(0.55, normalized=True)
        import math

        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        mid = line.interpolate(0.5, normalized=True)
        ax.text(mid.x, mid.y, str(name), rotation=angle, rotation_mode="anchor", ha="center",
                va="center", fontsize=5.5, color="#444444", zorder=14, clip_on=True,
                bbox=HALO)


def panel_legend(fig: Figure, frame: Frame, handles: list[Artist], lang: str,
                 top_share: float = 1.0) -> None:
    """The legend in the side panel's upper part."""
    left, bottom, width, height = frame.panel_box
    box = (left, bottom + height * (1 - 0.42 * top_share), width, height * 0.42 * top_share)
    ax = fig.add_axes(frame.fraction(box))
    ax.set_axis_off()
    ax.legend(handles=handles, title=legend_title(lang), loc="upper left", frameon=True,
              fontsize=7 * frame.small, title_fontsize=9 * frame.small, ncols=2,
              handlelength=2.2, borderaxespad=0.0, edgecolor="black", fancybox=False)


def _bounds(geom: BaseGeometry, share: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = geom.bounds
    pad = max(x1 - x0, y1 - y0) * share
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def status_map(geom: BaseGeometry, ctx: Context, sheet: Sheet, fmt: PrintFormat) -> bytes:
    """The 现状图 of the community ``geom`` (context CRS) as PDF or PNG bytes."""
    lang = sheet.lang
    frame = sheet_frame(sheet.paper)

    def draw(fig: Figure) -> None:
        title = t(N_("print_title_status"), lang, name=sheet.community)
        ax, _ = draw_frame(fig, frame, sheet, title, _bounds(geom, _SURROUNDINGS))
        view = view_box(ax)
        handles = draw_context(ax, ctx, view, lang, landuse=True)
        parcels = clipped(ctx, "parcels", view)
        if parcels is not None and len(parcels):
            firms = parcels[parcels["kind"] == "enterprise"]
            style = {"facecolor": "none", "edgecolor": "#7B4F2C", "linewidth": 0.45,
                     "hatch": "////", "zorder": 7}
            draw_polygons(ax, firms.geometry, **style)
            handles.append(patch_handle(t(N_("lu_enterprise"), lang), **style))
        draw_lines(ax, [geom], **BOUNDARY_STYLE)
        handles.append(line_handle(t(N_("layer_proposal"), lang), **BOUNDARY_STYLE))
        label_neighbours(ax, ctx, view, 9 * frame.small)
        panel_legend(fig, frame, handles, lang)

    return render(draw, sheet.paper, fmt)
