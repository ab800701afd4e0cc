"""The application package of 001 § 二(一)4(1): every document a town attaches, in one folder.

``build_package`` runs each analysis of :mod:`api.analyses` (validation, the neighbours'
adjustment, grids, the facility search and the profile) once on one proposal and writes, into a
folder:

- ``validation.txt`` / ``.json`` / ``.geojson``: the 四界清晰 report;
- ``adjustment.csv``: each village's area before, given up and after;
- ``grids.csv`` and ``facility.csv``: the grids and the ranked facility sites with reasons;
- the plan (方案) as ``.docx``, written from the data, with both maps;
- the information table (附件1) as ``.docx`` (the form) and ``.xlsx`` (numbers as numeric
  cells, the enterprises on a second sheet, set up to print), and the profile with the
  application's facts as ``profile.json``;
- the 现状图 and 布局图 as print-ready ``.pdf`` (A3, fonts embedded) and ``.png``;
- ``community.gpkg``: every layer (proposal, neighbours, given, findings, grids, micro-grids,
  sites) for QGIS;
- ``map_validation.html``, ``map_adjustment.html``, ``map_grids.html``, ``map_facility.html``:
  the same results as pages that open offline;
- through the service, 附件2 (审核建议, from the departments' opinions, when there are any)
  and 附件3 (请示, from the workflow record);
- ``manifest.json``: what is where, and the headline numbers.

Options (the command line's ``--year``, ``--party-members``, ``--live-work-share``,
``--applicant``, ``--contact``, ``--date``, ``--centre-name``, ``--code``; the service's query
parameters of the same names with ``_``): the funding year, the party members (which set the
party organisation and its funds), the live-work share of the class index, and the facts of
附件1 only the town knows.

The CLI (``sijie package``) and the service (``…/package``) both run it as the analysis
:data:`PACKAGE`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.analyses.adjustment import ADJUSTMENT
from api.analyses.base import Analysis, Options, Reading, Target, query_year
from api.analyses.facility import FACILITY, facility_rows
from api.analyses.grids import GRIDS
from api.analyses.profile import PROFILE
from api.analyses.validation import VALIDATION
from api.db.models import Opinion, ReviewCondition, Run, User, WorkflowEvent
from api.printing import Printing, layout_content, print_map
from geo.adjust import Adjustment
from geo.context import Context
from geo.dates import today
from geo.documents import GridRow, NeighbourRow, PlanFacts, write_annex1, write_plan
from geo.facility import FacilityResult, explain, headline
from geo.grids import GridPlan
from geo.i18n import N_, Lang
from geo.io import write_gpkg
from geo.profile import Profile
from geo.profile.application import Application, application_facts
from geo.profile.info_table import InfoExtras, info_fields, write_info_table
from geo.proposal import Proposal
from geo.validate import Report
from maps.assets import page_html
from maps.basemaps import Basemap
from maps.build import MapStyle
from maps.printed import LayoutContent, PrintFormat, PrintKind

__all__ = ["INFO_TABLE_NAME", "PACKAGE", "Package", "build_package", "facility_rows", "info_extras"]

INFO_TABLE_NAME = {Lang.zh: "附件1_新建产业型社区信息表.xlsx",
                   Lang.en: "annex1_information_table.xlsx"}
#: the documents' file names, as the application names them
FILE_NAMES = {
    Lang.zh: {"plan": "方案.docx", "annex1": "附件1_新建产业型社区信息表.docx",
              "annex2": "附件2_审核建议.docx", "annex3": "附件3_请示.docx",
              "status": "现状图", "layout": "布局图"},
    Lang.en: {"plan": "plan.docx", "annex1": "annex1_information_table.docx",
              "annex2": "annex2_review_opinions.docx", "annex3": "annex3_request.docx",
              "status": "status_map", "layout": "layout_map"},
}


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
    application: Application | None = None

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
                write_gpkg(frame.to_crs(proposal.crs), gpkg, name, lang=lang)
    written = [gpkg]
    style: MapStyle = {"lang": lang.value, "basemap": Basemap.plain, "tianditu_token": None}
    for entry, result in results:
        page = entry.draw(result, proposal, ctx, style)
        if page is not None:
            path = out / f"map_{entry.name}.html"
            path.write_text(page_html(page), encoding="utf-8")
            written.append(path)
    return written


def _write_sheets(out: Path, proposal: Proposal, ctx: Context, lang: Lang,
                  application: Application, layout: LayoutContent,
                  names: dict[str, str]) -> dict[str, dict[str, Path]]:
    """The 现状图 and 布局图 as A3 PDF and PNG; their paths by kind and format."""
    printing = Printing(lang=lang, date=application.date)
    written: dict[str, dict[str, Path]] = {}
    for kind in PrintKind:
        written[kind.name] = {}
        for fmt in PrintFormat:
            path = out / f"{names[kind.name]}.{fmt.value}"
            path.write_bytes(print_map(kind, proposal, ctx, fmt, printing,
                                       application=application, layout=layout))
            written[kind.name][fmt.value] = path
    return written


def plan_facts(adjustment: Adjustment, grids: GridPlan, extras: InfoExtras,
               sheets: dict[str, dict[str, Path]]) -> PlanFacts:
    """What the plan says beyond the profile: the neighbours' table, the grids, the site,
    the maps (PNG)."""
    n = adjustment.neighbours
    given = n[n["area_given_m2"] >= 1.0].sort_values("area_given_m2", ascending=False)
    g = grids.grids
    return PlanFacts(
        neighbours=[NeighbourRow(str(a), float(b), float(c), float(d)) for a, b, c, d in
                    zip(given["name"], given["area_before_m2"], given["area_given_m2"],
                        given["area_after_m2"], strict=True)],
        grids=[GridRow(str(a), int(b), int(c), float(d)) for a, b, c, d in
               zip(g["code"], g["employees"], g["enterprises"], g["area_m2"], strict=True)],
        microgrids=len(grids.microgrids), site_area_m2=extras.site_area_m2,
        site_description=extras.site_description,
        maps={kind: paths["png"] for kind, paths in sheets.items()})


def build_package(proposal: Proposal, ctx: Context, out_dir: str | Path, *, year: int,
                  lang: Lang = Lang.zh, community_code: str | None = None,
                  party_members: int | None = None, live_work_share: float | None = None,
                  applicant: str | None = None, contact: str | None = None,
                  date: dt.date | None = None, centre_name: str | None = None) -> Package:
    """Run every analysis once on ``proposal`` and write the package into ``out_dir``.

    A proposal with errors still gets its report (so the town sees what to fix); the analyses
    that need a valid boundary are left out when rule B1 fails.
    """
    from api.report_text import print_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options: Options = {"year": year, "community_code": community_code,
                        "party_members": party_members, "live_work_share": live_work_share}
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
    application = application_facts(
        proposal.name, adjustment.proposal, ctx, date=date or today(),
        community_code=community_code, applicant=applicant, contact=contact,
        centre_name=centre_name or proposal.centre_name)
    names = FILE_NAMES[lang]
    sheets = _write_sheets(out, proposal, ctx, lang, application,
                           layout_content(adjustment, grids, facility, application,
                                          profile.four_sides), names)
    fields = info_fields(profile, lang.value, extras, application=application,
                         minimum_yuan=ctx.rules.funding.minimum_yuan)
    files.append(write_plan(out / names["plan"], profile, application,
                            plan_facts(adjustment, grids, extras, sheets), lang.value))
    files.append(write_annex1(out / names["annex1"], fields, application, lang.value))
    files.append(write_info_table(fields, out / INFO_TABLE_NAME[lang], lang.value, application))
    files += [sheets[k][f] for k in ("status", "layout") for f in ("pdf", "png")]
    files += maps[1:]
    files.append(_write_json(profile.to_dict() | {"application": application.to_dict()},
                             out / "profile.json"))
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
    return Package(report, adjustment, grids, facility, profile, files, out, lang, application)


def _day(value: str | dt.date | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def write_review_annexes(session: Session, proposal_id: int, package: Package) -> list[Path]:
    """附件2 from the departments' opinions (when there are any) and 附件3 from the workflow
    record, written into the package's folder; the files written."""
    from geo.documents import Opinion as OpinionRow
    from geo.documents import Step, write_annex2, write_annex3

    assert package.profile is not None and package.application is not None
    names, lang = FILE_NAMES[package.lang], package.lang.value
    opinions = session.execute(
        select(Opinion, User).join(User, User.id == Opinion.author_id)
        .where(Opinion.proposal_id == proposal_id).order_by(Opinion.id)).all()
    events = session.execute(
        select(WorkflowEvent, User).join(User, User.id == WorkflowEvent.actor_id)
        .where(WorkflowEvent.proposal_id == proposal_id).order_by(WorkflowEvent.seq)).all()
    conditions: dict[int, list[str]] = {}
    for c in session.scalars(select(ReviewCondition).where(
            ReviewCondition.proposal_id == proposal_id).order_by(ReviewCondition.id)):
        conditions.setdefault(c.opinion_id, []).append(c.text)
    written = []
    if opinions:
        rows = [OpinionRow(o.department, o.verdict, o.text, u.display_name or u.username,
                           o.created_at, tuple(conditions.get(o.id, ()))) for o, u in opinions]
        written.append(write_annex2(package.folder / names["annex2"], package.profile.name,
                                    rows, lang))
    steps = [Step(e.created_at, e.action, e.to_state, u.display_name or u.username, e.reason)
             for e, u in events]
    written.append(write_annex3(package.folder / names["annex3"], package.profile,
                                package.application, steps, lang))
    return written


