"""附件1 新建产业型社区信息表: the information table of the application (001 § 二(一)4(1)).

``info_fields`` lays the profile, the application's own facts (town, applicant, code, centre,
enterprises, contact, date) and, when known, the grids and the facility site out as typed
fields (numbers stay numbers) labelled in Chinese or English; ``info_rows`` gives them as
text; ``write_info_table`` writes them as an .xlsx workbook with numeric cells, a sheet of the
enterprises and a print setup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from geo.i18n import N_, Text, t
from geo.profile import Profile
from geo.profile.application import Application

__all__ = ["PARTY_LEVELS", "TITLE", "InfoExtras", "InfoField", "class_label",
           "employees_source", "info_fields", "info_rows", "side_text", "sides_text",
           "type_label", "write_info_table"]

Value = str | int | float | dt.date | None

TITLE = N_("table_title")
_CLASS = {"general": N_("class_general"), "larger": N_("class_larger"),
          "extra_large": N_("class_extra_large")}
_TYPE = {"industrial": N_("table_type_industrial"), "building": N_("table_type_building")}
_SIDE = {"east": N_("table_side_east"), "south": N_("table_side_south"),
         "west": N_("table_side_west"), "north": N_("table_side_north")}
PARTY_LEVELS = _PARTY = {"party_committee": N_("party_party_committee"),
          "general_branch": N_("party_general_branch"), "branch": N_("party_branch")}
_LABELS = {
    "name": N_("table_row_name"),
    "community_code": N_("table_row_community_code"),
    "town": N_("table_row_town"),
    "applicant": N_("table_row_applicant"),
    "type": N_("table_row_type"),
    "four_sides": N_("table_row_four_sides"),
    "area": N_("table_row_area"),
    "neighbours": N_("table_row_neighbours"),
    "employees": N_("table_row_employees"),
    "employees_verified": N_("table_row_employees_verified"),
    "employees_source": N_("table_row_employees_source"),
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
    "centre_name": N_("table_row_centre_name"),
    "centre_floor_area": N_("table_row_centre_floor_area"),
    "site_area": N_("table_row_site_area"),
    "centre_site": N_("table_row_centre_site"),
    "party_members": N_("table_row_party_members"),
    "party_level": N_("table_row_party_level"),
    "funding_year": N_("table_row_funding_year"),
    "funding": N_("table_row_funding"),
    "funding_district": N_("table_row_funding_district"),
    "funding_town": N_("table_row_funding_town"),
    "party_org": N_("table_row_party_org"),
    "party_activity": N_("table_row_party_activity"),
    "service_fund": N_("table_row_service_fund"),
    "enterprise_list": N_("table_row_enterprise_list"),
    "contact": N_("table_row_contact"),
    "date": N_("table_row_date"),
    "notes": N_("table_row_notes"),
}
# Excel number formats of the numeric fields
_INT, _AREA, _KM2, _RATIO, _PCT, _YUAN, _YEAR = ("#,##0", "#,##0.0", "0.000", "0.000", "0.0%",
                                               "#,##0", "0")
_ENTERPRISE_COLUMNS = (N_("table_firm_number"), N_("table_firm_name"), N_("table_firm_uscc"),
                       N_("table_firm_industry"), N_("table_firm_employees"))


@dataclass(frozen=True)
class InfoField:
    """One field of the table: its key, its label in the reader's language, its value (a
    number stays a number; None is shown as "—") and the Excel format of a number."""

    key: str
    label: str
    value: Value
    number_format: str | None = None

    def text(self) -> str:
        """The value as the form shows it in text (Word, the terminal)."""
        v = self.value
        if v is None:
            return "—"
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, str):
            return v or "—"
        if self.number_format == _PCT:
            return f"{v:.1%}"
        if self.number_format in (_KM2, _RATIO):
            return f"{v:.3f}"
        if self.number_format == _AREA:
            return f"{v:,.1f}"
        if self.number_format == _YEAR:
            return str(v)
        return f"{v:,.0f}"


@dataclass(frozen=True)
class InfoExtras:
    """What other steps know: grid counts and the chosen site."""

    grids: int | None = None
    microgrids: int | None = None
    site_area_m2: float | None = None
    site_description: str | None = None


def side_text(side: str, names: list[str], lang: str = "zh") -> str:
    """东至… for one side and what it follows."""
    return t(_SIDE[side], lang, names=t("names_sep", lang).join(names))


def sides_text(four_sides: dict[str, list[str]], lang: str = "zh") -> str:
    """东至…；南至…；西至…；北至… (the sides that follow something)."""
    return t("list_sep", lang).join(side_text(s, n, lang) for s, n in four_sides.items() if n)


def type_label(kind: str, lang: str = "zh") -> str:
    """工业社区 / 楼宇社区 in the reader's language (anything else as given)."""
    return t(_TYPE[kind], lang) if kind in _TYPE else kind


