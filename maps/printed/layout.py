"""布局图: the community as proposed (001 § 二(一)4(1)): its four sides (四至), the land each
village or community gives up with its area, the enterprises it serves (numbered, listed in
the panel), its grids and the site of its party-and-mass service centre."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_, t
from geo.profile.application import Enterprise
from geo.profile.info_table import side_text
from maps.printed.draw import (
    HALO,
    draw_lines,
    draw_polygons,
    label,
    line_handle,
    patch_handle,
    view_box,
)
from maps.printed.sheet import Frame, PrintFormat, Sheet, draw_frame, render, sheet_frame
from maps.printed.status import BOUNDARY_STYLE, draw_context, label_neighbours, panel_legend

__all__ = ["Given", "LayoutContent", "layout_map"]

# pale fills told apart on paper, one per neighbour that gives land
_GIVEN_COLOURS = ("#FDD49E", "#C7E9C0", "#C6DBEF", "#FCC5C0", "#DADAEB", "#FFF7BC", "#D9F0D3",
                  "#FDE0DD")
GRID_STYLE = {"color": "#1B7837", "linewidth": 1.0, "linestyle": (0, (4, 2)), "zorder": 10}
SITE_STYLE = {"facecolor": "#E7298A", "edgecolor": "#7A0177", "linewidth": 1.0, "alpha": 0.55,
              "zorder": 11}
_PAD = 0.12  # room around the community for the four sides' words


@dataclass(frozen=True)
class Given:
    """The land one neighbour gives up (m²), in the context's CRS."""

    name: str
    area_m2: float
    geometry: BaseGeometry


@dataclass(frozen=True)
class LayoutContent:
    """What the 布局图 shows beyond the context."""

    four_sides: dict[str, list[str]]
    given: list[Given]
    enterprises: tuple[Enterprise, ...]
    grids: list[tuple[str, BaseGeometry]] = field(default_factory=list)
    site: BaseGeometry | None = None
    centre_name: str = ""


def _four_sides(ax: Axes, geom: BaseGeometry, sides: dict[str, list[str]], lang: str,
                size: float) -> None:
    """东至… 南至… 西至… 北至… beside the middle of each side of the community."""
    x0, y0, x1, y1 = geom.bounds
    cx, cy, gap = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 0.015
    spots = {"east": (x1 + gap, cy, "left", "center", 90),
             "west": (x0 - gap, cy, "right", "center", 90),
             "north": (cx, y1 + gap, "center", "bottom", 0),
             "south": (cx, y0 - gap, "center", "top", 0)}
    for side, names in sides.items():
        if not names:
            continue
        x, y, ha, va, rotation = spots[side]
        text = side_text(side, names, lang)
        ax.text(x, y, text, ha=ha, va=va, rotation=rotation if side in ("east", "west") else 0,
                fontsize=size, color="#B2182B", zorder=16,
                bbox=HALO)


def _enterprise_marks(ax: Axes, enterprises: tuple[Enterprise, ...], size: float) -> None:
    """A numbered circle on each enterprise."""
    for firm in enterprises:
        ax.text(firm.x, firm.y, str(firm.number), ha="center", va="center", fontsize=size,
                zorder=17, color="black",
                bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white",
                      "edgecolor": "#7B4F2C", "linewidth": 0.5})


def _enterprise_list(fig: Figure, frame: Frame, enterprises: tuple[Enterprise, ...],
                     lang: str) -> None:
    """The numbered list of the enterprises in the panel's middle, in as many columns as
    needed."""
    left, bottom, width, height = frame.panel_box
    top = bottom + height * 0.58 - 3 * frame.small
    foot = bottom + 7.0 * frame.small * 6 + 4 * frame.small  # above the title block
    ax = fig.add_axes(frame.fraction((left, foot, width, top - foot)))
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(0, top - foot)
    title = t(N_("print_enterprise_list"), lang, count=len(enterprises))
    ax.text(0, top - foot, title, va="top", fontsize=8 * frame.small)
    rows_h = top - foot - 5 * frame.small
    columns = 1
    while True:
        per_column = -(-len(enterprises) // columns) if enterprises else 1
        line = rows_h / max(per_column, 1)
        if line >= 2.1 * frame.small or columns >= 4:
            break
        columns += 1
    size = min(6.0 * frame.small, line / 0.42)
    col_w = width / columns
    chars = max(6, int(col_w / (size * 0.36)) - 4)
    for i, firm in enumerate(enterprises):
        c, r = divmod(i, per_column)
        name = firm.name if len(firm.name) <= chars else firm.name[:chars - 1] + "…"
        ax.text(c * col_w, rows_h - r * line, f"{firm.number}. {name}", va="top",
                fontsize=size)


def layout_map(geom: BaseGeometry, ctx: Context, content: LayoutContent, sheet: Sheet,
               fmt: PrintFormat) -> bytes:
    """The 布局图 of the community ``geom`` (context CRS) as PDF or PNG bytes."""
    lang = sheet.lang
    frame = sheet_frame(sheet.paper)

    def draw(fig: Figure) -> None:
        title = t(N_("print_title_layout"), lang, name=sheet.community)
        x0, y0, x1, y1 = geom.bounds
        pad = max(x1 - x0, y1 - y0) * _PAD
        ax, _ = draw_frame(fig, frame, sheet, title, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        view = view_box(ax)
        handles: list[Artist] = draw_context(ax, ctx, view, lang, landuse=False)
        for i, given in enumerate(content.given):
            colour = _GIVEN_COLOURS[i % len(_GIVEN_COLOURS)]
            draw_polygons(ax, [given.geometry], facecolor=colour, edgecolor="none", zorder=2)
            text = t(N_("print_given_label"), lang, name=given.name, area=given.area_m2)
            label(ax, given.geometry, text, 8 * frame.small, color="#333333")
        if content.given:
            handles.append(patch_handle(t(N_("print_legend_given"), lang),
                                        facecolor=_GIVEN_COLOURS[0]))
        for code, grid in content.grids:
            draw_lines(ax, [grid], **GRID_STYLE)
            label(ax, grid, code[-3:], 6 * frame.small, color="#1B7837")
        if content.grids:
            handles.append(line_handle(t(N_("layer_grids"), lang), **GRID_STYLE))
        if content.site is not None:
            draw_polygons(ax, [content.site], **SITE_STYLE)
            label(ax, content.site, content.centre_name or t(N_("layer_centre"), lang),
                  7 * frame.small, color="#7A0177")
            handles.append(patch_handle(t(N_("layer_centre"), lang), **SITE_STYLE))
        _enterprise_marks(ax, content.enterprises, 4.5 * frame.small)
        if content.enterprises:
            handles.append(line_handle(t(N_("print_legend_enterprise"), lang), marker="o",
                                       linestyle="none", markerfacecolor="white",
                                       markeredgecolor="#7B4F2C"))
        draw_lines(ax, [geom], **BOUNDARY_STYLE)
        handles.append(line_handle(t(N_("layer_community"), lang), **BOUNDARY_STYLE))
        label_neighbours(ax, ctx, view.difference(geom), 9 * frame.small)
        _four_sides(ax, geom, content.four_sides, lang, 9 * frame.small)
        panel_legend(fig, frame, handles, lang, top_share=0.95)
        _enterprise_list(fig, frame, content.enterprises, lang)

    return render(draw, sheet.paper, fmt)
