"""Grids and micro-grids (1+3+N): stored row by row, read back as FeatureCollections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from api.analyses.base import Analysis, Reading, Target, frame_of_rows, insert_frame, run_rows
from api.db.models import Grid, MicroGrid, Run
from api.serialize import rows_collection
from geo.context import Context
from geo.grids import GridPlan, make_grids
from geo.i18n import N_, Lang, t
from geo.proposal import Proposal
from maps.build import MapKind, MapStyle
from maps.grids import grid_map

__all__ = ["GRIDS"]


class GridsAnalysis(Analysis[GridPlan]):
    """Grids and micro-grids."""

    name = "grids"
    label_key = N_("kind_grids")
    map_kind = MapKind.grid

    def run(self, proposal: Proposal, ctx: Context, options: dict[str, Any]) -> GridPlan:
        return make_grids(proposal, ctx, community_code=options.get("community_code"))

    def store(self, target: Target, plan: GridPlan) -> dict[str, Any]:
        grids = insert_frame(target, Grid, plan.grids, lambda p: {"code": p["code"]})
        micro = insert_frame(target, MicroGrid, plan.microgrids,
                             lambda p: {"code": str(p.get("code") or ""),
                                        "grid_code": p.get("grid")})
        return {
            "grids": grids,
            "microgrids": micro,
            "units": plan.units,
            "notes": [{"key": n, **{lang.value: t(n, lang) for lang in Lang}} for n in plan.notes],
        }

    def restore(self, session: Session, run: Run, ctx: Context) -> GridPlan:
        summary = run.result or {}
        return GridPlan(
            grids=frame_of_rows(run_rows(session, run, Grid, Grid.id), ctx),
            microgrids=frame_of_rows(run_rows(session, run, MicroGrid, MicroGrid.id), ctx),
            units=int(summary.get("units", 0)),
            notes=[note["key"] for note in summary.get("notes", [])],
        )

    def present(self, reading: Reading) -> dict[str, Any]:
        session, run = reading.session, reading.run
        return {
            "run": run.id,
            "notes": [note[reading.lang.value] for note in (run.result or {}).get("notes", [])],
            "grids": rows_collection(run_rows(session, run, Grid, Grid.code), reading.crs),
            "microgrids": rows_collection(run_rows(session, run, MicroGrid, MicroGrid.id),
                                          reading.crs),
        }

    def draw(self, plan: GridPlan, proposal: Proposal, ctx: Context,
             style: MapStyle) -> folium.Map:
        return grid_map(plan, ctx, name=proposal.name, **style)

    def layers(self, plan: GridPlan, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        return {"grids": plan.grids, "microgrids": plan.microgrids}

    def show(self, plan: GridPlan, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """Each grid's code, employees, enterprises, area, compactness and capacity used."""
        table = Table(title=t("grids_title", lang, name=proposal.name, count=len(plan.grids),
                                  micro=len(plan.microgrids)))
        for key in (N_("grid_code"), N_("metric_employees"), N_("metric_enterprises"),
                    N_("grid_area"), N_("compactness_pp"), N_("capacity_use")):
            table.add_column(t(key, lang), no_wrap=key == "grid_code")
        grids: Iterable[Any] = plan.grids.itertuples()
        for g in grids:
            table.add_row(g.code, f"{g.employees:,}", str(g.enterprises), f"{g.area_m2 / 1e6:.3f}",
                          f"{g.polsby_popper:.2f}",
                          f"{g.capacity_use:.0%}" + (" ⚠" if g.oversize else ""))
        console.print(table)


GRIDS = GridsAnalysis()
