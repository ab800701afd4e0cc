"""The application package of 001 § 二(一)4(1): every document a town attaches, in one folder.

``build_package`` runs each analysis of :mod:`api.analyses` (validation, the neighbours'
adjustment, grids, the facility search and the profile) once on one proposal and writes, into a
folder:

- ``validation.txt`` / ``.json`` / ``.geojson``: the 四界清晰 report;
- ``adjustment.csv``: each village's area before, given up and after;
- ``grids.csv`` and ``facility.csv``: the grids and the ranked facility sites with reasons;
- the information table (附件1) as ``.xlsx`` and the profile as ``profile.json``;
- ``community.gpkg``: every layer (proposal, neighbours, given, findings, grids, micro-grids,
  sites) for QGIS;
- ``map_validation.html``, ``map_adjustment.html``, ``map_grids.html``, ``map_facility.html``:
  the current-state and layout maps the application asks for, as pages that open offline;
- ``manifest.json``: what is where, and the headline numbers.

The CLI (``sijie package``) and the service (``…/package``) both run it as the analysis
:data:`PACKAGE`.
"""

from __future__ import annotations

import csv
import json
import shutil
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from api.analyses.adjustment import ADJUSTMENT
from api.analyses.base import Analysis, Options, Reading, Target, query_year
from api.analyses.facility import FACILITY, facility_rows
from api.analyses.grids import GRIDS
from api.analyses.profile import PROFILE
from api.analyses.validation import VALIDATION
from api.db.models import Run
from geo.adjust import Adjustment
from geo.context import Context
from geo.facility import FacilityResult, explain, headline
from geo.grids import GridPlan
from geo.i18n import N_, Lang
from geo.io import write_gpkg
from geo.profile import Profile
from geo.profile.info_table import InfoExtras, info_rows, write_info_table
from geo.proposal import Proposal
from geo.validate import Report
from maps.assets import page_html
from maps.basemaps import Basemap
from maps.build import MapStyle

__all__ = ["INFO_TABLE_NAME", "PACKAGE", "Package", "build_package", "facility_rows", "info_extras"]

INFO_TABLE_NAME = {Lang.zh: "附件1_新建产业型社区信息表.xlsx",
                   Lang.en: "annex1_information_table.xlsx"}


@dataclass(frozen=True)
class Package:
    """The results behind a package and the files written (into ``folder``, in ``lang``)."""

    report: Report
    adjustment: Adjustment | None
    grids: GridPlan | None
    facility: FacilityResult | None
    profile: Profile | None
    files: list[Path]
    folder: Path
    lang: Lang = Lang.zh

    @property
    def ok(self) -> bool:
        return self.report.ok


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


def _write_json(document: Any, path: Path, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=indent) + "\n", "utf-8")
    return path


def _write_layers_and_maps(out: Path, results: list[tuple[Analysis[Any], Any]],
                           proposal: Proposal, ctx: Context, lang: Lang) -> list[Path]:
    """``community.gpkg`` (every analysis's layers, in the proposal's CRS) and each analysis's
    map as a standalone page (scripts inlined, no tiles needed)."""
    gpkg = out / "community.gpkg"
    for entry, result in results:
        for name, frame in entry.layers(result, proposal).items():
            if len(frame):
                write_gpkg(frame.to_crs(proposal.crs), gpkg, name)
    written = [gpkg]
    style: MapStyle = {"lang": lang.value, "basemap": Basemap.plain, "tianditu_token": None}
    for entry, result in results:
        page = entry.draw(result, proposal, ctx, style)
        if page is not None:
            path = out / f"map_{entry.name}.html"
            path.write_text(page_html(page), encoding="utf-8")
            written.append(path)
    return written


