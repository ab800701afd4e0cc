"""The grid map: grids coloured by employees and labelled with their codes, micro-grids on zoom,
and a legend of how full each grid is."""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import shapely

from geo.context import Context
from geo.grids import GridPlan
from geo.i18n import N_, t
from geo.palette import EMPLOYEE_RAMP, GRID, MICROGRID
from maps.base import MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection, rows
from maps.elements import add_layer
from maps.labels import number, percent

__all__ = ["capacity_classes", "employee_classes", "grid_map"]

_RAMP = EMPLOYEE_RAMP  # light to dark: more employees
_GRID = GRID
# each capacity class has its own outline: thin blue under 60 %, navy to 90 %, orange to 100 %,
# red dashes over capacity
_CAPACITY_STYLES = ({"color": "#3b73b9", "weight": 1.5, "dashArray": None},
                    {"color": "#1b2a49", "weight": 2.5, "dashArray": None},
                    {"color": "#e65100", "weight": 3.5, "dashArray": None},
                    {"color": "#d32f2f", "weight": 4, "dashArray": "8 5"})
_MICRO = MICROGRID
_CAPACITY = (N_("capacity_low"), N_("capacity_mid"), N_("capacity_high"),
             N_("capacity_over"))
_MICRO_ZOOM = 16  # micro-grids are one plot each: legible from street-block scale on
_MANY = 300  # more grids than this: canvas, no context, codes only in view when zoomed in


def employee_classes(employees: np.ndarray, target: float) -> tuple[np.ndarray, list[str]]:
    """Each grid's colour class (0–4) by employees, in fifths of 1.25 × the grid target, and
    the legend text of each class."""
    step = 0.25 * target
    classes = np.clip((np.asarray(employees, float) // step).astype(int), 0, 4)
    texts = [f"{number(i * step)}–{number((i + 1) * step)}" for i in range(4)]
    return classes, [*texts, f"≥ {number(4 * step)}"]


def capacity_classes(use: np.ndarray, oversize: np.ndarray) -> np.ndarray:
    """Each grid's capacity class: 0 under 60 %, 1 to 90 %, 2 to 100 %, 3 over (or oversize)."""
    use = np.asarray(use, float)
    classes = np.searchsorted([0.6, 0.9, 1.0], use, side="left")
    return np.where(np.asarray(oversize, bool) | (use > 1.0), 3, np.minimum(classes, 2))


def _grid_popup(row: Any, lang: str) -> dict[str, Any]:
    rows = [[t("employees", lang), number(row.employees)],
            [t("enterprises", lang), number(row.enterprises)],
            [t("area_km2", lang), f"{row.area_m2 / 1e6:.3f}"],
            [t("compactness", lang), f"{row.polsby_popper:.2f}"],
            [t("capacity_use", lang), percent(row.capacity_use)]]
    return {"title": str(row.code), "rows": rows,
            "note": t("oversize", lang) if row.oversize else None}


def _micro_popup(row: Any, lang: str) -> dict[str, Any]:
    rows = [[t("code", lang), str(row.code)], [t("kind", lang), str(row.kind)],
            [t("grid", lang), str(row.grid)]]
    if row.employees == row.employees and row.employees is not None:  # not NaN
        rows.append([t("employees", lang), number(row.employees)])
    return {"title": str(row.name), "rows": rows}


def grid_map(plan: GridPlan, ctx: Context, *, name: str = "", lang: str = "zh",
             basemap: Basemap | str = Basemap.plain, tianditu_token: str | None = None,
             simplify_m: float = 1.0, canvas: bool | None = None) -> folium.Map:
    """Grids coloured by employees with their codes as labels, micro-grids from street-block
    zoom on, and a legend of employees and capacity use (over-capacity grids in red dashes).

    ``simplify_m`` simplifies the drawing (never the data) keeping shared edges shared;
    ``canvas`` (default: beyond 300 grids and micro-grids) draws on a canvas instead of SVG.
    """
    grids, micro = plan.grids, plan.microgrids
    if canvas is None:
        canvas = len(grids) + len(micro) > _MANY
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token,
                        simplify_m=simplify_m, canvas=canvas)
    outline = shapely.union_all(grids.geometry.values)
    m = new_map(setup, outline, grids.crs, title=t("title_grid", lang),
                subtitle=(f"{name} · " if name else "") + t("grid_count", lang, count=len(grids)))
    context_items = add_context(m, ctx, setup, outline) if len(grids) <= _MANY else []
    emp_class, emp_texts = employee_classes(grids["employees"].to_numpy(),
                                            ctx.rules.grid.employees_target)
    cap_class = capacity_classes(grids["capacity_use"].to_numpy(), grids["oversize"].to_numpy())
    props = []
    for row, e, c in zip(rows(grids), emp_class, cap_class, strict=True):
        style = {"fillColor": _RAMP[e], **_CAPACITY_STYLES[c]}
        props.append({"key": str(row.code), "label": f"{row.code}\n{percent(row.capacity_use)}",
                      "popup": _grid_popup(row, lang), "style": style})
    add_layer(m, "grids", t("layer_grids", lang),
              feature_collection(setup.display.frame(grids, coverage=True), props), style=_GRID,
              labelMinZoom=16 if len(grids) > _MANY else None)
    if len(micro):
        add_layer(m, "microgrids", t("layer_microgrids", lang), feature_collection(
            setup.display.frame(micro), [{"key": str(r.code), "tooltip": str(r.name),
                                          "popup": _micro_popup(r, lang)}
                                         for r in rows(micro)]),
            style=_MICRO, minZoom=_MICRO_ZOOM)
    counts = np.bincount(cap_class, minlength=4)
    employees = [legend_item(text, {**_GRID, "fillColor": colour}, layer="grids",
                             match=("fillColor",), empty=not np.any(emp_class == i))
                 for i, (text, colour) in enumerate(zip(emp_texts, _RAMP, strict=True))]
    capacity = [legend_item(t("count_suffix", lang, label=t(key, lang), count=int(n)), style,
                            "line", layer="grids", match=("color", "weight", "dashArray"),
                            empty=not n)
                for key, n, style in zip(_CAPACITY, counts, _CAPACITY_STYLES, strict=True)]
    sections = [{"title": t("legend_employees", lang), "items": employees},
                {"title": t("legend_capacity", lang), "items": capacity},
                {"title": t("legend_context", lang),
                 "items": [legend_item(t("layer_microgrids", lang), _MICRO, layer="microgrids"),
                           *context_items]}]
    return finish(m, sections, lang)

