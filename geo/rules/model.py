"""The typed rule set: every number of the policies, with the clause it comes from.

Defaults follow ``DOMAIN.md``; a bureau overrides any subset in a TOML rules file (see
:mod:`geo.rules.load`). A field made by :func:`rule` carries the clause of the seed text that
gives its default (001 is the Zhenhai guideline on industrial communities, 002 the Jiaxing
building-economy plan, 004 the Longgang community-building measures); a field made by
:func:`setting` is a number or choice no seed gives, a bureau setting (本局设定), and carries no
clause. ``tests/geo/test_rule_sources.py`` holds every clause to DOMAIN.md's list.
"""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "BUREAU",
    "CLAUSE",
    "DEFAULT_QUOTA_BY_INDEX",
    "RULE_CLAUSES",
    "RULE_SETTINGS",
    "BoundaryRules",
    "ClassificationRules",
    "ContextMapping",
    "EmploymentRules",
    "FacilityRules",
    "FundingRules",
    "GridRules",
    "LayerNames",
    "MicrogridRules",
    "NamingRules",
    "ProposalColumns",
    "Rules",
    "ScaleRules",
    "StaffingRules",
    "WorkflowRules",
    "clause_of",
    "is_bureau_setting",
    "rule_clause",
    "rule_settings",
]

FOUR_BOUNDARIES = "001 § 二(一)3(2)"
ONE_ENTERPRISE_ONE_GRID = "001 § 二(三)2"


CLAUSE, BUREAU = "clause", "bureau_setting"  # where a default comes from


def rule(default: Any, clause: str, description: str) -> Any:
    """A rule-set field whose default a seed clause gives: its default, clause and meaning."""
    return Field(default, description=description,
                 json_schema_extra={"source": CLAUSE, "clause": clause})


def setting(default: Any, description: str) -> Any:
    """A rule-set field no seed gives (本局设定, a bureau setting): its default and meaning."""
    return Field(default, description=description, json_schema_extra={"source": BUREAU})


class _Section(BaseModel):
    # strict: "0.9" in TOML is a string, not a share; extra keys are typos, never ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BoundaryRules(_Section):
    """四界清晰: rules B2–B7 of DOMAIN.md. The clause (001 § 二(一)3(2)) gives the rules but
    none of their numbers: every threshold and tolerance here is a bureau setting."""

    edge_share_min: float = setting(
        0.90, "B3: least share of the perimeter on a road, river, ridge or border")
    uncovered_stretch_min_m: float = setting(
        20.0, "B3: shortest boundary stretch following nothing that is reported")
    road_tolerance_margin_m: float = setting(
        5.0, "B3: tolerance beyond half a road's width for an edge to follow it")
    gcj02_hint_gain: float = setting(
        0.3, "input check: gain in B3's edge share, once a GCJ-02 shift is undone, that suggests "
        "GCJ-02")
    road_width_default_m: dict[str, float] = setting(
        {"expressway": 32.0, "arterial": 26.0, "secondary": 16.0, "branch": 9.0, "track": 5.0},
        "B3: width of a road whose width_m is missing, by class")
    water_tolerance_m: float = setting(
        15.0, "B3: distance within which an edge follows a river or canal")
    terrain_tolerance_m: float = setting(
        30.0, "B3: distance within which an edge follows a ridge or mountain foot")
    border_tolerance_m: float = setting(
        5.0, "B3: distance within which an edge follows the jurisdiction border")
    polsby_popper_min: float = setting(
        0.30, "B4: least Polsby–Popper compactness (4πA/P²) before a warning")
    hull_ratio_min: float = setting(0.70, "B4: least area / convex-hull area before a warning")
    snap_tolerance_m: float = setting(
        5.0, "B5: gap or overlap slivers narrower than this are findings")
    remnant_min_area_m2: float = setting(
        20_000.0, "B5: a neighbour's leftover piece smaller than this must join another")
    cut_share_min: float = setting(
        0.01, "B6: a holding is cut when at least this share lies on each side")
    industrial_share_min: float = setting(
        0.60, "B7: least share of industrial (or office/commercial) land")


class ScaleRules(_Section):
    """规模适宜 (B8). N and M are redacted in the seed text; the bureau sets them."""

    employees_target: int = setting(3_000, "B8: N, the usual employment of a community")
    employees_max: int = setting(6_000, "B8: M, the most employees a community may have")
    target_tolerance: float = setting(
        0.5, "B8: share away from N beyond which a warning is given")


