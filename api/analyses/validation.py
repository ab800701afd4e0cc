"""Validation (四界清晰, rules B1–B10): the report in both languages, kept whole enough to
draw its map again without re-running the rules."""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import pyproj
import shapely
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.analyses.base import Analysis, Reading, Target
from api.db.models import Run, ValidationResult, utcnow
from api.geometry import plain
from api.report_text import print_report
from geo.context import Context
from geo.i18n import N_, Lang
from geo.proposal import Proposal
from geo.validate import Finding, NeighbourChange, Report, validate
from maps.build import MapKind, MapStyle
from maps.validation import validation_map

__all__ = ["VALIDATION", "findings_layers"]


def _kept(report: Report) -> dict[str, Any]:
    """The report as JSON that :meth:`ValidationAnalysis.restore` turns back into the same
    report."""
    return {
        "proposal": report.proposal,
        "input_crs": report.input_crs.to_wkt(),
        "work_crs": report.work_crs.to_wkt(),
        "rules_version": report.rules_version,
        "metrics": plain(report.metrics),
        "findings": [
            {"rule": f.rule, "severity": f.severity, "clause": f.clause, "key": f.key,
             "params": plain(f.params), "measure": plain(f.measure),
             "geometry": None if f.geometry is None else shapely.to_wkb(f.geometry, hex=True)}
            for f in report.findings
        ],
        "neighbours": [
            {"name": n.name, "code": n.code, "area_given_m2": n.area_given_m2,
             "area_left_m2": n.area_left_m2, "valid": n.valid, "contiguous": n.contiguous}
            for n in report.neighbours
        ],
    }


def findings_layers(report: Report, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
    """Located findings split by geometry kind (a GeoPackage layer holds one kind)."""
    features = [f for f in report.to_geojson()["features"] if f["geometry"]]
    if not features:
        return {}
    for f in features:
        f["properties"]["measure"] = json.dumps(f["properties"].get("measure"), ensure_ascii=False)
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").to_crs(report.work_crs)
    kinds = {"findings_points": ("Point", "MultiPoint"),
             "findings_lines": ("LineString", "MultiLineString"),
             "findings_areas": ("Polygon", "MultiPolygon")}
    layers = {}
    for name, types in kinds.items():
        part = frame[frame.geom_type.isin(types)]
        if len(part):
            layers[name] = part.reset_index(drop=True)
    return layers


class ValidationAnalysis(Analysis[Report]):
    """Validation, rules B1–B10: the report."""

    name = "validation"
    label_key = N_("kind_validation")
    map_kind = MapKind.validation
    needs_valid_boundary = False

    def run(self, proposal: Proposal, ctx: Context, options: dict[str, Any]) -> Report:
        return validate(proposal, ctx)

    def store(self, target: Target, report: Report) -> dict[str, Any]:
        crs = pyproj.CRS.from_user_input(target.version.input_crs)
        target.session.add(
            ValidationResult(
                run_id=target.run.id,
                version_id=target.version.id,
                ok=report.ok,
                rules_version=report.rules_version,
                report_zh=plain(report.to_dict("zh", crs=crs)),
                report_en=plain(report.to_dict("en", crs=crs)),
                created_at=utcnow(),
            )
        )
        return {
            "ok": report.ok,
            "errors": sum(f.severity == "error" for f in report.findings),
            "findings": len(report.findings),
            "report": _kept(report),
        }

    def restore(self, session: Session, run: Run, ctx: Context) -> Report | None:
        kept = (run.result or {}).get("report")
        if kept is None:  # a run stored before reports were kept whole
            return None
        return Report(
            proposal=kept["proposal"],
            input_crs=pyproj.CRS.from_wkt(kept["input_crs"]),
            work_crs=pyproj.CRS.from_wkt(kept["work_crs"]),
            rules_version=kept["rules_version"],
            metrics=kept["metrics"],
            findings=[
                Finding(rule=f["rule"], severity=f["severity"], clause=f["clause"], key=f["key"],
                        params=f["params"], measure=f["measure"],
                        geometry=None if f["geometry"] is None else shapely.from_wkb(f["geometry"]))
                for f in kept["findings"]
            ],
            neighbours=[NeighbourChange(**n) for n in kept["neighbours"]],
        )

    def present(self, reading: Reading) -> dict[str, Any]:
        row = reading.session.scalar(
            select(ValidationResult).where(ValidationResult.run_id == reading.run.id)
        )
        assert row is not None, f"validation run {reading.run.id} without its report"
        return row.report_en if reading.lang == Lang.en else row.report_zh

    def draw(self, report: Report, proposal: Proposal, ctx: Context, style: MapStyle) -> folium.Map:
        return validation_map(report, proposal, ctx, **style)

    def layers(self, report: Report, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        return findings_layers(report, proposal)

    def show(self, report: Report, proposal: Proposal, ctx: Context, console: Console,
             lang: Lang) -> None:
        print_report(report, console, lang)

    def ok(self, report: Report) -> bool:
        return report.ok


VALIDATION = ValidationAnalysis()
