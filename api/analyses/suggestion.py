"""The suggested boundary: the union of road-bounded blocks closest to the version's boundary
that passes B2, B3 and B6 (:mod:`geo.suggest`), kept with the original to show side by side."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from rich.console import Console
from rich.table import Table
from shapely.geometry.base import BaseGeometry

from api.analyses.base import Analysis, Reading, Target
from api.serialize import shape_json
from geo.context import Context
from geo.i18n import N_, Lang, t
from geo.proposal import Proposal
from geo.suggest import KEPT_RULES, Suggestion, suggest

__all__ = ["SUGGESTION", "storage_shapes", "suggestion_document"]

_SHAPES = ("suggested", "original", "added", "removed")


def storage_shapes(result: Suggestion) -> dict[str, BaseGeometry]:
    """The suggestion's shapes (``suggested``, ``original``, ``added``, ``removed``) in the
    storage CRS (lon/lat)."""
    shapes = {"suggested": result.geometry, "original": result.original,
              "added": result.added, "removed": result.removed}
    frame = gpd.GeoSeries(list(shapes.values()), crs=result.crs).to_crs("OGC:CRS84")
    return dict(zip(shapes, frame, strict=True))


def suggestion_document(summary: dict[str, Any], shapes: dict[str, BaseGeometry],
                        crs_uri: str) -> dict[str, Any]:
    """The API document: the summary of ``sijie suggest --format json`` and each shape
    (``suggested``, ``original``, ``added``, ``removed``) as GeoJSON in ``crs_uri``."""
    return {**summary, **{key: shape_json(shapes[key], crs_uri) for key in _SHAPES}}


class SuggestionAnalysis(Analysis[Suggestion]):
    """The suggested boundary."""

    name = "suggestion"
    label_key = N_("kind_suggestion")
    needs_valid_boundary = False

    def run(self, proposal: Proposal, ctx: Context, options: dict[str, Any]) -> Suggestion:
        return suggest(proposal, ctx)

    def store(self, target: Target, result: Suggestion) -> dict[str, Any]:
        return {**result.to_dict(),
                "shapes": {key: shapely.to_wkb(geom, hex=True)
                           for key, geom in storage_shapes(result).items()}}

    def present(self, reading: Reading) -> dict[str, Any]:
        kept = dict(reading.run.result or {})
        stored = kept.pop("shapes")
        shapes = {key: shapely.from_wkb(stored[key]) for key in _SHAPES}
        return {"run": reading.run.id, **suggestion_document(kept, shapes, reading.crs)}

    def layers(self, result: Suggestion, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        """Layer ``suggested``: one feature with the original's name and type (DESIGN.md)."""
        frame = gpd.GeoDataFrame({"name": [proposal.name], "type": [proposal.raw_type or
                                                                   proposal.type]},
                                 geometry=[result.geometry], crs=result.crs)
        return {"suggested": frame}

    def show(self, result: Suggestion, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """Overlap, area, what was added and removed, and each kept rule's verdict."""
        table = Table(show_header=False)
        table.add_column(no_wrap=True)
        table.add_column()
        table.add_row(t("suggest_overlap", lang), f"{result.overlap_iou:.1%}")
        for label, area in ((N_("suggest_area"), result.geometry.area),
                            (N_("suggest_added"), result.added.area),
                            (N_("suggest_removed"), result.removed.area)):
            table.add_row(t(label, lang), f"{area:,.1f} m²")
        table.add_row(t("suggest_blocks", lang), str(len(result.blocks)))
        failed = {f.rule for f in result.errors}
        for rule in KEPT_RULES:
            table.add_row(rule, t("suggest_rule_fails" if rule in failed else "suggest_rule_passes",
                                  lang))
        console.print(table)

    def ok(self, result: Suggestion) -> bool:
        """The suggestion passes B2, B3 and B6."""
        return result.ok


SUGGESTION = SuggestionAnalysis()
