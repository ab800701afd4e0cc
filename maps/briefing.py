"""The town's public briefing map (``/public/map``): every approved community of the town with
its grids and service centre, over the town's villages, roads and rivers and their names.

:func:`town_briefing` gives everything the page draws as data for ``sijie.js`` and
``sijie/controls.js``. Only public facts reach it: each community's name and boundary, grid
codes and shapes, the centre's place, and the public names of villages, roads and rivers —
never an enterprise, an employee figure, a finding, an opinion or a stored id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.facility import FacilityResult
from geo.grids import GridPlan
from geo.i18n import t
from geo.palette import TOWN
from maps.base import MapSetup, context_layers, legend_item
from maps.basemaps import Basemap
from maps.controls import controls_spec
from maps.display import feature_collection
from maps.public import PUBLIC_CONTEXT

__all__ = ["BriefedCommunity", "town_briefing"]

_TOWN = TOWN
_COMMUNITY = {"color": "#c62828", "weight": 5, "fillColor": "#ef9a9a", "fillOpacity": 0.12}
_GRIDS = {"color": "#1f4e9c", "weight": 2, "fillColor": "#90caf9", "fillOpacity": 0.25}
_CENTRE = {"color": "#8a1c1c", "weight": 3, "fillColor": "#ffca28", "fillOpacity": 0.9}


@dataclass(frozen=True)
class BriefedCommunity:
    """An approved community as the public sees it: its name and boundary (in the context's
    CRS), and its grids and service-centre site when they were worked out."""

    name: str
    boundary: BaseGeometry
    plan: GridPlan | None = None
    sites: FacilityResult | None = None


def _centre_label(name: str, lang: str) -> str:
    return (f"{name}{t('centre_label', lang)}" if lang == "zh"
            else f"{t('centre_label', lang)}, {name}")


def town_briefing(ctx: Context, communities: Sequence[BriefedCommunity], *, town: str,
                  lang: str = "zh", basemap: Basemap | str = Basemap.plain,
                  tianditu_token: str | None = None, focus: int | None = None
                  ) -> dict[str, Any]:
    """What the briefing page draws: ``title``, ``subtitle``, ``layers`` (specs for
    ``sijie.geojson`` / ``sijie.places``, in drawing order), ``legend``, ``controls``,
    ``bounds`` ([[south, west], [north, east]]: the town, or community ``focus``) and
    ``empty`` (no community is approved yet)."""
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    display = setup.display
    town_area = ctx.town
    window = town_area.envelope.buffer(200.0).envelope
    layers, context_legend = context_layers(ctx, setup, window, layers=PUBLIC_CONTEXT,
                                            tooltips=False)
    places = [spec for spec in layers if spec["kind"] == "places"]
    layers = [spec for spec in layers if spec["kind"] != "places"]
    layers.insert(0, {"kind": "geojson", "id": "town", "label": t("layer_town", lang),
                      "data": feature_collection(display.geometries([town_area.boundary],
                                                                    ctx.crs), [{}]),
                      "style": _TOWN})
    legend = [legend_item(t("layer_town", lang), _TOWN, "line", layer="town")]
    names = [c.name for c in communities]
    boundaries = display.geometries([c.boundary for c in communities], ctx.crs)
    layers.append({"kind": "geojson", "id": "communities", "label": t("layer_communities", lang),
                   "data": feature_collection(boundaries, [{"label": n} for n in names]),
                   "style": _COMMUNITY, "labelClass": "sijie-label-community"})
    legend.append(legend_item(t("layer_communities", lang), _COMMUNITY, layer="communities",
                              empty=not communities))
    grid_geoms: list[BaseGeometry] = []
    grid_codes: list[str] = []
    centre_geoms: list[BaseGeometry] = []
    centre_props: list[dict[str, Any]] = []
    for community in communities:
        if community.plan is not None and len(community.plan.grids):
            grids = community.plan.grids
            grid_geoms += list(display.frame(grids, coverage=True))
            grid_codes += [str(code) for code in grids["code"]]
        best = community.sites.best if community.sites is not None else None
        if best is not None and community.sites is not None:
            site = [best.geometry, best.geometry.representative_point()]
            centre_geoms += list(display.geometries(site, community.sites.sites.crs))
            centre_props += [{}, {"label": _centre_label(community.name, lang)}]
    if grid_geoms:
        layers.append({"kind": "geojson", "id": "grids", "label": t("layer_grids", lang),
                       "data": feature_collection(grid_geoms, [{"label": c} for c in grid_codes]),
                       "style": _GRIDS, "labelClass": "sijie-label-grid", "labelMinZoom": 15})
        legend.append(legend_item(t("layer_grids", lang), _GRIDS, layer="grids"))
    if centre_geoms:
        layers.append({"kind": "geojson", "id": "centres", "label": t("layer_centre", lang),
                       "data": feature_collection(centre_geoms, centre_props), "style": _CENTRE,
                       "labelClass": "sijie-label-site", "labelDirection": "right",
                       "labelMinZoom": 15})
        legend.append(legend_item(t("legend_centre", lang), _CENTRE, layer="centres"))
    for spec in places:  # a registered community is a feature of the town too: named once
        spec["data"] = {"type": "FeatureCollection",
                        "features": [f for f in spec["data"]["features"]
                                     if f["properties"]["label"] not in set(names)]}
    layers += places
    frame = town_area if focus is None else communities[focus].boundary
    box = display.geometries([shapely.box(*frame.bounds)], ctx.crs)[0]
    west, south, east, north = box.bounds
    if communities:
        subtitle = t("briefing_approved", lang, count=len(communities),
                     names=t("names_sep", lang).join(names))
    else:
        subtitle = t("briefing_none_approved", lang)
    return {
        "title": t("briefing_title", lang, town=town),
        "subtitle": subtitle,
        "empty": not communities,
        "layers": layers,
        "legend": {"title": t("legend", lang),
                   "sections": [{"title": None, "items": legend},
                                {"title": t("legend_context", lang), "items": context_legend}]},
        "controls": controls_spec(lang, setup.basemap, setup.tianditu_token,
                                  overlays=[spec["id"] for spec in layers]),
        "bounds": [[south, west], [north, east]],
        "fullscreen": {"title": t("fullscreen", lang), "titleCancel": t("fullscreen_exit", lang)},
    }
