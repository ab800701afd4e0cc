"""What every sijie map shares: the page, the base map, the frame, and the context layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Figure
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_, Lang, t
from maps.basemaps import Basemap, add_basemap
from maps.display import Display, feature_collection
from maps.elements import Control, add_layer, plain

__all__ = [
    "CONTEXT_LAYERS",
    "STYLES",
    "MapSetup",
    "add_context",
    "finish",
    "legend_item",
    "new_map",
]

# colours a GIS reviewer reads at a glance; findings by severity
STYLES: dict[str, dict[str, Any]] = {
    "proposal": {"color": "#1f4e9c", "weight": 3, "fillColor": "#4a7bd0", "fillOpacity": 0.12},
    "neighbours": {"color": "#8c8c8c", "weight": 1, "dashArray": "4 3", "fillColor": "#d9d4c7",
                   "fillOpacity": 0.25},
    "roads": {"color": "#9a9a9a", "weight": 2, "opacity": 0.9},
    "water": {"color": "#3d8fd1", "weight": 3, "fillColor": "#9ccbf0", "fillOpacity": 0.6},
    "terrain": {"color": "#8d6e63", "weight": 2, "dashArray": "6 4"},
    "error": {"color": "#d32f2f", "weight": 5, "fillColor": "#ef5350", "fillOpacity": 0.45},
    "warning": {"color": "#ef6c00", "weight": 4, "fillColor": "#ffa726", "fillOpacity": 0.35},
    "info": {"color": "#1565c0", "weight": 3, "fillColor": "#64b5f6", "fillOpacity": 0.3},
}
_ROAD_WEIGHT = {"expressway": 5, "arterial": 4, "secondary": 3, "branch": 2, "track": 1}
_MARGIN_M = 600.0  # context drawn around the community


@dataclass(frozen=True)
class MapSetup:
    """The options every builder takes: language, base map and its token, display tolerance."""

    lang: str = "zh"
    basemap: Basemap = Basemap.plain
    tianditu_token: str | None = None
    simplify_m: float = 0.0
    canvas: bool = False

    @classmethod
    def of(cls, *, lang: str = "zh", basemap: Basemap | str = Basemap.plain,
           tianditu_token: str | None = None, simplify_m: float = 0.0,
           canvas: bool = False) -> MapSetup:
        return cls(Lang.parse(lang).value, Basemap.parse(basemap), tianditu_token, simplify_m,
                   canvas)

    @property
    def display(self) -> Display:
        return Display(self.basemap, self.simplify_m)


def legend_item(label: str, style: dict[str, Any], kind: str = "fill") -> dict[str, Any]:
    """One legend row drawn like the layer it explains."""
    swatch = {"kind": kind, "color": style.get("color"), "dash": bool(style.get("dashArray"))}
    if kind != "line":
        swatch["fillColor"] = style.get("fillColor", style.get("color"))
    return {"label": label, "swatch": swatch}


def new_map(setup: MapSetup, frame: BaseGeometry, crs: Any, *, title: str,
            subtitle: str | None = None, big_title: bool = False,
            fullscreen: bool = False) -> folium.Map:
    """An empty map framed on ``frame`` (in ``crs``), with its base map and title."""
    figure = Figure(title=plain(t("map_page_title", setup.lang, title=title)))
    m = folium.Map(location=(0.0, 0.0), zoom_start=14, tiles=None, prefer_canvas=setup.canvas,
                   control_scale=True, max_zoom=19)
    m.add_to(figure)
    add_basemap(m, setup.basemap, lang=setup.lang, tianditu_token=setup.tianditu_token)
    box = Display(setup.basemap).geometries([shapely.box(*frame.bounds)], crs)[0]
    west, south, east, north = box.bounds
    m.location = [(south + north) / 2, (west + east) / 2]
    Control("fit", {"bounds": [[south, west], [north, east]], "padding": [20, 20]}).add_to(m)
    Control("title", {"text": title, "subtitle": subtitle, "big": big_title}).add_to(m)
    if fullscreen:
        from folium.plugins import Fullscreen

        Fullscreen(position="topright", title=t("fullscreen", setup.lang),
                   title_cancel=t("fullscreen_exit", setup.lang)).add_to(m)
    return m


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


CONTEXT_LAYERS = ("neighbours", "water", "terrain", "roads")
_LAYER_NAMES = {"neighbours": N_("layer_neighbours"), "water": N_("layer_water"),
                "terrain": N_("layer_terrain"), "roads": N_("layer_roads")}


def add_context(m: folium.Map, ctx: Context, setup: MapSetup, around: BaseGeometry, *,
                layers: tuple[str, ...] = CONTEXT_LAYERS) -> list[dict[str, Any]]:
    """The context ``layers`` near ``around`` (context CRS); returns their legend rows."""
    lang, display = setup.lang, setup.display
    window = around.buffer(_MARGIN_M).envelope
    legend = []
    for name in layers:
        frame = ctx.layer(name)
        if frame is None:
            continue
        frame = frame.iloc[ctx.query(name, window)]
        if not len(frame):
            continue
        geoms = shapely.intersection(frame.geometry.values, window)
        names = [_text(v) for v in frame["name"]] if "name" in frame else [None] * len(frame)
        props: list[dict[str, Any]] = [{"tooltip": n} if n else {} for n in names]
        if name == "roads":
            for p, cls in zip(props, frame["class"], strict=True):
                p["style"] = {"weight": _ROAD_WEIGHT.get(str(cls), 2)}
        data = feature_collection(display.geometries(geoms, ctx.crs), props)
        add_layer(m, name, t(_LAYER_NAMES[name], lang), data, style=STYLES[name])
        kind = "line" if name in ("roads", "terrain") else "fill"
        legend.append(legend_item(t(_LAYER_NAMES[name], lang), STYLES[name], kind))
    return legend


def finish(m: folium.Map, legend: list[dict[str, Any]], lang: str, *,
           layer_control: bool = True) -> folium.Map:
    """Add the legend and the layer switcher (expanded, so reviewers see what can be toggled)."""
    if legend:
        Control("legend", {"title": t("legend", lang), "sections": legend}).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=False, position="topleft").add_to(m)
    return m
