"""The neighbours' adjustment (周边村<社区>边界调整, DOMAIN.md): the community and every
neighbour's new boundary tile the town exactly, and what the neighbours give up is the
community's area.

Demo proposals are checked against invariants that need no expected numbers (a clean
coverage, the town's area, conservation of area); the clipping at the town border uses a
hand-built town (EPSG:4549, origin x=655 000, y=3 315 000) whose answer is worked out by hand.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from geo.adjust import adjust
from geo.context import build_context
from geo.errors import InputError
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from tests.geometries import BOW_TIE, EMPTY, here

CRS = "EPSG:4549"
DEMO_NAMES = ["good_industrial", "good_building", "good_custodial_enclave", "flaw_b2_disjoint",
              "flaw_b3_offroad_edge", "flaw_b4_irregular", "flaw_b5_gap", "flaw_b5_overlap",
              "flaw_b6_cut_parcel", "flaw_b7_not_industrial", "flaw_b8_oversize",
              "flaw_b9_bad_name", "flaw_b10_residents"]


@pytest.fixture(scope="module")
def ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


@pytest.fixture(scope="module")
def adjusted(ctx, proposals):
    return {name: adjust(proposal_from_frame(proposals[name]), ctx) for name in DEMO_NAMES}


def _coverage(adjustment) -> np.ndarray:
    return np.array([adjustment.proposal, *adjustment.neighbours.geometry.values], dtype=object)


# the demo town ---------------------------------------------------------------------------

def test_every_demo_proposal_is_adjusted(proposals):
    assert sorted(proposals) == sorted(DEMO_NAMES)


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_community_and_neighbours_after_are_a_valid_coverage(name, adjusted):
    assert shapely.coverage_is_valid(_coverage(adjusted[name]))


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_community_and_neighbours_after_fill_the_town(name, adjusted, ctx):
    union = shapely.union_all(_coverage(adjusted[name]))
    assert shapely.symmetric_difference(union, ctx.town).area < 1.0


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_land_given_up_adds_up_to_the_community(name, adjusted, ctx):
    adjustment = adjusted[name]
    before = ctx.layer("neighbours").geometry.values
    table = adjustment.neighbours
    assert len(table) == len(before)
    assert table["area_before_m2"].to_numpy() == pytest.approx(shapely.area(before))
    taken = shapely.area(shapely.intersection(before, adjustment.proposal))
    assert table["area_given_m2"].to_numpy() == pytest.approx(taken, abs=1.0)
    assert table["area_given_m2"].sum() == pytest.approx(adjustment.proposal.area, abs=1.0)
    assert adjustment.given["area_given_m2"].sum() == pytest.approx(adjustment.proposal.area,
                                                                      abs=1.0)


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_neighbours_stay_valid(name, adjusted):
    table = adjusted[name].neighbours
    assert table["valid"].all()
    assert shapely.is_valid(table.geometry.values).all()


def test_proposal_already_on_the_neighbours_edges_is_not_moved(adjusted, proposals):
    drawn = proposals["good_industrial"].geometry.iloc[0]
    assert shapely.symmetric_difference(adjusted["good_industrial"].proposal, drawn).area < 1.0


@pytest.mark.parametrize("name", ["flaw_b5_gap", "flaw_b5_overlap"])
def test_gap_and_overlap_slivers_are_snapped_away(name, adjusted, proposals):
    # the B5 variants are good_industrial with a 3 m sliver left or taken along one edge
    good = proposals["good_industrial"].geometry.iloc[0]
    assert shapely.symmetric_difference(adjusted[name].proposal, good).area < 1.0


# a hand-built town: two neighbours 300 m × 400 m, one road across ---------------------------
#
#   y=400 +---------+---------+
#         |  西村    |  东村    |
#   y=200 |- - - - -+- - - - -|  road
#         |         |         |
#   y=0   +---------+---------+
#         x=0       x=300     x=600

def frame(columns: dict, geoms) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[here(g) for g in geoms], crs=CRS)


def small_town(neighbours: dict[str, Polygon] | None = None):
    neighbours = neighbours or {"西村": box(0, 0, 300, 400), "东村": box(300, 0, 600, 400)}
    return build_context({
        "jurisdiction": frame({"name": ["澥川镇"]}, [box(0, 0, 600, 400)]),
        "neighbours": frame({"name": list(neighbours)}, neighbours.values()),
        "roads": frame({"class": ["branch"], "width_m": [10.0]},
                       [LineString([(0, 200), (600, 200)])]),
    }, Rules(), source="town.gpkg")


def proposal(geom):
    return proposal_from_frame(
        frame({"name": ["澥川新材料工业社区"], "type": ["工业社区"]}, [geom]))


def test_town_border_does_not_move_when_a_proposal_sticks_out():
    # 10 m beyond the east border at x=600: more than the 5 m snap, so it is clipped, not snapped
    ctx = small_town()
    adjustment = adjust(proposal(box(450, 50, 610, 150)), ctx)
    clipped = here(box(450, 50, 600, 150))
    assert shapely.symmetric_difference(adjustment.proposal, clipped).area < 1.0
    assert adjustment.area_m2 == pytest.approx(150 * 100, abs=1.0)
    union = shapely.union_all(_coverage(adjustment))
    assert shapely.symmetric_difference(union, ctx.town).area < 1.0
    east = adjustment.neighbours.set_index("name").loc["东村"]
    assert east["area_given_m2"] == pytest.approx(150 * 100, abs=1.0)


@pytest.mark.parametrize("geom", [BOW_TIE, EMPTY, Point(200, 100)],
                         ids=["bow_tie", "empty", "point"])
def test_unusable_proposal_is_refused_not_repaired(geom):
    with pytest.raises(InputError, match="cannot be adjusted"):
        adjust(proposal(geom), small_town())


def test_thin_part_of_an_untouched_neighbour_stays_with_it():
    # 东村 reaches west along the north border in a 4 m strip (西村 is cut back to y=396);
    # a proposal in the south of 西村 touches neither 东村 nor its strip
    strip = box(100, 396, 300, 400)
    ctx = small_town({"西村": box(0, 0, 300, 400).difference(strip),
                      "东村": box(300, 0, 600, 400).union(strip)})
    adjustment = adjust(proposal(box(50, 50, 250, 150)), ctx)
    assert adjustment.area_m2 == pytest.approx(200 * 100, abs=1.0)
    assert len(shapely.get_parts(adjustment.proposal)) == 1


def test_proposal_outside_the_town_is_refused():
    with pytest.raises(InputError, match="outside the town"):
        adjust(proposal(box(700, 50, 900, 150)), small_town())
