"""The adjustment map: each neighbour before and after, and the land each one gives up."""

from __future__ import annotations

from typing import Any

import folium
import numpy as np

from geo.adjust import Adjustment
from geo.context import Context
from geo.i18n import Text, t
from geo.palette import ADJUSTED, BEFORE, BROKEN, GIVEN
from maps.base import STYLES, MapSetup, add_context, finish, legend_item, new_map
from maps.basemaps import Basemap
from maps.display import feature_collection, rows
from maps.elements import add_layer
from maps.labels import area

__all__ = ["adjustment_map"]

_BEFORE, _AFTER, _GIVEN = BEFORE, ADJUSTED, GIVEN
_BROKEN = BROKEN  # a neighbour left invalid or in pieces


def _yes(value: Any, lang: str) -> str:
    return t("yes" if bool(value) else "no", lang)


def adjustment_map(adjustment: Adjustment, ctx: Context, *, name: str = "",
                   lang: str = "zh", basemap: Basemap | str = Basemap.plain,
                   tianditu_token: str | None = None) -> folium.Map:
    """Neighbours before (dashed) and after (green; red if left invalid or in pieces), the
    area each gives up (orange, with its size) and the adjusted community, each a layer that
    can be switched on and off. ``name`` is the community's name for the title."""
    setup = MapSetup.of(lang=lang, basemap=basemap, tianditu_token=tianditu_token)
    display = setup.display
    crs = adjustment.crs
    m = new_map(setup, adjustment.proposal, crs, title=t("title_adjustment", lang),
                subtitle=name or None)
    # the neighbours are drawn before and after below, not as context
    context_items = add_context(m, ctx, setup, adjustment.proposal,
                                layers=("water", "terrain", "roads"))
    touched_at = np.flatnonzero(adjustment.neighbours["area_given_m2"].to_numpy() > 0.01)
    touched = adjustment.neighbours.iloc[touched_at]
    popups = []
    for row in rows(touched):
        popups.append({"title": str(row.name), "rows": [
            [t("code", lang), str(row.code)],
            [t("area_before", lang), area(row.area_before_m2)],
            [t("area_after", lang), area(row.area_after_m2)],
            [t("area_given", lang), area(row.area_given_m2)],
            [t("valid", lang), _yes(row.valid, lang)],
            [t("contiguous", lang), _yes(row.contiguous, lang)]]})
    # adjust() keeps the context's row order: row i after is row i before
    before = ctx.require("neighbours").geometry.values[touched_at]
    add_layer(m, "before", t("layer_before", lang), feature_collection(
        display.geometries(before, ctx.crs),
        [{"key": f"b{i}", "tooltip": str(n)} for i, n in enumerate(touched["name"])]),
        style=_BEFORE)
    ok = (touched["valid"].astype(bool) & touched["contiguous"].astype(bool)).to_numpy()
    add_layer(m, "after", t("layer_after", lang), feature_collection(
        display.geometries(touched.geometry.values, crs),
        [{"key": f"a{i}", "popup": p, "tooltip": p["title"], **({} if good else {"style": _BROKEN})}
         for i, (p, good) in enumerate(zip(popups, ok, strict=True))]), style=_AFTER)
    given = adjustment.given
    add_layer(m, "given", t("layer_given", lang), feature_collection(
        display.geometries(given.geometry.values, crs),
        [{"key": f"g{i}", "tooltip": t("given_by", lang, name=n) + f" {area(a)} ㎡",
          "popup": {"title": t("given_by", lang, name=n),
                    "rows": [[t("area_given", lang), area(a)]]}}
         for i, (n, a) in enumerate(zip(given["name"], given["area_given_m2"], strict=True))]),
        style=_GIVEN)
    community = {**STYLES["proposal"], "fillOpacity": 0.0}
    add_layer(m, "proposal", t("layer_community", lang), feature_collection(
        display.geometries([adjustment.proposal], crs),
        [{"key": "proposal", "tooltip": name or t("layer_community", lang),
          "popup": {"title": name or t("layer_community", lang),
                    "rows": [[t("area_m2", lang), area(adjustment.area_m2)],
                             [t("area_given", lang), area(adjustment.given_m2)]]}}]),
        style=community)
    result = [legend_item(t("layer_community", lang), community, layer="proposal"),
              legend_item(t("layer_before", lang), _BEFORE, "line", layer="before"),
              legend_item(t("layer_after", lang), _AFTER, layer="after",
                          empty=not np.any(ok)),
              legend_item(t("layer_given", lang), _GIVEN, layer="given")]
    if not np.all(ok):
        broken = t("legend_after_broken", lang, after=Text("layer_after"), valid=Text("valid"),
                   contiguous=Text("contiguous"), no=Text("no"))
        result.append(legend_item(broken, {**_AFTER, **_BROKEN}, layer="after"))
    return finish(m, [{"title": t("legend_result", lang), "items": result},
                      {"title": t("legend_context", lang), "items": context_items}], lang)
