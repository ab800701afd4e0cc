"""附件1 新建产业型社区信息表: the information table of the application (001 § 二(一)4(1)).

``info_rows`` lays the profile (and, when known, the grids, the facility site and the
neighbours' adjustment) out as label/value rows in Chinese or English; ``write_info_table``
writes them as an .xlsx sheet the town attaches to its application.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.profile import Profile

__all__ = ["TITLE", "InfoExtras", "class_label", "info_rows", "write_info_table"]

TITLE = {"zh": "新建产业型社区信息表", "en": "Information table of a new industrial community"}
_CLASS = {"general": {"zh": "一般", "en": "general"}, "larger": {"zh": "较大", "en": "larger"},
          "extra_large": {"zh": "特大", "en": "extra-large"}}
_TYPE = {"industrial": {"zh": "工业社区", "en": "industrial community"},
         "building": {"zh": "楼宇社区", "en": "building community"}}
_SIDE = {"east": {"zh": "东至", "en": "east:"}, "south": {"zh": "南至", "en": "south:"},
         "west": {"zh": "西至", "en": "west:"}, "north": {"zh": "北至", "en": "north:"}}
_PARTY = {"party_committee": {"zh": "党委", "en": "party committee"},
          "general_branch": {"zh": "党总支", "en": "general branch"},
          "branch": {"zh": "党支部", "en": "branch"}}
_LABELS = {
    "name": ("社区名称", "Community name"),
    "type": ("社区类型", "Type"),
    "four_sides": ("四至范围", "Four boundaries"),
    "area": ("面积（平方公里）", "Area (km²)"),
    "neighbours": ("涉及村（社区）及划出面积（平方米）", "Villages/communities giving land (m²)"),
    "employees": ("就业人口（人）", "Employees"),
    "enterprises": ("企业数（家）", "Enterprises"),
    "parks": ("产业园区（个）", "Industrial parks"),
    "industrial_share": ("工业用地占比", "Industrial land share"),
    "office_share": ("商务办公用地占比", "Office and commercial land share"),
    "large_buildings": ("1000平方米以上楼宇（幢）", "Buildings ≥ 1,000 m² floor area"),
    "residents": ("常住居民区域", "Resident areas"),
    "live_work_share": ("职住一体占比", "Live-work share"),
    "index": ("分类综合指数", "Classification index"),
    "class": ("社区分类", "Class"),
    "staff_quota": ("专职社区工作者员额（名）", "Full-time worker quota"),
    "grids": ("网格数（个）", "Grids"),
    "microgrids": ("微网格数（个）", "Micro-grids"),
    "centre_site": ("党群服务中心选址", "Service-centre site"),
    "funding": ("事业保障经费（元/年）", "Community funds (yuan/year)"),
    "funding_split": ("其中区级、镇（街道）承担（元）", "District and town shares (yuan)"),
    "party_org": ("党组织工作经费（元/年）", "Party-organisation funds (yuan/year)"),
    "party_activity": ("党员活动经费（元/年）", "Party-member activity funds (yuan/year)"),
    "service_fund": ("服务群众专项经费（元/年）", "Service fund (yuan/year)"),
    "notes": ("说明", "Notes"),
}
_NOTES = {
    "live_work_share_missing": {"zh": "未提供职住一体占比，分类指数按 0 计",
                                "en": "no live-work share given; the index counts it as 0"},
    "no_parcels": {"zh": "底图无企业地块，就业人口与企业数按 0 计",
                   "en": "the context has no parcels; employees and enterprises count as 0"},
    "minimum_funding": {"zh": "按每社区最低 {minimum:,.0f} 元保障",
                        "en": "raised to the minimum of {minimum:,.0f} yuan per community"},
}


@dataclass(frozen=True)
class InfoExtras:
    """What other steps know: grid counts and the chosen site."""

    grids: int | None = None
    microgrids: int | None = None
    site_area_m2: float | None = None
    site_description: str | None = None


def class_label(community_class: str, lang: str = "zh") -> str:
    """一般 / 较大 / 特大 in the reader's language."""
    return _CLASS[community_class][lang]


def info_rows(profile: Profile, lang: str = "zh", extras: InfoExtras = InfoExtras(),
              *, minimum_yuan: float | None = None) -> list[tuple[str, str]]:
    """The rows of the information table as (label, value) text."""
    zh = lang == "zh"
    sep = "；" if zh else "; "

    def label(key: str) -> str:
        return _LABELS[key][0 if zh else 1]

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.1%}"

    sides = sep.join(f"{_SIDE[s][lang]}{'、'.join(n) if zh else ', '.join(n)}"
                     for s, n in profile.four_sides.items() if n)
    kind = _TYPE.get(profile.type, {"zh": profile.type, "en": profile.type})[lang]
    neighbours = sep.join(f"{n} {a:,.0f}" for n, a in profile.neighbours.items())
    homes = (f"居住用地 {profile.residential_area_m2:,.0f} 平方米，住宅 {profile.residential_buildings} 幢"
             if zh else f"{profile.residential_area_m2:,.0f} m² residential land, "
             f"{profile.residential_buildings} homes")
    f = profile.funding
    site = "—"
    if extras.site_area_m2 is not None:
        site = (f"{extras.site_area_m2:,.0f} 平方米" if zh else f"{extras.site_area_m2:,.0f} m²")
        if extras.site_description:
            site += ("，" if zh else ", ") + extras.site_description
    party = profile.party
    party_org = f"{party.organisation_yuan:,.0f}"
    if party.level:
        party_org += f"（{_PARTY[party.level]['zh']}）" if zh else f" ({_PARTY[party.level]['en']})"
    notes = [_NOTES[n][lang] for n in profile.notes]
    if f.minimum_applied and minimum_yuan is not None:
        notes.append(_NOTES["minimum_funding"][lang].format(minimum=minimum_yuan))
    rows = [
        ("name", profile.name), ("type", kind), ("four_sides", sides or "—"),
        ("area", f"{profile.area_m2 / 1e6:.3f}"), ("neighbours", neighbours or "—"),
        ("employees", f"{profile.employees:,}"), ("enterprises", f"{profile.enterprises:,}"),
        ("parks", str(profile.parks)), ("industrial_share", pct(profile.industrial_share)),
        ("office_share", pct(profile.office_share)),
        ("large_buildings", str(profile.large_buildings)), ("residents", homes),
        ("live_work_share", pct(profile.live_work_share)), ("index", f"{profile.index:.3f}"),
        ("class", class_label(profile.community_class, lang)),
        ("staff_quota", str(profile.staff_quota)),
        ("grids", "—" if extras.grids is None else str(extras.grids)),
        ("microgrids", "—" if extras.microgrids is None else str(extras.microgrids)),
        ("centre_site", site),
        ("funding", f"{f.total_yuan:,.0f}（{f.year} 年）" if zh else f"{f.total_yuan:,.0f} ({f.year})"),
        ("funding_split", f"{f.district_yuan:,.0f} / {f.town_yuan:,.0f}"),
        ("party_org", party_org), ("party_activity", f"{party.activity_yuan:,.0f}"),
        ("service_fund", f"{party.service_yuan:,.0f}"),
        ("notes", sep.join(notes) or "—"),
    ]
    return [(label(k), v) for k, v in rows]


def write_info_table(rows: list[tuple[str, str]], path: str | Path, lang: str = "zh") -> Path:
    """Write the table as an .xlsx sheet: a title row, then one label/value row per fact."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "附件1" if lang == "zh" else "Annex 1"
    sheet.append([TITLE[lang]])
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
