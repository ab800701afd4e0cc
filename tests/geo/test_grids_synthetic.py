"""Grids and micro-grids of random towns drawn from fixed seeds and of tiny hand-built towns.

Random towns: a jittered lattice of road blocks (EPSG:4549, origin x=655 000, y=3 315 000)
with enterprise plots, a park, plots straddling a road, buildings on and off the plots; the
checks of ``tests/geo/test_grids.py`` must hold for every seed.

Hand-built towns have answers worked out by hand. Their blocks are 400 m squares in a row or a
2 × 2 square, bounded by roads, each block holding plots of known employees:

    2 × 2:  +-----+-----+        row:  +-----+-----+-----+-----+
            | NW  | NE  |              |  1  |  2  |  3  |  4  |
            +-----+-----+              +-----+-----+-----+-----+
            | SW  | SE  |              x=0   400   800  1200  1600
            +-----+-----+
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Polygon, box

from geo.context import build_context
from geo.grids import make_grids
from geo.i18n import t
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from tests.geo.test_grids import (
    BUILDING_MIN_M2,
    OCCUPANCY,
    REGISTRATION,
    ROLES,
    TAX_SHARE,
    TOWN_CODE,
    assert_codes_read_north_west_to_south_east,
    assert_microgrids_in_one_grid_each,
    assert_plan_holds,
    assert_within_capacity_unless_reported,
    cut_parcels,
    staffed_parcels,
    tiling_gap_m2,
    worst_overlap_m2,
)
from tests.geometries import here

CRS = "EPSG:4549"
RULES = Rules()
CODE = "330211102901"
SEEDS = [11, 23, 37, 41, 59]


def frame(columns: dict, geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[here(g) for g in geoms], crs=CRS)


def plots(shapes: list, employees: list, kinds: list[str] | None = None) -> gpd.GeoDataFrame:
    kinds = kinds or ["enterprise"] * len(shapes)
    return frame({"kind": kinds, "name": [f"企业{i:03d}" for i in range(len(shapes))],
                  "employees": employees}, shapes)


def buildings(shapes: list, floor_area: list[float], registry: list[tuple]) -> gpd.GeoDataFrame:
    occupancy, registration, tax = zip(*registry, strict=True) if registry else ((), (), ())
    return frame({"use": ["industrial"] * len(shapes),
                  "name": [f"{i + 1}号楼" for i in range(len(shapes))],
                  "floors": [3] * len(shapes), "floor_area_m2": floor_area,
                  "occupancy": list(occupancy), "registration": list(registration),
                  "tax_share": list(tax)}, shapes)


def roads(lines: list[LineString]) -> gpd.GeoDataFrame:
    return frame({"name": [f"路{i}" for i in range(len(lines))], "class": ["branch"] * len(lines),
                  "width_m": [10.0] * len(lines)}, lines)


def town(extent, *, road_lines: list[LineString], **layers: gpd.GeoDataFrame):
    """The context: one neighbour around everything, the given roads and layers."""
    around = box(*extent).buffer(500, join_style="mitre")
    base = {"jurisdiction": frame({"name": ["澥川镇"], "code": [TOWN_CODE]}, [around]),
            "neighbours": frame({"name": ["甲村"], "code": ["1"], "kind": ["village"]}, [around]),
            "roads": roads(road_lines)}
    return build_context({**base, **layers}, RULES, source="town.gpkg")


def proposal(geom, kind: str = "工业社区"):
    return proposal_from_frame(frame({"name": ["澥川新材料工业社区"], "type": [kind]}, [geom]))


def plan_of(geom, ctx, kind: str = "工业社区"):
    return make_grids(proposal(geom, kind), ctx, community_code=CODE)


def grid_holding(plan, point) -> str:
    """The code of the grid holding a point given in local metres."""
    inside = shapely.contains(plan.grids.geometry.values, here(shapely.Point(point)))
    assert inside.sum() == 1
    return plan.grids["code"].values[int(np.flatnonzero(inside)[0])]


def row_town(n_blocks: int, per_block: list, *, employees_known: bool = True):
    """A row of 400 m blocks between roads; ``per_block[i]`` lists block i's plot employees."""
    lines = [LineString([(400 * i, -100), (400 * i, 500)]) for i in range(n_blocks + 1)]
    lines += [LineString([(-100, y), (400 * n_blocks + 100, y)]) for y in (0, 400)]
    shapes, employees = [], []
    for i, block in enumerate(per_block):
        for j, e in enumerate(block):
            x, y = 400 * i + 20 + 60 * (j % 6), 20 + 60 * (j // 6)
            shapes.append(box(x, y, x + 50, y + 50))
            employees.append(e if employees_known else None)
    ctx = town((0, 0, 400 * n_blocks, 400), road_lines=lines, parcels=plots(shapes, employees))
    return ctx, box(0, 0, 400 * n_blocks, 400)


# random towns ---------------------------------------------------------------------------

def random_town(seed: int):
    """A jittered 5 × 4 lattice of ~300 m blocks; the community is all blocks but a corner."""
    rng = np.random.default_rng(seed)
    cols, rows, step = 5, 4, 300.0
    vx, vy = np.meshgrid(np.arange(cols + 1) * step, np.arange(rows + 1) * step)
    vx = vx + rng.uniform(-45, 45, vx.shape)
    vy = vy + rng.uniform(-45, 45, vy.shape)

    def corner(r: float, c: float) -> tuple[float, float]:
        """A point of the lattice by bilinear interpolation (r, c may be fractional)."""
        r0, c0 = min(int(r), rows - 1), min(int(c), cols - 1)
        fr, fc = r - r0, c - c0
        x = ((1 - fr) * ((1 - fc) * vx[r0, c0] + fc * vx[r0, c0 + 1])
             + fr * ((1 - fc) * vx[r0 + 1, c0] + fc * vx[r0 + 1, c0 + 1]))
        y = ((1 - fr) * ((1 - fc) * vy[r0, c0] + fc * vy[r0, c0 + 1])
             + fr * ((1 - fc) * vy[r0 + 1, c0] + fc * vy[r0 + 1, c0 + 1]))
        return float(x), float(y)

    def quad(r: float, c: float, size: float, shrink: float) -> Polygon:
        ring = Polygon([corner(r, c), corner(r, c + size), corner(r + size, c + size),
                        corner(r + size, c)])
        return shapely.affinity.scale(ring, shrink, shrink, origin="centroid")

    dropped = [(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1)][seed % 4]
    blocks = [(r, c) for r in range(rows) for c in range(cols) if (r, c) != dropped]
    community = shapely.union_all([quad(r, c, 1, 1.0) for r, c in blocks])
    lines = [LineString([corner(r, c) for c in range(cols + 1)]) for r in range(rows + 1)]
    lines += [LineString([corner(r, c) for r in range(rows + 1)]) for c in range(cols + 1)]
    shapes, employees, kinds, houses, floor, registry = [], [], [], [], [], []
    for r, c in blocks:
        taken = rng.random(4) < 0.6
        for k in range(4):
            sr, sc = r + 0.5 * (k // 2), c + 0.5 * (k % 2)
            if taken[k]:
                shapes.append(quad(sr, sc, 0.5, 0.7))
                employees.append(float(min(rng.lognormal(math.log(90), 0.9), 1_200)))
                kinds.append("enterprise")
                houses.append(quad(sr, sc, 0.5, 0.4))
            elif rng.random() < 0.3:  # a building on land no plot holds
                houses.append(quad(sr, sc, 0.5, 0.3))
            else:
                continue
            floor.append(float(rng.choice([600.0, 999.0, 1_000.0, 4_000.0, 12_000.0])))
            registry.append((float(rng.uniform(0.7, 1.0)), float(rng.uniform(0.75, 1.0)),
                             float(rng.uniform(0.0, 0.25))))
    kinds[int(rng.integers(len(kinds)))] = "park"
    employees[int(rng.integers(len(employees)))] = 1_600.0  # one plot alone over capacity
    # small plots across two interior roads: their blocks become one unit
    for r, c in ((1, 2), (2, 1)):
        x, y = corner(r, c + 0.5)
        shapes.append(box(x - 12, y - 12, x + 12, y + 12))
        employees.append(float(rng.integers(5, 60)))
        kinds.append("enterprise")
    ctx = town(community.bounds, road_lines=lines, parcels=plots(shapes, employees, kinds),
               buildings=buildings(houses, floor, registry))
    return ctx, community


@pytest.fixture(scope="module")
def random_plans():
    made = {}
    for seed in SEEDS:
        ctx, community = random_town(seed)
        made[seed] = (ctx, here(community), plan_of(community, ctx))
    return made


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_grids_tile_it_exactly(seed, random_plans):
    _ctx, community, plan = random_plans[seed]
    assert tiling_gap_m2(plan, community) < 1.0
    assert worst_overlap_m2(plan) <= 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_grids_are_each_one_polygon(seed, random_plans):
    _, _, plan = random_plans[seed]
    assert all(g.geom_type == "Polygon" and g.is_valid for g in plan.grids.geometry)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_plots_are_never_cut_even_across_a_road(seed, random_plans):
    ctx, community, plan = random_plans[seed]
    assert cut_parcels(plan, ctx, community) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_capacity_holds_but_for_the_reported_oversize_plot(seed, random_plans):
    ctx, community, plan = random_plans[seed]
    assert_within_capacity_unless_reported(plan, ctx, community)
    # the 1,600-employee plot is the one grid over capacity
    assert plan.grids["oversize"].sum() == 1
    assert plan.notes == ["oversize_unit"]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_microgrids_lie_in_one_grid_and_extend_its_code(seed, random_plans):
    assert_microgrids_in_one_grid_each(random_plans[seed][2])


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_codes_read_north_west_to_south_east(seed, random_plans):
    assert_codes_read_north_west_to_south_east(random_plans[seed][2], CODE)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_town_microgrids_are_plots_and_large_buildings_off_them(seed, random_plans):
    ctx, community, plan = random_plans[seed]
    micro = plan.microgrids
    held = staffed_parcels(ctx, community)
    houses = ctx.layer("buildings")
    large = houses[houses["floor_area_m2"] >= BUILDING_MIN_M2]
    off = ~shapely.within(shapely.point_on_surface(large.geometry.values),
                          shapely.union_all(held.geometry.values))
    assert (micro["kind"] == "enterprise").sum() == (held["kind"] == "enterprise").sum()
    assert (micro["kind"] == "park").sum() == 1
    assert sorted(micro.loc[micro["kind"] == "building", "name"]) == sorted(large["name"][off])


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_random_town_rerun_gives_identical_grids_and_codes(seed, random_plans):
    _, _, first = random_plans[seed]
    ctx, community = random_town(seed)
    again = plan_of(community, ctx)
    assert_geodataframe_equal(again.grids, first.grids, check_less_precise=True)
    assert_geodataframe_equal(again.microgrids, first.microgrids, check_less_precise=True)


def test_random_towns_hold_every_property_together(random_plans):
    for ctx, community, plan in random_plans.values():
        assert_plan_holds(plan, ctx, community, CODE)
        assert set(ROLES) <= set(plan.grids.columns)
        assert plan.grids[list(ROLES)].isna().all().all()


# hand-built towns -----------------------------------------------------------------------

def two_by_two(employees: int):
    lines = [LineString([(x, -100), (x, 900)]) for x in (0, 400, 800)]
    lines += [LineString([(-100, y), (900, y)]) for y in (0, 400, 800)]
    corners = {"SW": (0, 0), "SE": (400, 0), "NW": (0, 400), "NE": (400, 400)}
    shapes = [box(x + 100, y + 100, x + 300, y + 300) for x, y in corners.values()]
    ctx = town((0, 0, 800, 800), road_lines=lines,
               parcels=plots(shapes, [employees] * 4))
    return ctx, box(0, 0, 800, 800)


def test_four_full_blocks_are_four_grids_numbered_nw_ne_sw_se():
    ctx, community = two_by_two(1_000)  # no two blocks fit in one grid of 1,300
    plan = plan_of(community, ctx)
    assert len(plan.grids) == 4
    expected = {(200, 600): "001", (600, 600): "002", (200, 200): "003", (600, 200): "004"}
    for point, seq in expected.items():
        assert grid_holding(plan, point) == CODE + seq
    for grid in plan.grids.geometry:
        assert math.isclose(grid.area, 400 * 400, abs_tol=0.01)


def test_light_blocks_in_a_row_pair_up_into_the_fewest_grids():
    # 600 employees a block: two blocks fit (1,200), three do not (1,800), so the only
    # two-grid plan within the cap is blocks 1+2 and 3+4
    ctx, community = row_town(4, [[300, 300]] * 4)
    plan = plan_of(community, ctx)
    assert len(plan.grids) == 2
    assert grid_holding(plan, (200, 200)) == grid_holding(plan, (600, 200)) == CODE + "001"
    assert grid_holding(plan, (1000, 200)) == grid_holding(plan, (1400, 200)) == CODE + "002"
    assert sorted(plan.grids["employees"]) == [1200, 1200]


def test_a_plot_alone_over_capacity_is_its_own_grid_and_reported():
    ctx, community = row_town(3, [[2_000], [500], [500]])
    plan = plan_of(community, ctx)
    assert len(plan.grids) == 2
    assert plan.notes == ["oversize_unit"]
    big = plan.grids[plan.grids["oversize"]]
    assert len(big) == 1 and big["employees"].iloc[0] == 2_000
    assert math.isclose(big.geometry.iloc[0].area, 400 * 400, abs_tol=0.01)
    assert grid_holding(plan, (600, 200)) == grid_holding(plan, (1000, 200))


def test_without_employee_numbers_grids_fall_back_to_enterprises_and_area():
    # 15 enterprises a block: two blocks (30) fit the cap of 39, three (45) do not
    ctx, community = row_town(4, [[None] * 15] * 4, employees_known=False)
    plan = plan_of(community, ctx)
    assert plan.notes == ["no_employees"]
    assert "企业" in t("no_employees") and "面积" in t("no_employees")
    assert sorted(plan.grids["enterprises"]) == [30, 30]
    assert grid_holding(plan, (200, 200)) == grid_holding(plan, (600, 200))
    assert grid_holding(plan, (1000, 200)) == grid_holding(plan, (1400, 200))


def test_without_employee_numbers_a_large_area_still_splits_by_area():
    # four 0.36 km² blocks with no plots: 1.3 km² holds three blocks (1.08 km²), not four
    lines = [LineString([(600 * i, -100), (600 * i, 700)]) for i in range(5)]
    lines += [LineString([(-100, y), (2500, y)]) for y in (0, 600)]
    ctx = town((0, 0, 2400, 600), road_lines=lines)
    plan = plan_of(box(0, 0, 2400, 600), ctx)
    assert plan.notes == ["no_employees"]
    assert len(plan.grids) == 2
    assert all(g.area <= 1.3e6 for g in plan.grids.geometry)


def test_a_community_with_no_road_inside_is_one_unit_and_one_grid_when_light():
    lines = [LineString([(-100, -50), (700, -50)])]  # outside the community
    shapes = [box(50, 50, 150, 150), box(250, 50, 350, 150), box(450, 50, 550, 150)]
    ctx = town((0, 0, 600, 400), road_lines=lines, parcels=plots(shapes, [300, 300, 300]))
    plan = plan_of(box(0, 0, 600, 400), ctx)
    assert plan.units == 1 and len(plan.grids) == 1
    assert shapely.equals_exact(plan.grids.geometry.iloc[0].normalize(),
                                here(box(0, 0, 600, 400)).normalize(), tolerance=0.01)


def test_a_community_with_no_road_inside_is_split_by_its_plots_when_heavy():
    # one road-less unit of 2,400 employees: divided by its three 800-employee plots, none cut
    shapes = [box(50, 50, 150, 350), box(250, 50, 350, 350), box(450, 50, 550, 350)]
    lines = [LineString([(-100, -50), (700, -50)])]
    ctx = town((0, 0, 600, 400), road_lines=lines, parcels=plots(shapes, [800, 800, 800]))
    community = box(0, 0, 600, 400)
    plan = plan_of(community, ctx)
    assert plan.units == 3 and len(plan.grids) == 3
    assert plan.notes == []
    assert tiling_gap_m2(plan, here(community)) < 1.0
    assert cut_parcels(plan, ctx, here(community)) == []
    assert sorted(plan.grids["employees"]) == [800, 800, 800]


def test_a_plot_across_a_road_keeps_both_blocks_together_and_is_not_cut():
    # plots of 700 in each block and a 100 across the road x=400: the blocks are one unit of
    # 1,500, over the cap, so it is divided by its plots: two grids, the road plot whole
    lines = [LineString([(x, -100), (x, 500)]) for x in (0, 400, 800)]
    lines += [LineString([(-100, y), (900, y)]) for y in (0, 400)]
    shapes = [box(100, 100, 300, 300), box(500, 100, 700, 300), box(380, 340, 420, 380)]
    ctx = town((0, 0, 800, 400), road_lines=lines, parcels=plots(shapes, [700, 700, 100]))
    community = box(0, 0, 800, 400)
    plan = plan_of(community, ctx)
    assert len(plan.grids) == 2 and not plan.grids["oversize"].any()
    assert cut_parcels(plan, ctx, here(community)) == []
    assert tiling_gap_m2(plan, here(community)) < 1.0
    assert sorted(plan.grids["employees"]) == [700, 800]


def test_registered_buildings_are_micro_grids_with_their_registry_figures():
    lines = [LineString([(-100, -50), (700, -50)])]
    shapes = [box(50 + 100 * i, 50, 130 + 100 * i, 130) for i in range(4)]
    registry = [(OCCUPANCY, REGISTRATION, TAX_SHARE), (0.849, 0.899, 0.099),
                (0.95, 0.95, 0.3), (None, None, None)]
    ctx = town((0, 0, 600, 400), road_lines=lines,
               buildings=buildings(shapes, [1_000.0, 5_000.0, 999.0, 2_000.0], registry))
    micro = plan_of(box(0, 0, 600, 400), ctx).microgrids.sort_values("name")
    # the 999 m² building is not registered, so not a micro-grid
    assert list(micro["name"]) == ["1号楼", "2号楼", "4号楼"]
    assert list(micro["occupancy"])[:2] == [OCCUPANCY, 0.849]
    assert not [c for c in micro.columns if c.startswith("meets_")]


def test_building_community_microgrids_are_its_buildings_and_bare_plots():
    # plot A holds a 3,000 m² building, plot B only a 600 m² one: the building is A's
    # micro-grid, B is its own; in an industrial community A would be the micro-grid
    lines = [LineString([(-100, -50), (700, -50)])]
    plot_shapes = [box(50, 50, 250, 250), box(350, 50, 550, 250)]
    houses = [box(100, 100, 200, 200), box(400, 100, 500, 200)]
    ctx = town((0, 0, 600, 400), road_lines=lines, parcels=plots(plot_shapes, [200, 100]),
               buildings=buildings(houses, [3_000.0, 600.0], [(0.9, 0.95, 0.2)] * 2))
    community = box(0, 0, 600, 400)
    as_building = plan_of(community, ctx, "楼宇社区").microgrids
    assert sorted(zip(as_building["kind"], as_building["name"], strict=True)) == [
        ("building", "1号楼"), ("enterprise", "企业001")]
    as_industrial = plan_of(community, ctx).microgrids
    assert sorted(as_industrial["kind"]) == ["enterprise", "enterprise"]
