"""The application package of 001 § 二(一)4(1): every document a town attaches, in one folder.

``build_package`` runs validation, the neighbours' adjustment, grids, the facility search and
the profile on one proposal and writes, into a folder:

- ``validation.txt`` / ``.json`` / ``.geojson``: the 四界清晰 report;
- ``adjustment.csv``: each village's area before, given up and after;
- ``grids.csv`` and ``facility.csv``: the grids and the ranked facility sites with reasons;
- the information table (附件1) as ``.xlsx`` and the profile as ``profile.json``;
- ``community.gpkg``: every layer (proposal, neighbours, given, findings, grids, micro-grids,
  sites) for QGIS;
- ``map_validation.html``, ``map_adjustment.html``, ``map_grids.html``, ``map_facility.html``:
  the current-state and layout maps the application asks for, as pages that open offline;
- ``manifest.json``: what is where, and the headline numbers.

The CLI (``sijie package``) and the service (``…/package``) both call it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
from rich.console import Console

from geo.adjust import Adjustment, adjust
from geo.context import Context
from geo.facility import FacilityResult, explain, find_sites, headline
from geo.grids import GridPlan, make_grids
from geo.i18n import Lang
from geo.io import write_gpkg
from geo.profile import Profile, community_profile
from geo.profile.info_table import InfoExtras, info_rows, write_info_table
from geo.proposal import Proposal
from geo.validate import Report, validate

__all__ = ["INFO_TABLE_NAME", "Package", "build_package", "facility_rows", "info_extras"]

INFO_TABLE_NAME = {Lang.zh: "附件1_新建产业型社区信息表.xlsx", Lang.en: "annex1_information_table.xlsx"}


@dataclass(frozen=True)
class Package:
    """The results behind a package and the files written."""

    report: Report
    adjustment: Adjustment | None
    grids: GridPlan | None
    facility: FacilityResult | None
    profile: Profile | None
    files: list[Path]

    @property
    def ok(self) -> bool:
        return self.report.ok


def facility_rows(result: FacilityResult, ctx: Context, lang: Lang) -> list[dict[str, Any]]:
    """The ranked sites (or near misses) as table rows, each with its reason in words."""
    rules = ctx.rules.facility
    return [{"rank": int(r.rank), "area_m2": round(float(r.area_m2), 1),
             "landuse": r.landuse, "frontage_m": round(float(r.frontage_m), 1),
             "frontage_road": r.frontage_road or "",
             "distance_m": round(float(r.distance_m), 1),
             "qualified": result.qualified, "reason": explain(r, rules, lang.value)}
            for r in result.sites.itertuples()]


def info_extras(grids: GridPlan | None, facility: FacilityResult | None, ctx: Context,
                lang: Lang) -> InfoExtras:
    """What the grids and the best site add to the information table."""
    best = facility.best if facility is not None else None
    return InfoExtras(
        grids=None if grids is None else len(grids.grids),
        microgrids=None if grids is None else len(grids.microgrids),
        site_area_m2=None if best is None else float(best["area_m2"]),
        site_description=None if best is None else explain(best, ctx.rules.facility, lang.value))


def _write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """UTF-8 with a byte-order mark, so Excel shows the Chinese text as is."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return path


def _findings_layers(report: Report, crs: Any) -> dict[str, gpd.GeoDataFrame]:
    """Located findings split by geometry kind (a GeoPackage layer holds one kind)."""
    features = [f for f in report.to_geojson()["features"] if f["geometry"]]
    if not features:
        return {}
    for f in features:
        f["properties"]["measure"] = json.dumps(f["properties"].get("measure"), ensure_ascii=False)
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").to_crs(crs)
    kinds = {"findings_points": ("Point", "MultiPoint"),
             "findings_lines": ("LineString", "MultiLineString"),
             "findings_areas": ("Polygon", "MultiPolygon")}
    layers = {}
    for name, types in kinds.items():
        part = frame[frame.geom_type.isin(types)]
        if len(part):
            layers[name] = part.reset_index(drop=True)
    return layers


