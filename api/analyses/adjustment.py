"""The neighbours' adjustment: each village's new boundary and the land it gives up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd
import shapely
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from api.analyses.base import Analysis, Reading, Target
from api.db.models import Run
from api.serialize import frame_collection
from geo.adjust import Adjustment, adjust
from geo.context import Context
from geo.i18n import N_, Lang, t
from geo.proposal import Proposal
from maps.adjustment import adjustment_map
from maps.build import MapKind, MapStyle

__all__ = ["ADJUSTMENT"]

# kept in the run to draw its map again; not part of the document clients read
_COMMUNITY = "community"


def _frame(collection: dict[str, Any], ctx: Context) -> gpd.GeoDataFrame:
    features = collection["features"]
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs=ctx.crs)
    return gpd.GeoDataFrame.from_features(features, crs="OGC:CRS84").to_crs(ctx.crs)


class AdjustmentAnalysis(Analysis[Adjustment]):
    """The neighbours' adjustment."""

    name = "adjustment"
    label_key = N_("kind_adjustment")
    map_kind = MapKind.adjustment

    def run(self, proposal: Proposal, ctx: Context, options: dict[str, Any]) -> Adjustment:
        return adjust(proposal, ctx)

    def store(self, target: Target, result: Adjustment) -> dict[str, Any]:
        community = gpd.GeoDataFrame(geometry=[result.proposal], crs=result.crs)
        return {
            "area_m2": round(result.area_m2, 2),
            "given_m2": round(result.given_m2, 2),
            "neighbours": frame_collection(result.neighbours),
            "given": frame_collection(result.given),
            _COMMUNITY: frame_collection(community),
        }

    def restore(self, session: Session, run: Run, ctx: Context) -> Adjustment | None:
        result = run.result or {}
        if _COMMUNITY not in result:  # a run stored before the adjusted community was kept
            return None
        community = _frame(result[_COMMUNITY], ctx).geometry
        return Adjustment(
            proposal=community.iloc[0] if len(community) else shapely.Polygon(),
            neighbours=_frame(result["neighbours"], ctx),
            given=_frame(result["given"], ctx),
            crs=ctx.crs,
        )

    def present(self, reading: Reading) -> dict[str, Any]:
        shown = {k: v for k, v in (reading.run.result or {}).items() if k != _COMMUNITY}
        return {"run": reading.run.id, **shown}

    def draw(self, result: Adjustment, proposal: Proposal, ctx: Context,
             style: MapStyle) -> folium.Map:
        return adjustment_map(result, ctx, name=proposal.name, **style)

    def layers(self, result: Adjustment, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        return result.layers(proposal)

    def show(self, result: Adjustment, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """The neighbours that give up land: how much, what is left, whether it stays whole."""
        table = Table()
        for key in (N_("name"), N_("area_given"), N_("area_after"), N_("valid"),
                    N_("contiguous")):
            table.add_column(t(key, lang))
        neighbours: Iterable[Any] = result.neighbours.itertuples()
        for row in neighbours:
            if row.area_given_m2 > 0.01:
                table.add_row(row.name, f"{row.area_given_m2:,.1f}", f"{row.area_after_m2:,.1f}",
                              t("yes" if row.valid else "no", lang),
                              t("yes" if row.contiguous else "no", lang))
        console.print(table)

    def ok(self, result: Adjustment) -> bool:
        """Every neighbour is left valid and in one piece."""
        return bool(result.neighbours["valid"].all() and result.neighbours["contiguous"].all())


ADJUSTMENT = AdjustmentAnalysis()