class NamingRules(_Section):
    """命名规范 (B9)."""

    industrial_suffix: str = rule("工业社区", "001 § 二(一)3(1)", "B9: name ending of a 工业社区")
    building_suffix: str = rule("楼宇社区", "001 § 二(一)3(1)", "B9: name ending of a 楼宇社区")
    centre_suffix: str = rule(
        "(党群)服务中心", "001 § 二(一)3(1)", "B9: name ending of its service centre"
    )


class GridRules(_Section):
    """网格: about 1,000 employees, or 1 km², or 30 enterprises."""

    employees_target: int = rule(1_000, ONE_ENTERPRISE_ONE_GRID, "grid target employment")
    area_target_km2: float = rule(
        1.0, ONE_ENTERPRISE_ONE_GRID, "grid target area where employment is sparse"
    )
    enterprises_target: int = rule(30, ONE_ENTERPRISE_ONE_GRID, "grid target number of enterprises")
    capacity_factor: float = setting(1.3, "a grid may reach this multiple of a target")
    roles: tuple[str, ...] = rule(
        ("grid_head", "full_time_worker", "part_time_worker", "guide", "others"),
        "001 § 二(四)3",
        "1+3+N staff roles recorded per grid",
    )


class MicrogridRules(_Section):
    """微网格 and the building registry."""

    building_floor_area_min_m2: float = rule(
        1_000.0, "002 § 二(七)2", "buildings at least this large are registered and are micro-grids"
    )
    occupancy_target: float = rule(
        0.85, "002 § 二(七)2", "city-wide occupancy rate target, checked on each town or street")
    registration_target: float = rule(
        0.90, "002 § 二(七)2", "city-wide registration rate target, checked on each town or street")
    tax_share_target: float = rule(
        0.10, "002 § 二(七)2", "city-wide tax share target (the city's, no street's)")


class FacilityRules(_Section):
    """Land and floor area for the community's service facilities."""

    land_min_m2: float = rule(3_000.0, "004 第三十条", "least reserved land")
    land_max_m2: float = rule(5_000.0, "004 第三十条", "most reserved land")
    centre_floor_min_m2: float = rule(500.0, "001 § 二(五)1", "least service-centre floor area")
    programme_m2: dict[str, float] = rule(
        {
            "office_one_stop_window": 200.0,
            "party_room": 100.0,
            "police_room": 50.0,
            "stability_governance_office": 30.0,
            "mediation_room": 30.0,
            "elderly_centre": 200.0,
            "health_service_centre": 400.0,
            "library": 100.0,
        },
        "004 第三十二条",
        "least floor area of each room of the facility programme",
    )
    plaza_min_m2: float = rule(1_000.0, "004 第三十二条", "least outdoor sports plaza land")
    plot_ratio_max: float = setting(1.5, "most floor area per site area")
    site_coverage_max: float = setting(0.40, "most building footprint per site area")
    min_width_m: float = setting(40.0, "least inscribed width of a buildable site")
    frontage_min_m: float = setting(20.0, "least road frontage of a site")
    frontage_road_classes: tuple[str, ...] = setting(
        ("expressway", "arterial", "secondary", "branch"), "road classes that count as frontage")
    available_landuse: tuple[str, ...] = rule(
        ("vacant", "to_consolidate"), "004 第三十条", "land-use classes a site may take"
    )
    available_share_min: float = setting(
        0.95, "least share of a site on available land (digitising slack)")
    excluded_share_max: float = setting(
        0.01, "most share of a site on water, road, farmland or red line (digitising slack)")
    allow_public: bool = setting(False, "whether public land may host the facilities")
    allow_enterprise: bool = setting(False, "whether an enterprise's plot may be used")
    excluded_landuse: tuple[str, ...] = rule(
        ("water", "road", "farmland_protected", "ecological_redline"), "004 第三十条",
        "land-use classes a site may never take")
    max_floors: int = setting(3, "storeys the service building may have")
    top_n: int = setting(5, "candidate sites reported")


class ClassificationRules(_Section):
    """一般 / 较大 / 特大 from a weighted index."""

    factors: tuple[str, ...] = rule(
        ("employees", "area", "entities", "live_work_share"), "001 § 二(一)5",
        "factors of the index (编码综合指数): employment, area, business entities, live-work share")
    weights: dict[str, float] = setting(
        {"employees": 0.4, "area": 0.2, "entities": 0.3, "live_work_share": 0.1},
        "weights of the classification index")
    reference: dict[str, float] = setting(
        {"employees": 3_000.0, "area": 2.0, "entities": 100.0, "live_work_share": 0.2},
        "value of each factor that scores 1.0 in the index")
    larger_from: float = setting(1.0, "index at which a community is 较大")
    extra_large_from: float = setting(1.8, "index at which a community is 特大")