def build_package(proposal: Proposal, ctx: Context, out_dir: str | Path, *, year: int,
                  lang: Lang = Lang.zh, community_code: str | None = None) -> Package:
    """Run every analysis once on ``proposal`` and write the package into ``out_dir``.

    A proposal with errors still gets its report (so the town sees what to fix); the analyses
    that need a valid boundary are left out when rule B1 fails.
    """
    from api.report_text import print_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options: Options = {"year": year, "community_code": community_code}
    report = VALIDATION.run(proposal, ctx, options)
    with (out / "validation.txt").open("w", encoding="utf-8") as handle:
        print_report(report, Console(file=handle, width=120), lang)
    files = [out / "validation.txt",
             _write_json(report.to_dict(lang.value), out / "validation.json"),
             _write_json(report.to_geojson(lang.value), out / "validation.geojson", indent=None)]
    (out / "community.gpkg").unlink(missing_ok=True)
    if any(f.rule == "B1" and f.severity == "error" for f in report.findings):
        manifest = {"proposal": proposal.name, "ok": False, "files": [p.name for p in files]}
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                           "utf-8")
        return Package(report, None, None, None, None, [*files, out / "manifest.json"], out, lang)

    adjustment = ADJUSTMENT.run(proposal, ctx, options)
    grids = GRIDS.run(proposal, ctx, options)
    facility = FACILITY.run(proposal, ctx, options)
    profile = PROFILE.run(proposal, ctx, options)
    results: list[tuple[Analysis[Any], Any]] = [
        (VALIDATION, report), (ADJUSTMENT, adjustment), (GRIDS, grids), (FACILITY, facility),
        (PROFILE, profile)]
    maps = _write_layers_and_maps(out, results, proposal, ctx, lang)
    files.append(maps[0])
    neighbours: Iterable[Any] = adjustment.neighbours.itertuples()
    files.append(_write_csv([{"name": r.name, "area_before_m2": round(r.area_before_m2, 1),
                              "area_given_m2": round(r.area_given_m2, 1),
                              "area_after_m2": round(r.area_after_m2, 1), "valid": r.valid,
                              "contiguous": r.contiguous}
                             for r in neighbours], out / "adjustment.csv"))
    grid_columns = ["code", "employees", "enterprises", "area_m2", "polsby_popper", "capacity_use",
                    "oversize"]
    grid_rows = [{str(k): v for k, v in row.items()}
                 for row in grids.grids[grid_columns].to_dict("records")]
    files.append(_write_csv(grid_rows, out / "grids.csv"))
    files.append(_write_csv(facility_rows(facility, ctx, lang), out / "facility.csv"))
    extras = info_extras(grids, facility, ctx, lang)
    rows = info_rows(profile, lang.value, extras, minimum_yuan=ctx.rules.funding.minimum_yuan)
    files.append(write_info_table(rows, out / INFO_TABLE_NAME[lang], lang.value))
    files += maps[1:]
    files.append(_write_json(profile.to_dict(), out / "profile.json"))
    manifest = {"proposal": proposal.name, "ok": report.ok,
                "errors": sum(f.severity == "error" for f in report.findings),
                "area_m2": round(adjustment.area_m2, 1),
                "given_m2": round(adjustment.given_m2, 1),
                "grids": len(grids.grids), "microgrids": len(grids.microgrids),
                "facility": headline(facility, ctx.rules.facility, lang.value),
                "class": profile.community_class, "staff_quota": profile.staff_quota,
                "funding_yuan": profile.funding.total_yuan,
                "files": [p.name for p in files] + ["manifest.json"]}
    files.append(_write_json(manifest, out / "manifest.json"))
    return Package(report, adjustment, grids, facility, profile, files, out, lang)


class PackageAnalysis(Analysis[Package]):
    """The delivery package: every analysis's files, zipped."""

    name = "package"
    label_key = N_("kind_package")

    def run(self, proposal: Proposal, ctx: Context, options: Options) -> Package:
        return build_package(proposal, ctx, options["out_dir"], year=options["year"],
                             lang=Lang(options.get("lang", "zh")),
                             community_code=options.get("community_code"))

    def options(self, params: Mapping[str, str], lang: Lang, upload_dir: Path) -> Options:
        # each run writes into a folder of its own, zipped beside it when stored
        out_dir = upload_dir / "packages" / uuid.uuid4().hex
        return {"year": query_year(params), "lang": lang.value, "out_dir": str(out_dir)}

    def store(self, target: Target, package: Package) -> dict[str, Any]:
        archive = package.folder.parent / f"{target.run.id}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in package.files:
                bundle.write(path, arcname=path.name)
        shutil.rmtree(package.folder, ignore_errors=True)
        return {"ok": package.ok, "files": [p.name for p in package.files],
                "lang": package.lang.value, "archive": archive.name}

    def present(self, reading: Reading) -> dict[str, Any]:
        run = reading.run
        summary = run.result or {}
        return {"run": run.id, "ok": summary["ok"], "files": summary["files"],
                "download": f"/proposals/{run.proposal_id}/versions/{reading.version}/package"}

    def ok(self, package: Package) -> bool:
        return package.ok

    def download(self, run: Run, upload_dir: Path) -> Path:
        return upload_dir / "packages" / (run.result or {})["archive"]


PACKAGE = PackageAnalysis()
