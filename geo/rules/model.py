"""The typed rule set: every number of the policies, with the clause it comes from.

Defaults follow ``DOMAIN.md``; a bureau overrides any subset in a TOML rules file (see
:mod:`geo.rules.load`). Each field's ``clause`` names its source in the seed texts: 001 is the
Zhenhai guideline on industrial communities, 002 the Jiaxing building-economy plan, 004 the
Longgang community-building measures.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "RULE_CLAUSES",
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
    "Rules",
    "ScaleRules",
    "StaffingRules",
    "clause_of",
    "rule_clause",
]

FOUR_BOUNDARIES = "001 § 二(一)3(2)"
ONE_ENTERPRISE_ONE_GRID = "001 § 二(三)2"
VERIFIED_EMPLOYMENT = "001 § 三(一)"


def rule(default: Any, clause: str, description: str) -> Any:
    """A rule-set field carrying its default, its source clause and what it means."""
    return Field(default, description=description, json_schema_extra={"clause": clause})


class _Section(BaseModel):
    # strict: "0.9" in TOML is a string, not a share; extra keys are typos, never ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BoundaryRules(_Section):
    """四界清晰: rules B2–B7 of DOMAIN.md."""

    edge_share_min: float = rule(
        0.90, FOUR_BOUNDARIES, "B3: least share of the perimeter on a road, river, ridge or border"
    )
    uncovered_stretch_min_m: float = rule(
        20.0, FOUR_BOUNDARIES, "B3: shortest boundary stretch following nothing that is reported"
    )
    road_tolerance_margin_m: float = rule(
        5.0, FOUR_BOUNDARIES, "B3: tolerance beyond half a road's width for an edge to follow it"
    )
    road_width_default_m: dict[str, float] = rule(
        {"expressway": 32.0, "arterial": 26.0, "secondary": 16.0, "branch": 9.0, "track": 5.0},
        FOUR_BOUNDARIES, "B3: width of a road whose width_m is missing, by class",
    )
    water_tolerance_m: float = rule(
        15.0, FOUR_BOUNDARIES, "B3: distance within which an edge follows a river or canal"
    )
    terrain_tolerance_m: float = rule(
        30.0, FOUR_BOUNDARIES, "B3: distance within which an edge follows a ridge or mountain foot"
    )
    border_tolerance_m: float = rule(
        5.0, FOUR_BOUNDARIES, "B3: distance within which an edge follows the jurisdiction border"
    )
    polsby_popper_min: float = rule(
        0.30, FOUR_BOUNDARIES, "B4: least Polsby–Popper compactness (4πA/P²) before a warning"
    )
    hull_ratio_min: float = rule(
        0.70, FOUR_BOUNDARIES, "B4: least area / convex-hull area before a warning"
    )
    snap_tolerance_m: float = rule(
        5.0, FOUR_BOUNDARIES, "B5: gap or overlap slivers narrower than this are findings"
    )
    remnant_min_area_m2: float = rule(
        20_000.0, FOUR_BOUNDARIES,
        "B5: a neighbour's leftover piece smaller than this must join another",
    )
    cut_share_min: float = rule(
        0.01, FOUR_BOUNDARIES, "B6: a holding is cut when at least this share lies on each side"
    )
    industrial_share_min: float = rule(
        0.60, FOUR_BOUNDARIES, "B7: least share of industrial (or office/commercial) land"
    )
    residents_clause: str = rule(
        "001 § 二(二)", "001 § 二(二)", "B10: areas with residents follow urban-community rules"
    )


class ScaleRules(_Section):
    """规模适宜 (B8). N and M are redacted in the seed text; the bureau sets them."""

    employees_target: int = rule(
        3_000, "001 § 二(一)3(3)", "B8: N, the usual employment of a community"
    )
    employees_max: int = rule(
        6_000, "001 § 二(一)3(3)", "B8: M, the most employees a community may have"
    )
    target_tolerance: float = rule(
        0.5, "001 § 二(一)3(3)", "B8: share away from N beyond which a warning is given"
    )


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
    capacity_factor: float = rule(
        1.3, ONE_ENTERPRISE_ONE_GRID, "a grid may reach this multiple of a target"
    )
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
    occupancy_target: float = rule(0.85, "002 § 二(七)2", "monthly occupancy rate target")
    registration_target: float = rule(0.90, "002 § 二(七)2", "registration rate target")
    tax_share_target: float = rule(0.10, "002 § 二(七)2", "tax share target")


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
    plot_ratio_max: float = rule(1.5, "bureau setting", "most floor area per site area")
    site_coverage_max: float = rule(0.40, "bureau setting", "most building footprint per site area")
    min_width_m: float = rule(40.0, "bureau setting", "least inscribed width of a buildable site")
    frontage_min_m: float = rule(20.0, "bureau setting", "least road frontage of a site")
    frontage_road_classes: tuple[str, ...] = rule(
        ("expressway", "arterial", "secondary", "branch"),
        "bureau setting",
        "road classes that count as frontage",
    )
    available_landuse: tuple[str, ...] = rule(
        ("vacant", "to_consolidate"), "004 第三十条", "land-use classes a site may take"
    )
    available_share_min: float = rule(
        0.95, "004 第三十条", "least share of a site on available land (digitising slack)")
    excluded_share_max: float = rule(
        0.01, "004 第三十条", "most share of a site on water, road, farmland or red line")
    allow_public: bool = rule(False, "004 第三十条", "whether public land may host the facilities")
    allow_enterprise: bool = rule(False, "004 第三十条", "whether an enterprise's plot may be used")
    excluded_landuse: tuple[str, ...] = rule(
        ("water", "road", "farmland_protected", "ecological_redline"), "004 第三十条",
        "land-use classes a site may never take")
    max_floors: int = rule(3, "bureau setting", "storeys the service building may have")
    top_n: int = rule(5, "bureau setting", "candidate sites reported")


class ClassificationRules(_Section):
    """一般 / 较大 / 特大 from a weighted index."""

    weights: dict[str, float] = rule(
        {"employees": 0.4, "area": 0.2, "entities": 0.3, "live_work_share": 0.1},
        "001 § 二(一)5",
        "weights of the classification index",
    )
    reference: dict[str, float] = rule(
        {"employees": 3_000.0, "area": 2.0, "entities": 100.0, "live_work_share": 0.2},
        "001 § 二(一)5",
        "value of each factor that scores 1.0 in the index",
    )
    larger_from: float = rule(1.0, "001 § 二(一)5", "index at which a community is 较大")
    extra_large_from: float = rule(1.8, "001 § 二(一)5", "index at which a community is 特大")


class EmploymentRules(_Section):
    """核定就业人数: the 区人力社保局's verified employment figures and how its table is read."""

    columns: dict[str, str] = rule(
        {}, VERIFIED_EMPLOYMENT,
        "the table's header for uscc, name, employees or period, where it is none sijie knows")
    change_warn_share: float = rule(
        0.5, "bureau setting",
        "a figure this share above or below the previous import's is listed for acceptance")
    organisation_code_check: bool = rule(
        False, "GB 11714-1997",
        "also check the organisation code's own check character (characters 9–17)")


