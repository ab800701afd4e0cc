"""方案: the plan for setting up the community (001 § 二(一)4(1)), written from the data: the
overview, the four sides, the area and the neighbours' adjustment, the enterprises and their
employees (and how the figure was verified), the grids, the service centre's site, class and
staff, funds, and the two maps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.documents.word import heading, new_document, paragraph, picture, save, table
from geo.i18n import N_, t
from geo.profile import Profile
from geo.profile.application import Application
from geo.profile.info_table import (
    PARTY_LEVELS,
    class_label,
    employees_source,
    sides_text,
    type_label,
)

__all__ = ["GridRow", "NeighbourRow", "PlanFacts", "write_plan"]

FIRM_COLUMNS = (N_("table_firm_number"), N_("table_firm_name"), N_("table_firm_uscc"),
                N_("table_firm_industry"), N_("table_firm_employees"))


@dataclass(frozen=True)
class NeighbourRow:
    """A village (community) before and after it gives up land (m²)."""

    name: str
    before_m2: float
    given_m2: float
    after_m2: float


@dataclass(frozen=True)
class GridRow:
    """One grid of the community."""

    code: str
    employees: int
    enterprises: int
    area_m2: float


@dataclass(frozen=True)
class PlanFacts:
    """What the plan says beyond the profile and the application's facts."""

    neighbours: list[NeighbourRow]
    grids: list[GridRow]
    microgrids: int
    site_area_m2: float | None
    site_description: str | None
    maps: dict[str, Path]  # "status" / "layout": PNG of each sheet


def write_plan(path: str | Path, profile: Profile, application: Application, facts: PlanFacts,
               lang: str = "zh") -> Path:
    """Write the plan as a Word document and return its path."""
    name = profile.name
    doc = new_document(t("plan_title", lang, name=name))
    kind = type_label(profile.type, lang)
    klass = class_label(profile.community_class, lang)
    villages = t("names_sep", lang).join(profile.neighbours) or "—"
    heading(doc, t("plan_h_overview", lang))
    paragraph(doc, t("plan_overview", lang, town=application.town or "—", name=name, type=kind,
                     applicant=application.applicant or "—", area=profile.area_m2 / 1e6,
                     villages=villages, enterprises=profile.enterprises, parks=profile.parks,
                     employees=profile.employees, index=profile.index, klass=klass))
    heading(doc, t("plan_h_sides", lang))
    paragraph(doc, sides_text(profile.four_sides, lang) or "—")
    heading(doc, t("plan_h_area", lang))
    paragraph(doc, t("plan_area", lang, area=profile.area_m2, count=len(facts.neighbours)))
    table(doc, [t(k, lang) for k in (N_("plan_col_neighbour"), N_("plan_col_before"),
                                     N_("plan_col_given"), N_("plan_col_after"))],
          [[n.name, f"{n.before_m2:,.0f}", f"{n.given_m2:,.0f}", f"{n.after_m2:,.0f}"]
           for n in facts.neighbours])
    heading(doc, t("plan_h_enterprises", lang))
    paragraph(doc, t("plan_enterprises", lang, count=len(application.enterprises),
                     employees=profile.employees, source=employees_source(profile, lang)))
    table(doc, [t(k, lang) for k in FIRM_COLUMNS],
          [[str(e.number), e.name, e.uscc, e.industry, f"{e.employees:,}"]
           for e in application.enterprises], widths_mm=(12, 60, 42, 34, 18))
    heading(doc, t("plan_h_grids", lang))
    paragraph(doc, t("plan_grids", lang, grids=len(facts.grids), micro=facts.microgrids))
    table(doc, [t(k, lang) for k in (N_("grid_code"), N_("metric_employees"),
                                     N_("metric_enterprises"), N_("plan_col_grid_area"))],
          [[g.code, f"{g.employees:,}", f"{g.enterprises:,}", f"{g.area_m2:,.0f}"]
           for g in facts.grids])
    heading(doc, t("plan_h_site", lang))
    if facts.site_area_m2 is not None:
        paragraph(doc, t("plan_site", lang, centre=application.centre_name,
                         floor=application.centre_floor_area_m2, site=facts.site_area_m2,
                         description=facts.site_description or "—"))
    else:
        paragraph(doc, t("plan_site_none", lang, centre=application.centre_name,
                         floor=application.centre_floor_area_m2))
    heading(doc, t("plan_h_staff", lang))
    paragraph(doc, t("plan_staff", lang, klass=klass, quota=profile.staff_quota))
    heading(doc, t("plan_h_funds", lang))
    f, party = profile.funding, profile.party
    level = t(PARTY_LEVELS[party.level], lang) if party.level else "—"
    paragraph(doc, t("plan_funds", lang, year=f.year, total=f.total_yuan,
                     district=f.district_yuan, town=f.town_yuan,
                     members="—" if profile.party_members is None else profile.party_members,
                     level=level, org=party.organisation_yuan, activity=party.activity_yuan,
                     service=party.service_yuan))
    heading(doc, t("plan_h_maps", lang))
    for number, (key, caption) in enumerate((("status", N_("plan_map_status")),
                                             ("layout", N_("plan_map_layout"))), start=1):
        if key in facts.maps:
            picture(doc, facts.maps[key], t(caption, lang, number=number, name=name))
    paragraph(doc, t("plan_contact", lang, contact=application.contact or "—"), indent=False)
    paragraph(doc, f"{application.applicant}\n{application.date.isoformat()}", indent=False)
    return save(doc, path)