def _write_maps(out: Path, report: Report, adjustment: Adjustment, grids: GridPlan,
                facility: FacilityResult, proposal: Proposal, ctx: Context,
                lang: Lang) -> list[Path]:
    """The maps of the application as standalone pages (scripts inlined, no tiles needed)."""
    from maps import adjustment_map, facility_map, grid_map, page_html, validation_map

    pages = {
        "map_validation.html": validation_map(report, proposal, ctx, lang=lang.value),
        "map_adjustment.html": adjustment_map(adjustment, ctx, name=proposal.name, lang=lang.value),
        "map_grids.html": grid_map(grids, ctx, name=proposal.name, lang=lang.value),
        "map_facility.html": facility_map(facility, proposal, ctx, lang=lang.value),
    }
    written = []
    for name, page in pages.items():
        (out / name).write_text(page_html(page), encoding="utf-8")
        written.append(out / name)
    return written


def build_package(proposal: Proposal, ctx: Context, out_dir: str | Path, *, year: int,
                  lang: Lang = Lang.zh, community_code: str | None = None) -> Package:
    """Run every step on ``proposal`` and write the package into ``out_dir``.

    A proposal with errors still gets its report (so the town sees what to fix); the steps that
    need a valid boundary are left out when rule B1 fails.
    """
    from api.report_text import print_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    report = validate(proposal, ctx)
    with (out / "validation.txt").open("w", encoding="utf-8") as handle:
        print_report(report, Console(file=handle, width=120), lang)
    (out / "validation.json").write_text(
        json.dumps(report.to_dict(lang.value), ensure_ascii=False, indent=2) + "\n", "utf-8")
    (out / "validation.geojson").write_text(
        json.dumps(report.to_geojson(lang.value), ensure_ascii=False) + "\n", "utf-8")
    files += [out / "validation.txt", out / "validation.json", out / "validation.geojson"]
    gpkg = out / "community.gpkg"
    gpkg.unlink(missing_ok=True)
    if any(f.rule == "B1" and f.severity == "error" for f in report.findings):
        manifest = {"proposal": proposal.name, "ok": False, "files": [p.name for p in files]}
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        return Package(report, None, None, None, None, files + [out / "manifest.json"])

    adjustment = adjust(proposal, ctx)
    grids = make_grids(proposal, ctx, community_code=community_code)
    facility = find_sites(proposal, ctx)
    profile = community_profile(proposal, ctx, year=year)
    crs = proposal.crs
    layers: dict[str, gpd.GeoDataFrame] = {
        **adjustment.layers(proposal),
        **_findings_layers(report, adjustment.crs),
        "grids": grids.grids, "microgrids": grids.microgrids, "sites": facility.sites,
    }
    for name, frame in layers.items():
        if len(frame):
            write_gpkg(frame.to_crs(crs), gpkg, name)
    files.append(gpkg)
    files.append(_write_csv([{"name": r.name, "area_before_m2": round(r.area_before_m2, 1),
                              "area_given_m2": round(r.area_given_m2, 1),
                              "area_after_m2": round(r.area_after_m2, 1), "valid": r.valid,
                              "contiguous": r.contiguous}
                             for r in adjustment.neighbours.itertuples()], out / "adjustment.csv"))
    grid_columns = ["code", "employees", "enterprises", "area_m2", "polsby_popper", "capacity_use",
                    "oversize"]
    files.append(_write_csv(grids.grids[grid_columns].to_dict("records"), out / "grids.csv"))
    files.append(_write_csv(facility_rows(facility, ctx, lang), out / "facility.csv"))
    extras = info_extras(grids, facility, ctx, lang)
    rows = info_rows(profile, lang.value, extras, minimum_yuan=ctx.rules.funding.minimum_yuan)
    files.append(write_info_table(rows, out / INFO_TABLE_NAME[lang], lang.value))
    files += _write_maps(out, report, adjustment, grids, facility, proposal, ctx, lang)
    (out / "profile.json").write_text(
        json.dumps(profile.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    files.append(out / "profile.json")
    manifest = {"proposal": proposal.name, "ok": report.ok,
                "errors": sum(f.severity == "error" for f in report.findings),
                "area_m2": round(adjustment.area_m2, 1),
                "given_m2": round(adjustment.given_m2, 1),
                "grids": len(grids.grids), "microgrids": len(grids.microgrids),
                "facility": headline(facility, ctx.rules.facility, lang.value),
                "class": profile.community_class, "staff_quota": profile.staff_quota,
                "funding_yuan": profile.funding.total_yuan,
                "files": [p.name for p in files] + ["manifest.json"]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                       "utf-8")
    files.append(out / "manifest.json")
    return Package(report, adjustment, grids, facility, profile, files)