class EmploymentRules(_Section):
    """核定就业人数: the 区人力社保局's verified employment figures and how its table is read."""

    columns: dict[str, str] = setting(
        {}, "the table's header for uscc, name, employees or period, where it is none sijie knows")
    change_warn_share: float = setting(
        0.5, "a figure this share above or below the previous import's is listed for acceptance")
    organisation_code_check: bool = setting(
        False, "also check the organisation code's own check character (GB 11714-1997, "
        "characters 9–17)")


# 编码综合指数 → full-time workers: from each index on (first column), the quota (second)
DEFAULT_QUOTA_BY_INDEX: tuple[tuple[float, int], ...] = (
    (0.0, 4), (0.25, 5), (0.4, 6), (0.55, 7), (0.7, 8), (0.85, 9), (1.0, 10), (1.2, 11),
    (1.4, 12), (1.6, 13), (2.2, 14), (2.6, 15), (3.0, 16),
)


class StaffingRules(_Section):
    """员额 (001 § 二(四)2): set from the community's 编码综合指数 (the classification index),
    at least 4, generally at most 13, more only for a 特大 community. The table from index to
    quota is the bureau's."""

    quota_min: int = rule(4, "001 § 二(四)2", "least full-time community workers")
    quota_max: int = rule(
        13, "001 § 二(四)2", "most full-time workers unless 特大 (特大 may exceed)")
    quota_by_index: tuple[tuple[float, int], ...] = setting(
        DEFAULT_QUOTA_BY_INDEX,
        "rows of [index from, quota]: the quota of a community whose 编码综合指数 reaches "
        "the index")

    @field_validator("quota_by_index")
    @classmethod
    def _rising(cls, rows: tuple[tuple[float, int], ...]) -> tuple[tuple[float, int], ...]:
        if not rows or rows[0][0] != 0.0:
            raise ValueError("the first row must start at index 0")
        for (a, qa), (b, qb) in itertools.pairwise(rows):
            if b <= a or qb < qa:
                raise ValueError("indices must rise and quotas must not fall")
        return rows


class FundingRules(_Section):
    per_employee_yuan: float = rule(50.0, "001 § 二(五)1", "yearly funding per employee")
    base_year: int = setting(2023, "year the per-employee standard applies as is")
    district_share: float = rule(0.5, "001 § 二(五)1", "district's share (district:town 1:1)")
    annual_growth: float = rule(0.05, "001 § 二(五)1", "yearly increase")
    minimum_yuan: float = rule(350_000.0, "001 § 二(五)1", "least yearly funding per community")
    party_funds_yuan: dict[str, float] = rule(
        {"party_committee": 60_000.0, "general_branch": 50_000.0, "branch": 40_000.0},
        "001 § 二(五)1",
        "yearly party-organisation funds by organisation level",
    )
    per_party_member_yuan: float = rule(120.0, "001 § 二(五)1", "yearly activity funds per member")
    service_fund_min_yuan: float = rule(200_000.0, "001 § 二(五)1", "least yearly service fund")
    party_level_from_members: dict[str, int] = setting(
        {"party_committee": 100, "general_branch": 50, "branch": 3},
        "party members from which each organisation level is set up")


class WorkflowRules(_Section):
    """The joint survey and review of 001 § 二(一)4(2)–(3): who must give an opinion, who
    organises, and when the committee must meet."""

    departments: tuple[str, ...] = rule(
        ("区发改局", "区经信局", "区公安分局", "区民政局", "区建交局", "区商务局",
         "区自然资源规划分局", "区社会治理中心"),
        "001 § 二(一)4(2)",
        "departments whose opinion the joint review needs (as users' departments name them)")
    town_opinion: bool = rule(
        True, "001 § 二(一)4(2)",
        "the town (街道) gives an opinion too (会同相关镇(街道)); a department naming the "
        "proposal's town speaks for it")
    office: str = rule(
        "区委城乡现代社区建设指导委员会办公室", "001 § 二(一)4(2)",
        "the office that organises the survey and leads the joint review")
    committee_min_area_m2: float = setting(
        1.0, "land a village or community gives up from which its boundary counts as changed "
        "(and the committee must meet)")


class LayerNames(_Section):
    """The context's layer names as the bureau's data spells them."""

    neighbours: str = setting("neighbours", "villages and communities tiling the town")
    jurisdiction: str = setting("jurisdiction", "the town's outer border")
    roads: str = setting("roads", "road centrelines")
    water: str = setting("water", "rivers, canals, lakes")
    terrain: str = setting("terrain", "ridges and mountain feet")
    parcels: str = setting("parcels", "enterprise, park, vacant and public parcels")
    buildings: str = setting("buildings", "building footprints")
    landuse: str = setting("landuse", "land-use polygons")


