"""Facility ranking is exact over its candidates and offers distinct alternatives.

The best site must be the one a brute-force search finds over the same candidates (every
qualifying site measured along the roads with :meth:`RoadNetwork.distance_from`), and no two
ranked sites may share land (two cuts of one plot are one alternative).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from geo.facility import NETWORK_MARGIN_M, find_sites
from geo.facility.candidates import candidate_sites
from geo.facility.checks import check_site
from geo.io import read_context, read_layer
from geo.measure import STAFFED
from geo.network import road_network
from geo.proposal import proposal_from_frame
from geo.rules import load_rules

QUALIFYING = ["good_industrial", "good_building", "flaw_b8_oversize"]


@pytest.fixture(scope="module")
def demo_ctx(demo_dir):
    return read_context(demo_dir / "context.gpkg", load_rules(None))


def _proposal(demo_dir, name):
    return proposal_from_frame(read_layer(demo_dir / "proposals" / f"{name}.gpkg"))


def _brute_force_best(geom, ctx) -> float:
    """The least employee-weighted road distance of any qualifying candidate, site by site."""
    parcels = ctx.layer("parcels")
    staffed = parcels[parcels["kind"].isin(STAFFED)]
    points = shapely.point_on_surface(staffed.geometry.values)
    inside = shapely.within(points, geom)
    xy = shapely.get_coordinates(points[inside])
    weights = np.nan_to_num(staffed["employees"].to_numpy(float)[inside])
    roads = ctx.layer("roads")
    near = shapely.intersects(roads.geometry.values, geom.buffer(NETWORK_MARGIN_M))
    network = road_network(roads.geometry.to_numpy()[near])
    best = np.inf
    for candidate in candidate_sites(ctx, geom):
        if check_site(candidate, ctx).failed:
            continue
        origin = shapely.get_coordinates(candidate.geometry.point_on_surface())[0]
        distance = (network.distance_from(xy, tuple(origin)) * weights).sum() / weights.sum()
        best = min(best, float(distance))
    return best


@pytest.mark.parametrize("name", QUALIFYING)
def test_best_demo_site_is_the_nearest_by_road_of_all_qualifying_candidates(demo_dir, demo_ctx,
                                                                             name):
    prop = _proposal(demo_dir, name)
    result = find_sites(prop, demo_ctx)
    assert result.qualified
    assert result.best["distance_kind"] == "network"
    assert result.best["distance_m"] == pytest.approx(
        _brute_force_best(prop.to_crs(demo_ctx.crs), demo_ctx), abs=0.01)


@pytest.mark.parametrize("name", QUALIFYING)
def test_ranked_demo_sites_share_no_land(demo_dir, demo_ctx, name):
    sites = find_sites(_proposal(demo_dir, name), demo_ctx).sites.geometry.to_numpy()
    assert len(sites) == demo_ctx.rules.facility.top_n
    shared = [(i + 1, j + 1, shapely.intersection(sites[i], sites[j]).area)
              for i in range(len(sites)) for j in range(i + 1, len(sites))]
    assert [s for s in shared if s[2] >= 1.0] == []


def test_ranked_sites_are_ordered_by_road_distance(demo_dir, demo_ctx):
    sites = find_sites(_proposal(demo_dir, "good_building"), demo_ctx).sites
    assert list(sites["distance_m"]) == sorted(sites["distance_m"])


def test_mean_road_distance_of_many_origins_is_the_mean_of_each():
    # an L of roads (300 m east, then 200 m north) and a separate road no one can reach
    network = road_network(np.array([LineString([(0, 0), (300, 0)]),
                                     LineString([(300, 0), (300, 200)]),
                                     LineString([(1000, 0), (1000, 50)])], dtype=object))
    xy = np.array([[0.0, 10.0], [300.0, 190.0], [40.0, -5.0], [1000.0, 60.0]])
    weights = np.array([10.0, 30.0, 5.0, 2.0])
    origins = np.array([[0.0, 0.0], [290.0, 200.0], [1000.0, 40.0]])
    each = [(network.distance_from(xy, (x, y)) * weights).sum() / weights.sum()
            for x, y in origins]
    assert network.mean_distances(xy, weights, origins) == pytest.approx(each)
    # by hand, from (0, 0): 10 m; 500 m along and 10 m off; √(40² + 5²) to the junction it
    # is nearest; the point by the far road cannot be reached, so straight: √(1000² + 60²)
    by_hand = (10 * 10 + 30 * 510 + 5 * np.hypot(40, 5) + 2 * np.hypot(1000, 60)) / 47
    assert each[0] == pytest.approx(by_hand)


def _ranked(result) -> list[tuple[bytes, float]]:
    return [(shapely.to_wkb(g), round(float(d), 6))
            for g, d in zip(result.sites.geometry, result.sites["distance_m"], strict=True)]


def test_what_a_town_keeps_between_searches_never_changes_another_communitys_sites(demo_dir):
    """The plots' checks, staffed places and road networks a context keeps after one search
    give every later search, of any community, the sites a fresh context gives it."""
    names = sorted(p.stem for p in (demo_dir / "proposals").glob("*.gpkg"))
    shared = read_context(demo_dir / "context.gpkg", load_rules(None))
    for name in [*names, *reversed(names)]:  # each searched after others, twice
        fresh = read_context(demo_dir / "context.gpkg", load_rules(None))
        expected = find_sites(_proposal(demo_dir, name), fresh)
        got = find_sites(_proposal(demo_dir, name), shared)
        assert _ranked(got) == _ranked(expected), name
        assert got.qualified == expected.qualified, name
