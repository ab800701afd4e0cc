"""The public briefing map: the approved boundary, the grids by code and the service centre,
over the town's villages, roads and rivers with their names.

Nothing internal reaches this page: no enterprise names, employee numbers, findings or
capacity figures, not even in hidden properties; only the community's name, grid codes, the
centre's place and the public names of villages, roads and rivers. Large labels, full screen,
no popups.
"""

from __future__ import annotations

import folium
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.facility import FacilityResult
from geo.grids import GridPlan
from geo.i18n import t
from geo.proposal import Proposal
from maps.base import MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection
from maps.elements import add_layer

__all__ = ["PUBLIC_CONTEXT", "public_map"]

# the town as the public sees it: villages and communities, rivers, roads, and their names
PUBLIC_CONTEXT = ("neighbours", "water", "roads")

_BOUNDARY = {"color": "#c62828", "weight": 5, "fillOpacity": 0.0}
_GRIDS = {"color": "#1f4e9c", "weight": 2, "fillColor": "#90caf9", "fillOpacity": 0.25}
_CENTRE = {"color": "#8a1c1c", "weight": 3, "fillColor": "#ffca28", "fillOpacity": 0.9}


def public_map(proposal: Proposal, ctx: Context, *, plan: GridPlan | None = None,
               sites: FacilityResult | None = None, boundary: BaseGeometry | None = None,
               lang: str = "zh", basemap: Basemap | str = Basemap.plain,
               tianditu_token: str | None = None) -> folium.Map:
    """The briefing map of an approved community, full screen with large Chinese labels.

    ``boundary`` (context CRS) is the approved boundary, e.g. the adjusted one; the proposal's
    own geometry otherwise. ``plan`` adds the grids (codes only); ``sites`` adds the
    recommended service-centre site (only when a site qualifies).
    """
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    geom = boundary if boundary is not None else proposal.to_crs(ctx.crs)
    subtitle = t("grid_count", lang, count=len(plan.grids)) if plan is not None else None
    m = new_map(setup, geom, ctx.crs, title=f"{proposal.name} · {t('title_public', lang)}",
                subtitle=subtitle, big_title=True, fullscreen=True)
    context = add_context(m, ctx, setup, geom, layers=PUBLIC_CONTEXT, tooltips=False)
    legend = [legend_item(t("layer_community", lang), _BOUNDARY, "line", layer="community")]
    if plan is not None:
        grids = plan.grids
        add_layer(m, "grids", t("layer_grids", lang), feature_collection(
            setup.display.frame(grids, coverage=True),
            [{"key": str(code), "label": str(code)} for code in grids["code"]]),
            style=_GRIDS, labelClass="sijie-label-big")
        legend.append(legend_item(t("layer_grids", lang), _GRIDS, layer="grids"))
    add_layer(m, "community", t("layer_community", lang), feature_collection(
        setup.display.geometries([geom], ctx.crs), [{"key": "community"}]), style=_BOUNDARY)
    best = sites.best if sites is not None else None
    if sites is not None and best is not None:
        centre = (f"{proposal.name}{t('centre_label', lang)}" if lang == "zh"
                  else f"{t('centre_label', lang)}, {proposal.name}")
        # the site is small at community scale: a dot beside it carries the label
        site = [best.geometry, best.geometry.representative_point()]
        add_layer(m, "centre", t("layer_centre", lang), feature_collection(
            setup.display.geometries(site, sites.sites.crs),
            [{"key": "centre"}, {"key": "centre_dot", "label": centre}]), style=_CENTRE,
            labelClass="sijie-label-site", labelDirection="right")
        legend.append(legend_item(t("legend_centre", lang), _CENTRE, layer="centre"))
    return finish(m, [{"title": None, "items": legend}, {"title": None, "items": context}], lang)