class StaffingRules(_Section):
    quota_min: int = rule(4, "001 § 二(四)2", "least full-time community workers")
    quota_max: int = rule(13, "001 § 二(四)2", "usual most full-time workers (特大 may exceed)")
    employees_per_worker: int = rule(
        500, "001 § 二(四)2", "employees per full-time worker when the quota is sized")
    extra_large_max: int = rule(
        20, "001 § 二(四)2", "most full-time workers of a 特大 community (特大社区可适当增加)")


class FundingRules(_Section):
    per_employee_yuan: float = rule(50.0, "001 § 二(五)1", "yearly funding per employee")
    base_year: int = rule(2023, "001 § 二(五)1", "year the per-employee standard applies as is")
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
    party_level_from_members: dict[str, int] = rule(
        {"party_committee": 100, "general_branch": 50, "branch": 3}, "bureau setting",
        "party members from which each organisation level is set up")


class LayerNames(_Section):
    """The context's layer names as the bureau's data spells them."""

    neighbours: str = rule("neighbours", "DESIGN", "villages and communities tiling the town")
    jurisdiction: str = rule("jurisdiction", "DESIGN", "the town's outer border")
    roads: str = rule("roads", "DESIGN", "road centrelines")
    water: str = rule("water", "DESIGN", "rivers, canals, lakes")
    terrain: str = rule("terrain", "DESIGN", "ridges and mountain feet")
    parcels: str = rule("parcels", "DESIGN", "enterprise, park, vacant and public parcels")
    buildings: str = rule("buildings", "DESIGN", "building footprints")
    landuse: str = rule("landuse", "DESIGN", "land-use polygons")


class ContextMapping(_Section):
    """Layer names, and per layer a map from sijie's column name to the bureau's."""

    layers: LayerNames = LayerNames()
    columns: dict[str, dict[str, str]] = rule(
        {}, "DESIGN", "per layer: sijie column name → the bureau's column name"
    )


class Rules(_Section):
    """The whole rule set; ``Rules()`` is the default of DOMAIN.md."""

    rules_version: str = rule("sijie-default-2022", "DOMAIN", "name of this rule set")
    work_crs: str | None = rule(None, "DESIGN", "metric CRS to use instead of the local GK zone")
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
    context: ContextMapping = ContextMapping()


def clause_of(model: type[BaseModel], field: str) -> str:
    """The source clause recorded for ``field`` of a rule section."""
    extra = model.model_fields[field].json_schema_extra
    return str(extra.get("clause", "")) if isinstance(extra, dict) else ""


# The clause each boundary rule cites in its findings. A rule with numbers cites its numbers'
# clause; B1 and B2 have no number and cite the four-boundaries clause; B6 cites the seamless
# boundary and "一企一格" (an enterprise belongs to one community and one grid).
RULE_CLAUSES: dict[str, str] = {
    "B1": FOUR_BOUNDARIES,
    "B2": FOUR_BOUNDARIES,
    "B3": clause_of(BoundaryRules, "edge_share_min"),
    "B4": clause_of(BoundaryRules, "polsby_popper_min"),
    "B5": clause_of(BoundaryRules, "snap_tolerance_m"),
    "B6": f"{clause_of(BoundaryRules, 'cut_share_min')}; {ONE_ENTERPRISE_ONE_GRID}",
    "B7": clause_of(BoundaryRules, "industrial_share_min"),
    "B8": clause_of(ScaleRules, "employees_max"),
    "B9": clause_of(NamingRules, "industrial_suffix"),
    "B10": clause_of(BoundaryRules, "residents_clause"),
}


def rule_clause(rule_id: str) -> str:
    """The clause rule ``rule_id`` (``"B1"`` … ``"B10"``) cites in its findings."""
    return RULE_CLAUSES[rule_id]
