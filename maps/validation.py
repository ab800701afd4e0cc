"""The validation map: the proposal, its surroundings and every finding drawn where it is."""

from __future__ import annotations

from typing import Any

import folium
import shapely

from geo.context import Context
from geo.i18n import Text, t
from geo.proposal import Proposal
from geo.validate import ERROR, INFO, WARNING, Report
from maps.base import STYLES, MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection
from maps.elements import Control, add_layer
from maps.labels import measure_text

__all__ = ["validation_map"]

_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


def _finding_popup(finding: Any, lang: str) -> dict[str, Any]:
    severity = t(finding.severity, lang)
    rows = [[t("rule", lang), finding.rule], [t("severity", lang), severity],
            [t("clause", lang), finding.clause]]
    if finding.measure:
        rows.append([t("measure", lang), measure_text(finding.measure, lang)])
    return {"title": f"{finding.rule} · {severity}", "rows": rows,
            "note": finding.message(lang)}


def validation_map(report: Report, proposal: Proposal, ctx: Context, *, lang: str = "zh",
                   basemap: Basemap | str = Basemap.plain, tianditu_token: str | None = None
                   ) -> folium.Map:
    """The proposal, neighbours, roads, rivers and ridges, and each finding where it is.

    Uncovered edge stretches, slivers, disjoint parts and cut parcels are coloured by severity
    (error red, warning orange, note blue); every finding opens a popup with its rule, clause,
    message and measured values, and the side panel lists them all (click to locate).
    """
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    geom = proposal.to_crs(ctx.crs)
    frame = geom if geom is not None and not geom.is_empty else ctx.town
    verdict = (t("verdict_ok", lang) if report.ok else t(
        "verdict_errors", lang, errors=sum(f.severity == ERROR for f in report.findings),
        warnings=sum(f.severity == WARNING for f in report.findings)))
    m = new_map(setup, frame, ctx.crs, title=t("title_validation", lang), subtitle=proposal.name)
    context_items = add_context(m, ctx, setup, frame)
    if geom is not None and not geom.is_empty:
        data = feature_collection(setup.display.geometries([geom], ctx.crs),
                                  [{"key": "proposal", "tooltip": proposal.name}])
        add_layer(m, "proposal", t("layer_proposal", lang), data, style=STYLES["proposal"])
    findings = sorted(enumerate(report.findings), key=lambda item: _ORDER.get(item[1].severity, 3))
    geoms = setup.display.geometries([f.geometry for _, f in findings], report.work_crs)
    props = [{"key": f"f{i + 1}", "tooltip": f"{f.rule} {f.message(lang)}",
              "popup": _finding_popup(f, lang), "style": STYLES.get(f.severity, STYLES[INFO])}
             for i, f in findings]
    add_layer(m, "findings", t("layer_findings", lang), feature_collection(geoms, props))
    items = []
    for (i, f), g in zip(findings, geoms, strict=True):
        located = g is not None and not shapely.is_empty(g)
        items.append({"text": f.message(lang), "badge": f.rule, "className": f.severity,
                      "detail": f"{t(f.severity, lang)} · {f.clause}"
                                + ("" if located else " " + t("no_location", lang)),
                      **({"layer": "findings", "key": f"f{i + 1}"} if located else {})})
    Control("panel", {"title": t("layer_findings", lang),
                      "summary": verdict, "summaryClass": "ok" if report.ok else "fail",
                      "items": items}).add_to(m)
    result = [legend_item(t("layer_proposal", lang), STYLES["proposal"], layer="proposal")]
    drawn = {f.severity for (_, f), g in zip(findings, geoms, strict=True)
             if g is not None and not shapely.is_empty(g)}
    result += [legend_item(t("legend_finding", lang, severity=Text(s)), STYLES[s], "line",
                           layer="findings", match=("color", "weight", "dashArray"),
                           empty=s not in drawn)
               for s in (ERROR, WARNING, INFO)]
    return finish(m, [{"title": t("legend_result", lang), "items": result},
                      {"title": t("legend_context", lang), "items": context_items}], lang)
