"""The district overview map of an audit: every community by pass or fail, the land two
communities both claim, and the neighbours around them."""

from __future__ import annotations

from typing import Any

import folium
import shapely

from geo.audit import Audit, CommunityAudit, Overlap
from geo.context import Context
from geo.i18n import t
from geo.palette import AUDIT_FAIL, AUDIT_PASS, OVERLAP
from geo.profile.info_table import class_label
from maps.base import MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection
from maps.elements import Control, add_layer
from maps.labels import area, number

__all__ = ["audit_map"]

_PASS, _FAIL, _OVERLAP = AUDIT_PASS, AUDIT_FAIL, OVERLAP


def _by_rule(community: CommunityAudit, lang: str) -> str:
    found = [f"{rule}×{n}" for rule, n in community.findings.items() if n]
    return t("list_sep", lang).join(found) if found else t("none", lang)


def _community_popup(community: CommunityAudit, lang: str) -> dict[str, Any]:
    rows = [[t("code", lang), community.code or "—"],
            [t("audit_passes", lang), t("yes" if community.ok else "no", lang)],
            [t("audit_error_rules", lang), str(community.errors)],
            [t("audit_findings_by_rule", lang), _by_rule(community, lang)],
            [t("employees", lang),
             "—" if community.employees is None else number(community.employees)],
            [t("metric_employees_verified", lang), number(community.employees_verified)],
            [t("table_row_class", lang), "—" if community.community_class is None
             else class_label(community.community_class, lang)]]
    if community.overlaps:
        rows.append([t("audit_overlaps", lang),
                     t("names_sep", lang).join(community.overlaps)])
    return {"title": community.name, "rows": rows}


def _overlap_popup(overlap: Overlap, lang: str) -> dict[str, Any]:
    return {"title": t("audit_overlap_of", lang, a=overlap.a, b=overlap.b),
            "rows": [[t("area_m2", lang), area(overlap.area_m2)]]}


def audit_map(result: Audit, ctx: Context, *, name: str = "", lang: str = "zh",
              basemap: Basemap | str = Basemap.plain, tianditu_token: str | None = None
              ) -> folium.Map:
    """Every audited community coloured by pass (green) or fail (red), the overlaps between
    communities as their own layer, and the neighbours around the district.

    Each community's popup gives its code, whether it passes, how many rules found errors,
    its findings by rule, employees and verified employees and its class (一般/较大/特大);
    the side panel lists the
    communities (failing first, click to locate) under the audit's summary.
    """
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    geoms = result.geometries
    drawable = [g for g in geoms if g is not None and not shapely.is_empty(g)]
    frame = shapely.box(*shapely.total_bounds(drawable)) if drawable else ctx.town
    failing = sum(not c.ok for c in result.communities)
    summary = t("audit_summary", lang, count=len(result.communities), failing=failing,
                overlaps=len(result.overlaps))
    m = new_map(setup, frame, result.crs, title=t("title_audit", lang),
                subtitle=(f"{name} · " if name else "") + summary)
    context_items = add_context(m, ctx, setup, frame, layers=("neighbours",))
    props = [{"key": f"c{i + 1}", "tooltip": c.name, "popup": _community_popup(c, lang),
              "style": _PASS if c.ok else _FAIL}
             for i, c in enumerate(result.communities)]
    add_layer(m, "communities", t("layer_audit_communities", lang),
              feature_collection(setup.display.geometries(list(geoms), result.crs), props))
    overlap_props = [{"key": f"o{i + 1}", "tooltip": t("audit_overlap_of", lang, a=o.a, b=o.b),
                      "popup": _overlap_popup(o, lang)} for i, o in enumerate(result.overlaps)]
    add_layer(m, "overlaps", t("layer_overlaps", lang), feature_collection(
        setup.display.frame(result.overlaps_frame()), overlap_props), style=_OVERLAP)
    order = sorted(enumerate(result.communities), key=lambda item: item[1].ok)
    items = [{"text": c.name, "badge": str(c.errors), "className": "ok" if c.ok else "error",
              "detail": _by_rule(c, lang),
              **({"layer": "communities", "key": f"c{i + 1}"}
                 if geoms[i] is not None and not shapely.is_empty(geoms[i]) else {})}
             for i, c in order]
    Control("panel", {"title": t("layer_audit_communities", lang), "summary": summary,
                      "summaryClass": "ok" if result.ok else "fail", "items": items}).add_to(m)
    legend = [legend_item(t("legend_audit_pass", lang), _PASS, layer="communities",
                          empty=failing == len(result.communities)),
              legend_item(t("legend_audit_fail", lang), _FAIL, layer="communities",
                          empty=failing == 0),
              legend_item(t("layer_overlaps", lang), _OVERLAP, layer="overlaps",
                          empty=not result.overlaps)]
    sections = [{"title": t("legend_result", lang), "items": legend}]
    if context_items:
        sections.append({"title": t("legend_context", lang), "items": context_items})
    return finish(m, sections, lang)