def class_label(community_class: str, lang: str = "zh") -> str:
    """一般 / 较大 / 特大 in the reader's language."""
    return t(_CLASS[community_class], lang)


def employees_source(profile: Profile, lang: str) -> str:
    """How the employees were counted: verified by the 人力社保局 (how many, which share) or
    estimated from the enterprises' plots."""
    if profile.employees_verified is None:
        return t("table_employees_estimated", lang)
    return t("table_employees_verified", lang, employees=f"{profile.employees:,}",
             verified=f"{profile.employees_verified:,}",
             share=f"{(profile.verified_share or 0.0):.0%}")


def _of(application: Application | None, name: str) -> Value:
    """A fact of the application, None when there is none."""
    value: Value = None if application is None else getattr(application, name)
    return value


def info_fields(profile: Profile, lang: str = "zh", extras: InfoExtras = InfoExtras(), *,
                application: Application | None = None,
                minimum_yuan: float | None = None) -> list[InfoField]:
    """The fields of the information table, in the form's order."""
    sep = t("list_sep", lang)
    sides = sides_text(profile.four_sides, lang)
    kind = type_label(profile.type, lang)
    neighbours = sep.join(f"{n} {a:,.0f}" for n, a in profile.neighbours.items())
    homes = t("table_homes", lang, area_m2=profile.residential_area_m2,
              homes=profile.residential_buildings)
    f, party, app = profile.funding, profile.party, application
    notes = [t(n, lang) for n in profile.notes]  # message ids
    if profile.bureau_settings:
        notes.append(t("bureau_settings_note", lang, bureau=Text(N_("bureau_setting"))))
    if f.minimum_applied and minimum_yuan is not None:
        notes.append(t("minimum_funding", lang, minimum=minimum_yuan))
    firms = "" if app is None else t("table_enterprise_list", lang, count=len(app.enterprises),
                                     names=t("names_sep", lang).join(
                                         e.name for e in app.enterprises[:3]))
    values: list[tuple[str, Value, str | None]] = [
        ("name", profile.name, None),
        ("community_code", _of(app, "community_code"), None),
        ("town", _of(app, "town"), None), ("applicant", _of(app, "applicant"), None),
        ("type", kind, None), ("four_sides", sides, None),
        ("area", round(profile.area_m2 / 1e6, 4), _KM2), ("neighbours", neighbours, None),
        ("employees", profile.employees, _INT),
        ("employees_verified", profile.employees_verified, _INT),
        ("employees_source", employees_source(profile, lang), None),
        ("enterprises", profile.enterprises, _INT), ("parks", profile.parks, _INT),
        ("industrial_share", profile.industrial_share, _PCT),
        ("office_share", profile.office_share, _PCT),
        ("large_buildings", profile.large_buildings, _INT), ("residents", homes, None),
        ("live_work_share", profile.live_work_share, _PCT), ("index", profile.index, _RATIO),
        ("class", class_label(profile.community_class, lang), None),
        ("staff_quota", profile.staff_quota, _INT),
        ("grids", extras.grids, _INT), ("microgrids", extras.microgrids, _INT),
        ("centre_name", _of(app, "centre_name"), None),
        ("centre_floor_area", _of(app, "centre_floor_area_m2"), _AREA),
        ("site_area", extras.site_area_m2, _AREA),
        ("centre_site", extras.site_description, None),
        ("party_members", profile.party_members, _INT),
        ("party_level", t(_PARTY[party.level], lang) if party.level else None, None),
        ("funding_year", f.year, _YEAR), ("funding", f.total_yuan, _YUAN),
        ("funding_district", f.district_yuan, _YUAN), ("funding_town", f.town_yuan, _YUAN),
        ("party_org", party.organisation_yuan, _YUAN),
        ("party_activity", party.activity_yuan, _YUAN),
        ("service_fund", party.service_yuan, _YUAN),
        ("enterprise_list", firms or None, None),
        ("contact", _of(app, "contact"), None), ("date", _of(app, "date"), None),
        ("notes", sep.join(notes), None),
    ]
    return [InfoField(k, t(_LABELS[k], lang), v if v != "" else None,
                      fmt if isinstance(v, int | float) and not isinstance(v, bool) else None)
            for k, v, fmt in values]