class ContextMapping(_Section):
    """Layer names, and per layer a map from sijie's column name to the bureau's."""

    layers: LayerNames = LayerNames()
    columns: dict[str, dict[str, str]] = setting(
        {}, "per layer: sijie column name → the bureau's column name")


class ProposalColumns(_Section):
    """Where a proposal file keeps the community's name and type: the first column of each
    list that the file has (exact spelling first, then ignoring case)."""

    name: list[str] = setting(
        ["name", "名称", "社区名称", "社区名", "申报名称", "MC", "NAME"],
        "columns holding the community's name, in order of preference")
    type: list[str] = setting(
        ["type", "类型", "社区类型", "社区类", "申报类型", "LX", "TYPE"],
        "columns holding the community type (工业社区 / 楼宇社区), in order of preference")


class Rules(_Section):
    """The whole rule set; ``Rules()`` is the default of DOMAIN.md."""

    rules_version: str = setting("sijie-default-2022", "name of this rule set")
    work_crs: str | None = setting(None, "metric CRS to use instead of the local GK zone")
    boundary: BoundaryRules = BoundaryRules()
    scale: ScaleRules = ScaleRules()
    naming: NamingRules = NamingRules()
    grid: GridRules = GridRules()
    microgrid: MicrogridRules = MicrogridRules()
    facility: FacilityRules = FacilityRules()
    classification: ClassificationRules = ClassificationRules()
    staffing: StaffingRules = StaffingRules()
    funding: FundingRules = FundingRules()
    employment: EmploymentRules = EmploymentRules()
    workflow: WorkflowRules = WorkflowRules()
    context: ContextMapping = ContextMapping()
    proposal: ProposalColumns = ProposalColumns()


def clause_of(model: type[BaseModel], field: str) -> str:
    """The seed clause that gives ``field``'s default; "" for a bureau setting."""
    extra = model.model_fields[field].json_schema_extra
    return str(extra.get("clause", "")) if isinstance(extra, dict) else ""


def is_bureau_setting(model: type[BaseModel], field: str) -> bool:
    """True when no seed gives ``field``'s default (本局设定)."""
    extra = model.model_fields[field].json_schema_extra
    return isinstance(extra, dict) and extra.get("source") == BUREAU


# The clause each boundary rule cites in its findings: the rule comes from the clause, its
# numbers are bureau settings (a finding's ``settings`` names them). B6 cites the seamless
# boundary and "一企一格" (an enterprise belongs to one community and one grid); B10 the
# clause on residents (二(二)).
RULE_CLAUSES: dict[str, str] = {
    "B1": FOUR_BOUNDARIES,
    "B2": FOUR_BOUNDARIES,
    "B3": FOUR_BOUNDARIES,
    "B4": FOUR_BOUNDARIES,
    "B5": FOUR_BOUNDARIES,
    "B6": f"{FOUR_BOUNDARIES}; {ONE_ENTERPRISE_ONE_GRID}",
    "B7": FOUR_BOUNDARIES,
    "B8": "001 § 二(一)3(3)",
    "B9": clause_of(NamingRules, "industrial_suffix"),
    "B10": "001 § 二(二)",
}


# The bureau settings that set each rule's limits (its findings say so beside the clause)
RULE_SETTINGS: dict[str, tuple[str, ...]] = {
    "B3": ("boundary.edge_share_min", "boundary.uncovered_stretch_min_m",
           "boundary.road_tolerance_margin_m", "boundary.water_tolerance_m",
           "boundary.terrain_tolerance_m", "boundary.border_tolerance_m"),
    "B4": ("boundary.polsby_popper_min", "boundary.hull_ratio_min"),
    "B5": ("boundary.snap_tolerance_m", "boundary.remnant_min_area_m2"),
    "B6": ("boundary.cut_share_min",),
    "B7": ("boundary.industrial_share_min",),
    "B8": ("scale.employees_target", "scale.employees_max", "scale.target_tolerance"),
    "CRS": ("boundary.gcj02_hint_gain", "boundary.edge_share_min"),
}


def rule_settings(rule_id: str) -> tuple[str, ...]:
    """The bureau settings (本局设定) behind rule ``rule_id``'s limits; none for a rule whose
    limits the seeds give or that has none."""
    return RULE_SETTINGS.get(rule_id, ())


def rule_clause(rule_id: str) -> str:
    """The clause rule ``rule_id`` (``"B1"`` … ``"B10"``) cites in its findings."""
    return RULE_CLAUSES[rule_id]
