"""Facility land: the ranked 3,000–5,000 m² sites for the service centre, or the near misses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from api.analyses.base import Analysis, Reading, Target, frame_of_rows, insert_frame, run_rows
from api.db.models import FacilitySite, Run
from api.serialize import rows_collection
from geo.context import Context
from geo.facility import FacilityResult, explain, find_sites, headline
from geo.i18n import N_, Lang, Text, t
from geo.proposal import Proposal
from maps.build import MapKind, MapStyle
from maps.facility import facility_map

__all__ = ["FACILITY", "facility_rows"]


def _sites(session: Session, run: Run) -> Any:
    return run_rows(session, run, FacilitySite, FacilitySite.rank, FacilitySite.id)


def facility_rows(result: FacilityResult, ctx: Context, lang: Lang) -> list[dict[str, Any]]:
    """The ranked sites (or near misses) as table rows, each with its reason in words."""
    rules = ctx.rules.facility
    sites: Iterable[Any] = result.sites.itertuples()
    return [{"rank": int(r.rank), "area_m2": round(float(r.area_m2), 1),
             "landuse": r.landuse, "frontage_m": round(float(r.frontage_m), 1),
             "frontage_road": r.frontage_road or "",
             "distance_m": round(float(r.distance_m), 1),
             "qualified": result.qualified, "reason": explain(r, rules, lang.value)}
            for r in sites]


# land-use classes and parcel kinds as the reader calls them
_LANDUSE = {
    "vacant": N_("lu_vacant"),
    "to_consolidate": N_("lu_to_consolidate"),
    "public": N_("lu_public"),
    "industrial": N_("lu_industrial"),
    "office": N_("lu_office"),
    "commercial": N_("lu_commercial"),
    "residential": N_("lu_residential"),
    "green": N_("lu_green"),
    "farmland_protected": N_("lu_farmland_protected"),
    "ecological_redline": N_("lu_ecological_redline"),
    "road": N_("lu_road"),
    "water": N_("lu_water"),
    "enterprise": N_("lu_enterprise"),
    "park": N_("lu_park"),
}


def _landuse(name: str, lang: Lang) -> str:
    """A land-use class as the reader calls it; an unknown class as given."""
    return t(_LANDUSE[name], lang) if name in _LANDUSE else name


class FacilityAnalysis(Analysis[FacilityResult]):
    """Facility land for the service centre."""

    name = "facility"
    label_key = N_("kind_facility")
    map_kind = MapKind.facility

    def run(self, proposal: Proposal, ctx: Context, options: dict[str, Any]) -> FacilityResult:
        return find_sites(proposal, ctx)

    def store(self, target: Target, result: FacilityResult) -> dict[str, Any]:
        sites = insert_frame(target, FacilitySite, result.sites,
                             lambda p: {"rank": int(p.get("rank") or 0),
                                        "qualified": result.qualified})
        return {
            "qualified": result.qualified,
            "sites": sites,
            "largest_available_m2": round(result.largest_available_m2, 1),
        }

    def restore(self, session: Session, run: Run, ctx: Context) -> FacilityResult:
        summary = run.result or {}
        return FacilityResult(
            sites=frame_of_rows(_sites(session, run), ctx),
            qualified=bool(summary.get("qualified")),
            largest_available_m2=float(summary.get("largest_available_m2") or 0.0),
        )

    def present(self, reading: Reading) -> dict[str, Any]:
        run = reading.run
        summary = run.result or {}
        return {
            "run": run.id,
            "qualified": summary["qualified"],
            "largest_available_m2": summary["largest_available_m2"],
            "sites": rows_collection(_sites(reading.session, run), reading.crs),
        }

    def draw(self, result: FacilityResult, proposal: Proposal, ctx: Context,
             style: MapStyle) -> folium.Map:
        return facility_map(result, proposal, ctx, **style)

    def layers(self, result: FacilityResult, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        return {"sites": result.sites}

    def show(self, result: FacilityResult, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        """The headline, the ranked sites (or near misses) and why each ranks or fails."""
        console.print(headline(result, ctx.rules.facility, lang.value), highlight=False)
        table = Table()
        for key in (N_("rank"), N_("site_area"), N_("landuse"), N_("frontage_m"), N_("road"),
                    N_("distance_weighted")):
            table.add_column(t(key, lang))
        rows = facility_rows(result, ctx, lang)
        for row in rows:
            table.add_row(str(row["rank"]), f"{row['area_m2']:,.0f}",
                          _landuse(row["landuse"], lang), f"{row['frontage_m']:,.0f}",
                          row["frontage_road"], f"{row['distance_m']:,.0f}")
        console.print(table)
        console.print(t("heading", lang, label=Text("reason" if result.qualified else "fails")))
        for row in rows:
            console.print(f"  {row['rank']}. {row['reason']}", highlight=False)

    def ok(self, result: FacilityResult) -> bool:
        """A site qualifies."""
        return result.qualified


FACILITY = FacilityAnalysis()
