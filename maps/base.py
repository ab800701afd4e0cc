"""What every sijie map shares: the page, the base map, the frame, and the context layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Figure
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.i18n import N_, Lang, t
from geo.palette import STYLES
from maps.basemaps import Basemap, check_token
from maps.controls import controls_spec
from maps.display import Display, feature_collection
from maps.elements import Control, TextLayer, add_layer, add_places, plain
from maps.places import place_names

__all__ = [
    "CONTEXT_LAYERS",
    "STYLES",
    "MapSetup",
    "add_context",
    "context_layers",
    "finish",
    "legend_item",
    "new_map",
    "road_legend",
]

_ROAD_WEIGHT = {"expressway": 5, "arterial": 4, "secondary": 3, "branch": 2, "track": 1}
_ROAD_CLASSES = {"expressway": N_("road_expressway"), "arterial": N_("road_arterial"),
                 "secondary": N_("road_secondary"), "branch": N_("road_branch"),
                 "track": N_("road_track")}
_MARGIN_M = 600.0  # context drawn around the community


class PageFigure(Figure):
    """The page of a map, saying its language (``<html lang>``) for screen readers."""

    def __init__(self, *, title: str, lang: str) -> None:
        super().__init__(title=title)
        self.lang = "zh-CN" if lang == "zh" else "en"


PageFigure._template = Template(  # branca's page, with the language
    "<!DOCTYPE html>\n"
    "<html lang=\"{{ this.lang }}\">\n"
    "<head>\n"
    "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
    "    {{this.header.render(**kwargs)}}\n"
    "</head>\n"
    "<body>\n"
    "    {{this.html.render(**kwargs)}}\n"
    "</body>\n"
    "<script>\n"
    "    {{this.script.render(**kwargs)}}\n"
    "</script>\n"
    "</html>\n")


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


def legend_item(label: str, style: dict[str, Any], kind: str = "fill", *,
                layer: str | None = None, match: tuple[str, ...] | None = None,
                empty: bool = False) -> dict[str, Any]:
    """One legend row drawn with the style of the features it explains.

    ``layer`` names the drawn layer (``sijie.layers``) and ``match`` the style keys that tell
    this row's features apart from the layer's others (by default the stroke, and the fill for
    areas); ``empty`` says no feature is drawn so (a class with no members)."""
    swatch = {"kind": kind, "color": style.get("color"), "weight": style.get("weight"),
              "dashArray": style.get("dashArray"), "opacity": style.get("opacity")}
    if kind != "line":
        swatch["fillColor"] = style.get("fillColor")
        swatch["fillOpacity"] = style.get("fillOpacity")
        if style.get("fill") is False:
            swatch["fill"] = False
    if match is None:
        match = ("color", "weight", "dashArray") + (("fillColor",) if kind != "line" else ())
    item: dict[str, Any] = {"label": label, "swatch": swatch}
    if layer is not None:
        item.update(layer=layer, match=list(match), empty=empty)
    return item


def new_map(setup: MapSetup, frame: BaseGeometry, crs: Any, *, title: str,
            subtitle: str | None = None, big_title: bool = False,
            fullscreen: bool = False) -> folium.Map:
    """An empty map framed on ``frame`` (in ``crs``), with its base map and title."""
    figure = PageFigure(title=plain(t("map_page_title", setup.lang, title=title)), lang=setup.lang)
    check_token(setup.basemap, setup.tianditu_token)
    m = folium.Map(location=(0.0, 0.0), zoom_start=14, tiles=None, prefer_canvas=setup.canvas,
                   control_scale=False, max_zoom=19)
    m.add_to(figure)
    setattr(m, "sijie_setup", setup)  # noqa: B010  (read by finish() for the controls)
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


def context_layers(ctx: Context, setup: MapSetup, window: BaseGeometry, *,
                   layers: tuple[str, ...] = CONTEXT_LAYERS, tooltips: bool = True
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The context ``layers`` inside ``window`` (context CRS) and the names of its villages,
    roads and rivers, as layer specs (``{"kind", "id", "label", "data", "style"}``, kind
    ``geojson`` or ``places``), and their legend rows (roads by class, as drawn). Names are
    tooltips too unless ``tooltips`` is false."""
    lang, display = setup.lang, setup.display
    specs: list[dict[str, Any]] = []
    legend: list[dict[str, Any]] = []
    for name in layers:
        frame = ctx.layer(name)
        if frame is None:
            continue
        frame = frame.iloc[ctx.query(name, window)]
        if not len(frame):
            continue
        geoms = shapely.intersection(frame.geometry.values, window)
        names = [_text(v) for v in frame["name"]] if "name" in frame else [None] * len(frame)
        props: list[dict[str, Any]] = [{"tooltip": n} if n and tooltips else {} for n in names]
        if name == "roads":
            classes = [str(c) for c in frame["class"]] if "class" in frame else [""] * len(frame)
            for p, cls in zip(props, classes, strict=True):
                p["style"] = {"weight": _ROAD_WEIGHT.get(cls, 2)}
        data = feature_collection(display.geometries(geoms, ctx.crs), props)
        specs.append({"kind": "geojson", "id": name, "label": t(_LAYER_NAMES[name], lang),
                      "data": data, "style": STYLES[name]})
        if name == "roads":
            legend += road_legend(classes, lang)
            continue
        kind = "line" if name == "terrain" else "fill"
        legend.append(legend_item(t(_LAYER_NAMES[name], lang), STYLES[name], kind, layer=name))
    places = place_names(ctx, window, display, layers)
    if places["features"]:
        specs.append({"kind": "places", "id": "places", "label": t("layer_places", lang),
                      "data": places, "style": {}})
    return specs, legend