class PackageAnalysis(Analysis[Package]):
    """The delivery package: every analysis's files, zipped."""

    name = "package"
    label_key = N_("kind_package")

    def run(self, proposal: Proposal, ctx: Context, options: Options) -> Package:
        return build_package(proposal, ctx, options["out_dir"], year=options["year"],
                             lang=Lang(options.get("lang", "zh")),
                             community_code=options.get("community_code"),
                             party_members=options.get("party_members"),
                             live_work_share=options.get("live_work_share"),
                             applicant=options.get("applicant"), contact=options.get("contact"),
                             date=_day(options.get("date")),
                             centre_name=options.get("centre_name"))

    def options(self, params: Mapping[str, str], lang: Lang, upload_dir: Path) -> Options:
        """``year``, ``party_members``, ``live_work_share``, ``code``, ``applicant``,
        ``contact``, ``date`` (YYYY-MM-DD) and ``centre_name`` from the query (ValueError on a
        malformed one)."""
        # each run writes into a folder of its own, zipped beside it when stored
        out_dir = upload_dir / "packages" / uuid.uuid4().hex
        members, share = params.get("party_members"), params.get("live_work_share")
        if members is not None and int(members) < 0:
            raise ValueError(f"party_members must be 0 or more, got {members}")
        if share is not None and not 0.0 <= float(share) <= 1.0:
            raise ValueError(f"live_work_share must be between 0 and 1, got {share}")
        date = params.get("date")
        if date is not None:
            dt.date.fromisoformat(date)  # a ValueError names the bad date
        return {"year": query_year(params), "lang": lang.value, "out_dir": str(out_dir),
                "party_members": None if members is None else int(members),
                "live_work_share": None if share is None else float(share),
                "community_code": params.get("code"), "applicant": params.get("applicant"),
                "contact": params.get("contact"), "date": date,
                "centre_name": params.get("centre_name")}

    def store(self, target: Target, package: Package) -> dict[str, Any]:
        files = list(package.files)
        if package.profile is not None:
            files += write_review_annexes(target.session, target.run.proposal_id, package)
        archive = package.folder.parent / f"{target.run.id}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in files:
                bundle.write(path, arcname=path.name)
        shutil.rmtree(package.folder, ignore_errors=True)
        return {"ok": package.ok, "files": [p.name for p in files],
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
