"""Facility land (004 第三十条, 第三十二条): sites of 3,000–5,000 m² on available land, buildable,
on a road, fitting the programme, nearest to the employees; near misses when none qualifies.

The demo checks re-measure the chosen site with plain shapely, not with the search's code. The
hand-built town is the 1200 m × 800 m town of ``test_validate_rules`` (four branch roads 10 m
wide along x=100, x=420, y=50, y=370), with land use and parcels drawn per test.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.errors import InputError
from geo.facility import explain, find_sites, headline
from geo.io import read_context, read_layer
from geo.proposal import proposal_from_frame
from geo.rules import Rules, load_rules
from tests.geo.test_validate_rules import frame, proposal, town
from tests.geometries import SQUARE, bow_tie, here

PROGRAMME_M2 = 200 + 100 + 50 + 30 + 30 + 200 + 400 + 100  # the rooms of 004 第三十二条


@pytest.fixture(scope="module")
def demo_ctx(demo_dir):
    return read_context(demo_dir / "context.gpkg", load_rules(None))


@pytest.fixture(scope="module", params=["good_industrial", "good_building"])
def demo_best(request, demo_dir, demo_ctx):
    path = demo_dir / "proposals" / f"{request.param}.gpkg"
    prop = proposal_from_frame(read_layer(path))
    result = find_sites(prop, demo_ctx)
    assert result.qualified, headline(result, demo_ctx.rules.facility)
    return prop.to_crs(demo_ctx.crs), result.sites.iloc[0], demo_ctx


def test_top_demo_site_is_3000_to_5000_m2_inside_the_community(demo_best):
    community, site, _ = demo_best
    assert 3_000 <= site.geometry.area <= 5_000
    assert community.buffer(0.01).contains(site.geometry)


def test_top_demo_site_is_on_vacant_or_to_be_consolidated_land_and_no_enterprise_plot(demo_best):
    _, site, ctx = demo_best
    landuse = ctx.layer("landuse")
    pieces = landuse.geometry.intersection(site.geometry).area
    available = pieces[landuse["class"].isin(["vacant", "to_consolidate"])].sum()
    assert available / site.geometry.area >= 0.95
    never = landuse["class"].isin(["water", "road", "farmland_protected", "ecological_redline"])
    assert pieces[never].sum() < 1.0
    parcels = ctx.layer("parcels")
    taken = parcels.geometry.intersection(site.geometry).area[parcels["kind"] == "enterprise"]
    assert taken.sum() < 1.0


def test_top_demo_site_fronts_a_branch_road_or_better_for_20_m(demo_best):
    _, site, ctx = demo_best
    roads = ctx.layer("roads")
    roads = roads[roads["class"].isin(["arterial", "secondary", "branch"])]
    widths = roads["width_m"].fillna(10.0)
    reach = shapely.union_all(roads.geometry.buffer(widths / 2 + 5.0).values)
    assert site.geometry.boundary.intersection(reach).length >= 20.0


def test_top_demo_site_fits_the_programme_and_its_plaza(demo_best):
    _, site, ctx = demo_best
    rules = ctx.rules.facility
    area = site.geometry.area
    assert site.floor_needed_m2 == pytest.approx(max(PROGRAMME_M2, 500))
    assert rules.plot_ratio_max * area >= PROGRAMME_M2
    footprint = PROGRAMME_M2 / rules.max_floors
    assert footprint <= rules.site_coverage_max * area
    assert area - footprint >= 1_000  # the outdoor sports plaza
    radius = shapely.maximum_inscribed_circle(site.geometry, 0.5).length
    assert 2 * radius >= rules.min_width_m


def test_demo_reason_names_area_road_and_distance_in_chinese(demo_best):
    _, site, ctx = demo_best
    text = explain(site, ctx.rules.facility, "zh")
    assert "面积" in text and "临" in text and "职工加权平均距离" in text


# hand-built town ---------------------------------------------------------------------------

def land(pairs) -> gpd.GeoDataFrame:
    """A land-use layer from (geometry, class) pairs in local metres."""
    return frame({"class": [c for _, c in pairs]}, [g for g, _ in pairs])


def plots(pairs) -> gpd.GeoDataFrame:
    """A parcels layer from (geometry, kind, employees) triples in local metres."""
    return frame({"kind": [k for _, k, _ in pairs], "name": [f"地块{i}" for i in range(len(pairs))],
                  "employees": [e for _, _, e in pairs]}, [g for g, _, _ in pairs])


def test_no_available_land_gives_near_misses_with_reasons_not_nothing():
    ctx = town(landuse=land([(SQUARE, "industrial")]),
               parcels=plots([(box(110, 60, 410, 360), "enterprise", 800)]))
    result = find_sites(proposal(SQUARE), ctx)
    assert not result.qualified
    assert len(result.sites) > 0
    assert result.largest_available_m2 == 0
    assert all("available" in row.failed for row in result.sites.itertuples())
    assert "没有闲置或待整理用地" in headline(result, ctx.rules.facility, "zh")
    assert "可用地" in explain(result.sites.iloc[0], ctx.rules.facility, "zh")


def test_small_vacant_plot_is_a_near_miss_that_names_its_area():
    # 60 m × 44 m = 2,640 m² of vacant land on the south road: too small
    small = box(200, 55, 260, 99)
    ctx = town(landuse=land([(SQUARE.difference(small), "industrial"), (small, "vacant")]))
    result = find_sites(proposal(SQUARE), ctx)
    assert not result.qualified
    assert result.largest_available_m2 == pytest.approx(2_640.0)
    assert "2,640" in headline(result, ctx.rules.facility, "zh")
    top = result.sites.iloc[0]
    assert "area" in top.failed.split(",")
    assert "2,640 ㎡" in explain(top, ctx.rules.facility, "zh")


def test_vacant_plot_off_every_road_fails_frontage():
    inner = box(220, 150, 290, 210)  # 70 m × 60 m in the middle of the square: 90 m from roads
    ctx = town(landuse=land([(SQUARE.difference(inner), "industrial"), (inner, "vacant")]))
    result = find_sites(proposal(SQUARE), ctx)
    assert not result.qualified
    assert result.sites.iloc[0].failed == "frontage"


def test_large_vacant_plot_is_cut_to_the_target_size_leaving_a_usable_remainder():
    big = box(105, 55, 255, 175)  # 150 m × 120 m = 18,000 m² on the west and south roads
    ctx = town(landuse=land([(SQUARE.difference(big), "industrial"), (big, "vacant")]))
    result = find_sites(proposal(SQUARE), ctx)
    assert result.qualified
    for site in result.sites.itertuples():
        assert site.source == "part"
        assert site.area_m2 == pytest.approx(4_000.0, abs=1.0)
        rest = here(big).difference(site.geometry)
        assert rest.area >= 3_000


def test_site_nearest_to_the_employees_ranks_first():
    west = box(105, 150, 165, 220)  # 60 m × 70 m = 4,200 m² on the west road
    east = box(355, 150, 415, 220)  # the same on the east road
    factory = box(110, 240, 200, 360)
    ctx = town(landuse=land([(SQUARE.difference(west).difference(east), "industrial"),
                             (west, "vacant"), (east, "vacant")]),
               parcels=plots([(factory, "enterprise", 900)]))
    result = find_sites(proposal(SQUARE), ctx)
    assert result.qualified and len(result.sites) == 2
    first, second = result.sites.iloc[0], result.sites.iloc[1]
    assert first.geometry.centroid.x < second.geometry.centroid.x  # the west plot
    assert first.distance_m < second.distance_m


def test_changing_the_rules_range_changes_what_qualifies():
    plot = box(105, 55, 165, 99)  # 60 m × 44 m = 2,640 m² on the west and south roads
    ctx = town(landuse=land([(SQUARE.difference(plot), "industrial"), (plot, "vacant")]))
    assert not find_sites(proposal(SQUARE), ctx).qualified
    relaxed = Rules.model_validate({"facility": {"land_min_m2": 2_500.0}})
    result = find_sites(proposal(SQUARE), ctx.with_rules(relaxed))
    assert result.qualified
    assert result.sites.iloc[0].area_m2 == pytest.approx(2_640.0)


def test_invalid_proposal_is_refused_with_its_validity_finding():
    with pytest.raises(InputError, match=r"self-intersection|Self-intersection"):
        find_sites(proposal(bow_tie(*SQUARE.bounds)), town())
