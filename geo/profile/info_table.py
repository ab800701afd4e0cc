"""附件1 新建产业型社区信息表: the information table of the application (001 § 二(一)4(1)).

``info_rows`` lays the profile (and, when known, the grids, the facility site and the
neighbours' adjustment) out as label/value rows in Chinese or English; ``write_info_table``
writes them as an .xlsx sheet the town attaches to its application.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.i18n import N_, t
from geo.profile import Profile

__all__ = ["TITLE", "InfoExtras", "class_label", "info_rows", "write_info_table"]

TITLE = N_("table_title")
_CLASS = {"general": N_("class_general"), "larger": N_("class_larger"),
          "extra_large": N_("class_extra_large")}
_TYPE = {"industrial": N_("table_type_industrial"), "building": N_("table_type_building")}
_SIDE = {"east": N_("table_side_east"), "south": N_("table_side_south"),
         "west": N_("table_side_west"), "north": N_("table_side_north")}
_PARTY = {"party_committee": N_("party_party_committee"),
          "general_branch": N_("party_general_branch"), "branch": N_("party_branch")}
_LABELS = {
    "name": N_("table_row_name"),
    "type": N_("table_row_type"),
    "four_sides": N_("table_row_four_sides"),
    "area": N_("table_row_area"),
    "neighbours": N_("table_row_neighbours"),
    "employees": N_("table_row_employees"),
    "enterprises": N_("table_row_enterprises"),
    "parks": N_("table_row_parks"),
    "industrial_share": N_("table_row_industrial_share"),
    "office_share": N_("table_row_office_share"),
    "large_buildings": N_("table_row_large_buildings"),
    "residents": N_("table_row_residents"),
    "live_work_share": N_("table_row_live_work_share"),
    "index": N_("table_row_index"),
    "class": N_("table_row_class"),
    "staff_quota": N_("table_row_staff_quota"),
    "grids": N_("table_row_grids"),
    "microgrids": N_("table_row_microgrids"),
    "centre_site": N_("table_row_centre_site"),
    "funding": N_("table_row_funding"),
    "funding_split": N_("table_row_funding_split"),
    "party_org": N_("table_row_party_org"),
    "party_activity": N_("table_row_party_activity"),
    "service_fund": N_("table_row_service_fund"),
    "notes": N_("table_row_notes"),
}


def _employees(profile: Profile, lang: str) -> str:
    """The employees, and how many of them are verified when verified figures were imported."""
    if profile.employees_verified is None:
        return f"{profile.employees:,}"
    return t("table_employees_verified", lang, employees=f"{profile.employees:,}",
             verified=f"{profile.employees_verified:,}",
             share=f"{(profile.verified_share or 0.0):.0%}")


@dataclass(frozen=True)
class InfoExtras:
    """What other steps know: grid counts and the chosen site."""

    grids: int | None = None
    microgrids: int | None = None
    site_area_m2: float | None = None
    site_description: str | None = None


def class_label(community_class: str, lang: str = "zh") -> str:
    """一般 / 较大 / 特大 in the reader's language."""
    return t(_CLASS[community_class], lang)


def info_rows(profile: Profile, lang: str = "zh", extras: InfoExtras = InfoExtras(),
              *, minimum_yuan: float | None = None) -> list[tuple[str, str]]:
    """The rows of the information table as (label, value) text."""
    sep = t("list_sep", lang)

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    sides = sep.join(t(_SIDE[s], lang, names=t("names_sep", lang).join(n))
                     for s, n in profile.four_sides.items() if n)
    kind = t(_TYPE[profile.type], lang) if profile.type in _TYPE else profile.type
    neighbours = sep.join(f"{n} {a:,.0f}" for n, a in profile.neighbours.items())
    homes = t("table_homes", lang, area_m2=profile.residential_area_m2,
              homes=profile.residential_buildings)
    f = profile.funding
    site = "—"
    if extras.site_area_m2 is not None:
        site = t("table_site_area", lang, area_m2=extras.site_area_m2)
        if extras.site_description:
            site = t("table_site_described", lang, site=site, description=extras.site_description)
    party = profile.party
    party_org = f"{party.organisation_yuan:,.0f}"
    if party.level:
        party_org = t("table_party_level", lang, yuan=party_org, level=t(_PARTY[party.level], lang))
    notes = [t(n, lang) for n in profile.notes]  # message ids
    if f.minimum_applied and minimum_yuan is not None:
        notes.append(t("minimum_funding", lang, minimum=minimum_yuan))
    rows = [
        ("name", profile.name), ("type", kind), ("four_sides", sides or "—"),
        ("area", f"{profile.area_m2 / 1e6:.3f}"), ("neighbours", neighbours or "—"),
        ("employees", _employees(profile, lang)), ("enterprises", f"{profile.enterprises:,}"),
        ("parks", str(profile.parks)), ("industrial_share", pct(profile.industrial_share)),
        ("office_share", pct(profile.office_share)),
        ("large_buildings", str(profile.large_buildings)), ("residents", homes),
        ("live_work_share", pct(profile.live_work_share)), ("index", f"{profile.index:.3f}"),
        ("class", class_label(profile.community_class, lang)),
        ("staff_quota", str(profile.staff_quota)),
        ("grids", "—" if extras.grids is None else str(extras.grids)),
        ("microgrids", "—" if extras.microgrids is None else str(extras.microgrids)),
        ("centre_site", site),
        ("funding", t("table_funding", lang, total=f.total_yuan, year=f.year)),
        ("funding_split", f"{f.district_yuan:,.0f} / {f.town_yuan:,.0f}"),
        ("party_org", party_org), ("party_activity", f"{party.activity_yuan:,.0f}"),
        ("service_fund", f"{party.service_yuan:,.0f}"),
        ("notes", sep.join(notes) or "—"),
    ]
    return [(t(_LABELS[k], lang), v) for k, v in rows]


def write_info_table(rows: list[tuple[str, str]], path: str | Path, lang: str = "zh") -> Path:
    """Write the table as an .xlsx sheet: a title row, then one label/value row per fact."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one blank worksheet
    sheet.title = t("table_sheet", lang)
    sheet.append([t(TITLE, lang)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    for label, value in rows:
        sheet.append([label, value])
        for cell in sheet[sheet.max_row]:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 70
    path = Path(path)
    book.save(path)
    return path
