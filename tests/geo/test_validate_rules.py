"""Rules B1–B10 on a tiny hand-built town whose answers are worked out by hand.

The town and its shapes are those of ``tests/geometries.py`` (EPSG:4549, origin at x=655 000,
y=3 315 000): 1200 m × 800 m, tiled by four neighbours of 600 m × 400 m. Branch roads 10 m wide
run along x=100, x=420 (south to north) and y=50, y=370 (west to east), so an edge follows a
road within 10/2 + 5 = 10 m of its centreline (B3 defaults). ``SQUARE`` = box(100, 50, 420, 370)
is the 320 m square bounded by those four roads.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geo.context import build_context
from geo.errors import InputError
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import ERROR, INFO, WARNING, validate
from tests.geometries import (
    BOW_TIE,
    DETACHED,
    EMPTY,
    NEIGHBOURS,
    ROADS,
    SQUARE,
    SQUARE_AND_DETACHED,
    TOWN,
    here,
    l_shape,
)

CRS = "EPSG:4549"
RULES = Rules()
GOOD_NAME = "澥川新材料工业社区"


def frame(columns: dict, geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[here(g) for g in geoms], crs=CRS)


def road_frame(roads: dict[str, LineString], *, width: float | None = 10.0,
               kind: str = "branch") -> gpd.GeoDataFrame:
    return frame({"name": list(roads), "class": [kind] * len(roads),
                  "width_m": [width] * len(roads)}, roads.values())


def town(*, roads: gpd.GeoDataFrame | None = None, **layers: gpd.GeoDataFrame):
    """The context of the town; ``roads`` defaults to the four branch roads."""
    base = {"jurisdiction": frame({"name": ["澥川镇"], "code": ["330211102"]}, [TOWN]),
            "neighbours": frame({"name": list(NEIGHBOURS), "code": ["1", "2", "3", "4"],
                                 "kind": ["village", "village", "community", "community"]},
                                NEIGHBOURS.values()),
            "roads": road_frame(ROADS) if roads is None else roads}
    return build_context({**base, **layers}, RULES, source="town.gpkg")


def parcel(geom, employees: int, kind: str = "enterprise") -> gpd.GeoDataFrame:
    return frame({"kind": [kind], "name": ["宁波甬江机械有限公司"], "employees": [employees]},
                 [geom])


def proposal(geom, *, name: str = GOOD_NAME, kind: str = "工业社区", custodial=None):
    return proposal_from_frame(frame({"name": [name], "type": [kind],
                                      "custodial_parts": [custodial]}, [geom]))


def check(geom, ctx=None, **options):
    return validate(proposal(geom, **options), ctx or town())


def of_rule(report, rule: str, severity: str | None = None) -> list:
    return [f for f in report.findings
            if f.rule == rule and (severity is None or f.severity == severity)]


# B3 edges -------------------------------------------------------------------------------

def test_square_on_four_roads_follows_them_all_round():
    report = check(SQUARE)
    assert report.metrics["edge_share"] == pytest.approx(1.0)
    assert of_rule(report, "B3") == []


def test_side_following_no_road_is_one_stretch_located_on_that_side():
    # without the east road the 320 m east side follows nothing but its first and last 10 m,
    # which lie within the tolerance of the south and north roads: 300 m are loose
    ctx = town(roads=road_frame({k: v for k, v in ROADS.items() if k != "east"}))
    report = check(SQUARE, ctx)
    stretches = [f for f in of_rule(report, "B3") if f.key == "b3_loose_stretch"]
    assert len(stretches) == 1
    assert stretches[0].measure["length_m"] == pytest.approx(300.0, abs=1.0)
    expected = here(LineString([(420, 60), (420, 360)]))
    assert stretches[0].geometry.hausdorff_distance(expected) < 0.01
    assert report.metrics["edge_share"] == pytest.approx(980 / 1280, abs=1e-6)
    assert ("B3", ERROR) in {(f.rule, f.severity) for f in report.findings}  # under 90 %


@pytest.mark.parametrize(("offset", "follows"), [(17.0, True), (19.0, False)])
def test_a_road_without_width_takes_its_class_default(offset, follows):
    # an arterial with no width_m is 26 m wide: an edge follows it within 26/2 + 5 = 18 m
    others = road_frame({k: v for k, v in ROADS.items() if k != "east"})
    wide = road_frame({"east": LineString([(420 + offset, 0), (420 + offset, 800)])},
                      width=None, kind="arterial")
    ctx = town(roads=pd.concat([others, wide], ignore_index=True))
    stretches = [f for f in of_rule(check(SQUARE, ctx), "B3") if f.key == "b3_loose_stretch"]
    assert (stretches == []) is follows


# B4 regular -----------------------------------------------------------------------------

@pytest.mark.parametrize(("side", "arm", "warned"), [(300, 100, False), (400, 50, True)])
def test_l_shape_compactness_is_4_pi_area_over_perimeter_squared(side, arm, warned):
    # an L cut from a side × side square leaving arms ``arm`` wide: A = s² − (s − w)², P = 4s
    shape = l_shape(side, arm)
    area, perimeter = side**2 - (side - arm)**2, 4 * side
    expected = 4 * math.pi * area / perimeter**2  # 0.436 (300/100) and 0.184 (400/50)
    report = check(shape)
    assert report.metrics["polsby_popper"] == pytest.approx(expected, abs=1e-9)
    assert (expected < RULES.boundary.polsby_popper_min) is warned
    assert [f.severity for f in of_rule(report, "B4")] == ([WARNING] if warned else [])


# B5 seamless ----------------------------------------------------------------------------

# the east side stops 2 m short of 甲村/乙村's edge at x=600 (a 2 m × 320 m strip of 甲村 is
# left) or runs 2 m past it (a 2 m × 320 m strip of 乙村 is taken): 640 m², 2 m wide
@pytest.mark.parametrize(("east", "key", "neighbour", "sliver"), [
    (598, "b5_gap_sliver", "甲村", box(598, 50, 600, 370)),
    (602, "b5_overlap_sliver", "乙村", box(600, 50, 602, 370)),
], ids=["gap", "overlap"])
def test_sliver_along_the_neighbours_edge_is_found_and_measured(east, key, neighbour, sliver):
    report = check(box(420, 50, east, 370))
    (found,) = [f for f in of_rule(report, "B5", ERROR) if f.key == key]
    assert found.params["neighbour"] == neighbour
    assert found.measure["area_m2"] == pytest.approx(640.0, abs=0.01)
    assert found.measure["width_m"] == pytest.approx(2.0, abs=0.05)
    assert found.geometry.symmetric_difference(here(sliver)).area < 0.01


def test_existing_thin_part_of_a_neighbour_far_away_is_not_a_gap():
    # 乙村 already reaches west in a 4 m strip along y=400–404 (taken from 丙社区); the
    # proposal takes land from 乙村 500 m away and leaves no strip of its own
    strip = box(300, 400, 600, 404)
    shapes = {**NEIGHBOURS, "乙村": NEIGHBOURS["乙村"].union(strip),
              "丙社区": NEIGHBOURS["丙社区"].difference(strip)}
    neighbours = frame({"name": list(shapes)}, shapes.values())
    report = check(box(800, 50, 1100, 370), town(neighbours=neighbours))
    assert of_rule(report, "B5", ERROR) == []


def test_proposal_outside_the_town_is_a_b5_error():
    report = check(box(1300, 100, 1500, 300))
    outside = [f for f in of_rule(report, "B5", ERROR) if f.key == "b5_outside_town"]
    assert len(outside) == 1
    assert outside[0].measure["area_m2"] == pytest.approx(200 * 200)
    assert report.neighbours == []


# B2 contiguous --------------------------------------------------------------------------

def test_disjoint_second_part_is_a_b2_error():
    b2 = of_rule(check(SQUARE_AND_DETACHED), "B2")
    assert [(f.severity, f.measure["part"]) for f in b2] == [(ERROR, 2)]
    assert b2[0].measure["area_m2"] == pytest.approx(10_000)
    assert b2[0].geometry.equals(here(DETACHED))


def test_declared_custodial_part_is_b2_info_not_an_error():
    declared = json.dumps([{"part": 2, "reason": "飞地企业暂由本社区托管"}], ensure_ascii=False)
    b2 = of_rule(check(SQUARE_AND_DETACHED, custodial=declared), "B2")
    assert [(f.severity, f.measure["part"]) for f in b2] == [(INFO, 2)]
    assert b2[0].params["reason"] == "飞地企业暂由本社区托管"


# B6 holdings, B8 scale ------------------------------------------------------------------

def test_enterprise_parcel_cut_40_60_is_a_b6_error_with_both_shares():
    # the parcel spans x 380–480; the square's east side at x=420 leaves 40 m of 100 inside
    cut = box(380, 150, 480, 250)
    report = check(SQUARE, town(parcels=parcel(cut, 100)))
    b6 = of_rule(report, "B6", ERROR)
    assert len(b6) == 1
    assert b6[0].measure["share_inside"] == pytest.approx(0.4, abs=1e-9)
    assert b6[0].measure["share_outside"] == pytest.approx(0.6, abs=1e-9)
    assert b6[0].geometry.equals(here(cut))
    assert report.metrics["employees"] == 40  # a cut enterprise counts by its share inside


def test_cut_vacant_parcel_is_not_a_holding():
    report = check(SQUARE, town(parcels=parcel(box(380, 150, 480, 250), 0, kind="vacant")))
    assert of_rule(report, "B6", ERROR) == []


@pytest.mark.parametrize(("extra", "severity"), [(0, WARNING), (1, ERROR)])
def test_employees_above_the_maximum_are_a_b8_error(extra, severity):
    # M itself is allowed (and far from N: a warning); one more is an error
    employees = RULES.scale.employees_max + extra
    report = check(SQUARE, town(parcels=parcel(box(150, 100, 250, 200), employees)))
    assert report.metrics["employees"] == employees
    assert [f.severity for f in of_rule(report, "B8")] == [severity]


# B9 name, B10 residents -----------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [("澥川新材料产业园", "工业社区"),
                                            ("澥川商务工业社区", "楼宇社区"),
                                            ("工业社区", "工业社区")])
def test_name_not_ending_in_the_types_suffix_is_a_b9_error(name, kind):
    assert [f.severity for f in of_rule(check(SQUARE, name=name, kind=kind), "B9")] == [ERROR]


def test_name_ending_in_the_types_suffix_passes():
    assert of_rule(check(SQUARE, name="澥川商务楼宇社区", kind="楼宇社区"), "B9") == []


def test_residential_land_inside_is_a_b10_warning():
    homes = box(150, 100, 250, 200)
    landuse = frame({"class": ["residential", "industrial"]}, [homes, box(250, 100, 400, 350)])
    b10 = of_rule(check(SQUARE, town(landuse=landuse)), "B10")
    assert [f.severity for f in b10] == [WARNING]
    assert b10[0].measure["area_m2"] == pytest.approx(100 * 100)
    assert b10[0].geometry.symmetric_difference(here(homes)).area < 0.01


# B1 valid -------------------------------------------------------------------------------

@pytest.mark.parametrize(("geom", "key"), [(BOW_TIE, "b1_invalid"), (EMPTY, "b1_empty"),
                                           (Point(200, 150), "b1_not_polygon")])
def test_unusable_boundary_is_a_b1_error_and_stops_the_checks(geom, key):
    report = check(geom)
    assert [(f.rule, f.severity, f.key) for f in report.findings] == [("B1", ERROR, key)]
    assert report.metrics["area_m2"] is None and report.neighbours == []


def test_self_intersection_is_located_at_the_crossing():
    (finding,) = check(BOW_TIE).findings
    assert finding.geometry.geom_type == "Point"
    assert finding.geometry.distance(here(Point(200, 150))) < 1e-6


def test_name_is_still_checked_when_the_boundary_is_invalid():
    report = check(BOW_TIE, name="澥川新材料产业园")
    assert {(f.rule, f.severity) for f in report.findings} == {("B1", ERROR), ("B9", ERROR)}


# the context ----------------------------------------------------------------------------

def test_context_without_roads_is_refused_naming_the_layer():
    layers = {"neighbours": frame({"name": list(NEIGHBOURS)}, NEIGHBOURS.values())}
    with pytest.raises(InputError, match="'roads'"):
        build_context(layers, RULES, source="town.gpkg")
    with pytest.raises(InputError, match="'roads'"):
        build_context({**layers, "roads": None}, RULES, source="town.gpkg")
