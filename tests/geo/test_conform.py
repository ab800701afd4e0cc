"""Fitting a drawn boundary to the town's edges (geo.conform): an edge drawn within the snap
tolerance of a village's edge becomes that edge, so rule B5 finds no sliver, while edges
farther away stay as drawn and a boundary already on the edges is not touched. The demo town
and the hand-built town of test_adjust (two villages 300 m × 400 m, a road at y=200)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geo.conform import conform
from geo.context import build_context
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import validate
from tests.geo.test_adjust import here, proposal, small_town


@pytest.fixture(scope="module")
def ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


def _errors(geom, ctx, like: gpd.GeoDataFrame) -> set[str]:
    """The rules with errors for ``geom`` under the name and type of the demo proposal ``like``."""
    p = proposal_from_frame(gpd.GeoDataFrame(like.drop(columns="geometry"), geometry=[geom],
                                             crs=ctx.crs))
    return {f.rule for f in validate(p, ctx).findings if f.severity == "error"}


@pytest.mark.parametrize("name", ["good_industrial", "good_building", "flaw_b3_offroad_edge"])
def test_a_boundary_on_the_edges_or_far_from_them_is_not_touched(name, ctx, proposals):
    geom = proposals[name].to_crs(ctx.crs).geometry.iloc[0]
    fitted = conform(geom, ctx)
    assert not fitted.changed and fitted.moved == 0
    assert shapely.symmetric_difference(fitted.geometry, geom).area < 1.0  # moves under 1 cm


@pytest.mark.parametrize("name", ["flaw_b5_gap", "flaw_b5_overlap"])
def test_a_3_m_sliver_against_a_village_is_fitted_away(name, ctx, proposals):
    flawed = proposals[name].to_crs(ctx.crs)
    assert "B5" in _errors(flawed.geometry.iloc[0], ctx, flawed)
    fitted = conform(flawed.geometry.iloc[0], ctx)
    assert fitted.changed and 0 < fitted.max_move_m <= ctx.rules.boundary.snap_tolerance_m
    assert _errors(fitted.geometry, ctx, flawed) == set()
    good = proposals["good_industrial"].to_crs(ctx.crs).geometry.iloc[0]
    assert shapely.symmetric_difference(fitted.geometry, good).area < 1.0


def test_a_hand_drawn_outline_of_a_good_proposal_passes_once_fitted(ctx, proposals):
    # 2 m of simplification: the drawn edges cut the villages' bends, as clicks along them do
    good = proposals["good_industrial"].to_crs(ctx.crs)
    drawn = good.geometry.iloc[0].simplify(2.0)
    assert "B5" in _errors(drawn, ctx, good)
    fitted = conform(drawn, ctx)
    assert fitted.changed and fitted.joined_m2 + fitted.returned_m2 > 0
    assert _errors(fitted.geometry, ctx, good) == set()
    # along the roads (not village edges) the 2 m cuts stay: they are within B3's tolerance
    original = good.geometry.iloc[0]
    assert shapely.symmetric_difference(fitted.geometry, original).area < 1e-3 * original.area


def test_vertices_within_the_tolerance_land_exactly_on_the_village_edge():
    town = small_town()
    # the east edge drawn 3 m west of the villages' shared edge x=300 (tolerance 5 m)
    drawn = here(Polygon([(100, 50), (297, 50), (297, 350), (100, 350)]))
    fitted = conform(drawn, town)
    assert fitted.moved == 2 and fitted.max_move_m == pytest.approx(3.0)
    on_edge = Polygon([(100, 50), (300, 50), (300, 350), (100, 350)])
    assert fitted.geometry.equals(here(on_edge))
    assert not [f for f in validate(proposal(on_edge), town).findings
                if f.rule == "B5" and f.severity == "error"]


def test_an_edge_farther_than_the_tolerance_stays_where_it_was_drawn():
    town = small_town()
    drawn = here(Polygon([(100, 50), (290, 50), (290, 350), (100, 350)]))  # 10 m off x=300
    fitted = conform(drawn, town)
    assert fitted.moved == 0 and fitted.geometry.equals(drawn)


# a boundary drawn in the workspace by clicking along good_industrial's outline (snapped to the
# villages' edges by the editor), lon/lat at the precision the browser sent
CLICKED = [(121.61469588754949, 29.944672975171475), (121.61484242205032, 29.946258732435016),
           (121.61123354545839, 29.946146762364286), (121.61213903614548, 29.959908342786754),
           (121.6230674627151, 29.95953363255457), (121.62305909969172, 29.95689258014371),
           (121.62706246454101, 29.95710439985411), (121.62749809269447, 29.955113842354834),
           (121.62747417214756, 29.949666046060212), (121.62784437523199, 29.94699778656009),
           (121.62517007939904, 29.94682811947715), (121.62301563562646, 29.94690832223885),
           (121.6230144468502, 29.94669165853482), (121.62089382872857, 29.94656250599608),
           (121.62071854621944, 29.944848677386386)]


def test_a_clicked_outline_is_fitted_without_spikes_and_passes(ctx, proposals):
    good = proposals["good_industrial"].to_crs(ctx.crs)
    drawn = gpd.GeoSeries([Polygon(CLICKED)], crs="EPSG:4490").to_crs(ctx.crs).iloc[0]
    assert "B5" in _errors(drawn, ctx, good)
    fitted = conform(drawn, ctx)
    assert fitted.changed and _errors(fitted.geometry, ctx, good) == set()
    ring = np.asarray(fitted.geometry.exterior.coords)[:-1]
    steps = np.diff(np.vstack([ring, ring[:1]]), axis=0)
    # no edge turning straight back on the one before it (a zero-width spike)
    lengths = np.hypot(*steps.T)
    turns = np.einsum("ij,ij->i", steps, np.roll(steps, -1, axis=0)) / (
        lengths * np.roll(lengths, -1))
    assert lengths.min() > 1e-3 and turns.min() > -0.999