def add_context(m: folium.Map, ctx: Context, setup: MapSetup, around: BaseGeometry, *,
                layers: tuple[str, ...] = CONTEXT_LAYERS, tooltips: bool = True
                ) -> list[dict[str, Any]]:
    """The context ``layers`` near ``around`` (context CRS) with the names of its villages,
    roads and rivers, added to ``m``; returns their legend rows (see :func:`context_layers`)."""
    window = around.buffer(_MARGIN_M).envelope
    specs, legend = context_layers(ctx, setup, window, layers=layers, tooltips=tooltips)
    for spec in specs:
        if spec["kind"] == "places":
            add_places(m, spec["id"], spec["label"], spec["data"])
        else:
            add_layer(m, spec["id"], spec["label"], spec["data"], style=spec["style"])
    return legend


def road_legend(classes: list[str], lang: str) -> list[dict[str, Any]]:
    """A legend row per road class drawn (its line width), main roads first."""
    present = set(classes)
    rows = []
    for cls, weight in _ROAD_WEIGHT.items():
        if cls in present:
            label = f"{t(_LAYER_NAMES['roads'], lang)} · {t(_ROAD_CLASSES[cls], lang)}"
            rows.append(legend_item(label, {**STYLES["roads"], "weight": weight}, "line",
                                    layer="roads"))
    if present - set(_ROAD_WEIGHT):
        rows.append(legend_item(t(_LAYER_NAMES["roads"], lang), {**STYLES["roads"], "weight": 2},
                                "line", layer="roads"))
    return rows


def finish(m: folium.Map, legend: list[dict[str, Any]], lang: str, *,
           layer_control: bool = True) -> folium.Map:
    """Add the legend and the controls: base maps and layers (the layers listed unless
    ``layer_control`` is false), measure, locate, scale bar and north arrow."""
    if legend:
        Control("legend", {"title": t("legend", lang), "sections": legend}).add_to(m)
    setup: MapSetup = getattr(m, "sijie_setup", MapSetup.of(lang=lang))
    overlays = ([c.layer_id for c in m._children.values()
                 if isinstance(c, TextLayer) and c.control] if layer_control else [])
    Control("controls", controls_spec(lang, setup.basemap, setup.tianditu_token,
                                      overlays=overlays)).add_to(m)
    return m
