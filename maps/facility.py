"""The facility map: ranked candidate sites for the service facilities, each with its reasons."""

from __future__ import annotations

from typing import Any

import folium
import shapely

from geo.context import Context
from geo.facility import FacilityResult, explain, headline
from geo.i18n import t
from geo.palette import SITE_STYLES
from geo.proposal import Proposal
from maps.base import STYLES, MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection, rows
from maps.elements import Control, add_layer
from maps.labels import area, number

__all__ = ["SITE_STYLES", "facility_map"]



def _site_popup(row: Any, qualified: bool, ctx: Context, lang: str) -> dict[str, Any]:
    title = t("site_rank" if qualified else "near_miss", lang, rank=row.rank)
    road = row.frontage_road if isinstance(row.frontage_road, str) and row.frontage_road else "—"
    rows = [[t("rank", lang), str(row.rank)], [t("area_m2", lang), area(row.area_m2)],
            [t("frontage", lang), number(row.frontage_m)], [t("frontage_road", lang), road],
            [t("floor_fit", lang),
             f"{number(row.floor_needed_m2)} / {number(row.floor_allowed_m2)}"],
            [t("distance", lang), number(row.distance_m)]]
    return {"title": title, "rows": rows, "note": explain(row, ctx.rules.facility, lang)}


def facility_map(result: FacilityResult, proposal: Proposal, ctx: Context, *, lang: str = "zh",
                 basemap: Basemap | str = Basemap.plain, tianditu_token: str | None = None
                 ) -> folium.Map:
    """The community and its candidate facility sites, ranked (No. 1 in red) with popups of
    area, road frontage, programme fit (floor area needed / allowed) and employee distance;
    when no site qualifies, the nearest misses (grey, dashed) and what each fails."""
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    geom = proposal.to_crs(ctx.crs)
    m = new_map(setup, geom, ctx.crs, title=t("title_facility", lang), subtitle=proposal.name)
    context_items = add_context(m, ctx, setup, geom, layers=("water", "terrain", "roads"))
    community = {**STYLES["proposal"], "fillOpacity": 0.05}
    add_layer(m, "proposal", t("layer_community", lang), feature_collection(
        setup.display.geometries([geom], ctx.crs), [{"key": "proposal", "tooltip": proposal.name}]),
        style=community)
    sites = result.sites
    props: list[dict[str, Any]] = []
    for row in rows(sites):
        kind = "miss" if not result.qualified else ("best" if row.rank == 1 else "ranked")
        props.append({"key": f"site{row.rank}", "label": str(row.rank),
                      "popup": _site_popup(row, result.qualified, ctx, lang),
                      "style": SITE_STYLES[kind]})
    add_layer(m, "sites", t("layer_sites", lang),
              feature_collection(setup.display.frame(sites), props), labelClass="sijie-label-site")
    items = [{"text": p["popup"]["title"] + f" · {area(r.area_m2)} ㎡", "badge": str(r.rank),
              "detail": p["popup"]["note"], "layer": "sites", "key": p["key"],
              "className": "info" if result.qualified else "warning"}
             for p, r in zip(props, rows(sites), strict=True)
             if not shapely.is_empty(r.geometry)]
    Control("panel", {"title": t("layer_sites", lang),
                      "summary": headline(result, ctx.rules.facility, lang),
                      "summaryClass": "ok" if result.qualified else "fail",
                      "items": items}).add_to(m)
    legend = ([legend_item(t("legend_rank1", lang), SITE_STYLES["best"], layer="sites"),
               legend_item(t("legend_ranked", lang), SITE_STYLES["ranked"], layer="sites",
                           empty=len(sites) < 2)]
              if result.qualified else [legend_item(t("legend_miss", lang), SITE_STYLES["miss"],
                                                    layer="sites")])
    legend.append(legend_item(t("layer_community", lang), community, layer="proposal"))
    return finish(m, [{"title": t("legend_result", lang), "items": legend},
                      {"title": t("legend_context", lang), "items": context_items}], lang)