def info_rows(profile: Profile, lang: str = "zh", extras: InfoExtras = InfoExtras(), *,
              application: Application | None = None,
              minimum_yuan: float | None = None) -> list[tuple[str, str]]:
    """The rows of the information table as (label, value) text."""
    return [(f.label, f.text()) for f in info_fields(profile, lang, extras,
                                                     application=application,
                                                     minimum_yuan=minimum_yuan)]


def write_info_table(fields: list[InfoField], path: str | Path, lang: str = "zh",
                     application: Application | None = None) -> Path:
    """Write the table as an .xlsx workbook: a title row, one label/value row per field
    (numbers as numeric cells with their format, the date as a date), the enterprises on a
    second sheet, both set up to print on A4 with the header rows repeated."""
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
    box = Border(top=thin, bottom=thin, left=thin, right=thin)
    for field in fields:
        value = field.value if field.value is not None else "—"
        sheet.append([field.label, value])
        row = sheet.max_row
        for cell in sheet[row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.cell(row, 1).font = Font(bold=True)
        if field.number_format is not None:
            sheet.cell(row, 2).number_format = field.number_format
            sheet.cell(row, 2).alignment = Alignment(horizontal="left", vertical="center")
        elif isinstance(field.value, dt.date):
            sheet.cell(row, 2).number_format = "yyyy-mm-dd"
            sheet.cell(row, 2).alignment = Alignment(horizontal="left", vertical="center")
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 70
    _print_setup(sheet, f"A1:B{sheet.max_row}", "1:1")
    if application is not None:
        firms = book.create_sheet(t("table_firms_sheet", lang))
        firms.append([t(c, lang) for c in _ENTERPRISE_COLUMNS])
        for cell in firms[1]:
            cell.font = Font(bold=True)
            cell.border = box
        for e in application.enterprises:
            firms.append([e.number, e.name, e.uscc, e.industry, e.employees])
            for cell in firms[firms.max_row]:
                cell.border = box
            firms.cell(firms.max_row, 5).number_format = _INT
        for column, width in zip("ABCDE", (8, 40, 24, 30, 12), strict=True):
            firms.column_dimensions[column].width = width
        _print_setup(firms, f"A1:E{firms.max_row}", "1:1")
    path = Path(path)
    book.save(path)
    return path


def _print_setup(sheet: object, area: str, title_rows: str) -> None:
    """A4 portrait, one page wide, centred, the header rows on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    sheet.print_area = area
    sheet.print_title_rows = title_rows
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
