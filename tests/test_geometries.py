"""The shared test geometries are what their comments say, measured with plain shapely."""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import Point
from shapely.validation import explain_validity

from tests.geometries import (
    BOW_TIE,
    DETACHED,
    EMPTY,
    HECTARE,
    L_SHAPE,
    NEIGHBOURS,
    ORIGIN,
    ROADS,
    SPIKE,
    SQUARE,
    SQUARE_AND_DETACHED,
    SQUARE_WITH_HOLE,
    TOWN,
    here,
)


@pytest.mark.parametrize(("geom", "area", "perimeter"), [
    (SQUARE, 320 * 320, 4 * 320),
    (DETACHED, 100 * 100, 4 * 100),
    (SQUARE_AND_DETACHED, 320 * 320 + 100 * 100, 4 * 320 + 4 * 100),
    (SQUARE_WITH_HOLE, 320 * 320 - 120 * 120, 4 * 320 + 4 * 120),
    (HECTARE, 100 * 100, 4 * 100),
    (L_SHAPE, 300**2 - 200**2, 4 * 300),
], ids=["square", "detached", "square_and_detached", "square_with_hole", "hectare", "l_shape"])
def test_valid_shapes_have_their_hand_worked_area_and_perimeter(geom, area, perimeter):
    assert geom.is_valid and not geom.is_empty
    assert geom.area == pytest.approx(area)
    assert geom.length == pytest.approx(perimeter)


def test_l_shape_polsby_popper_is_4_pi_area_over_perimeter_squared():
    assert 4 * math.pi * L_SHAPE.area / L_SHAPE.length**2 == pytest.approx(0.436, abs=1e-3)


def test_square_lies_on_the_four_roads_and_the_detached_part_does_not_touch_it():
    for road in ROADS.values():
        assert SQUARE.boundary.intersection(road).length == pytest.approx(320)
    assert SQUARE.distance(DETACHED) == pytest.approx(50)
    assert len(SQUARE_AND_DETACHED.geoms) == 2
    assert len(SQUARE_WITH_HOLE.interiors) == 1


def test_neighbours_tile_the_town():
    assert shapely.coverage_is_valid(list(NEIGHBOURS.values()))
    assert shapely.union_all(list(NEIGHBOURS.values())).equals(TOWN)


@pytest.mark.parametrize(("geom", "where"), [(BOW_TIE, (200, 150)), (SPIKE, (520, 210))],
                         ids=["bow_tie", "spike"])
def test_invalid_shapes_self_intersect_where_stated(geom, where):
    assert not geom.is_valid
    assert explain_validity(geom) == f"Self-intersection[{where[0]} {where[1]}]"


def test_spike_adds_edge_but_no_area():
    assert SPIKE.area == pytest.approx(SQUARE.area)
    assert SPIKE.length == pytest.approx(SQUARE.length + 200)


def test_empty_polygon_is_empty_and_valid():
    assert EMPTY.is_empty and EMPTY.is_valid and EMPTY.geom_type == "Polygon"


def test_here_moves_local_metres_to_the_town_origin():
    assert here(Point(0, 0)).equals(Point(*ORIGIN))
    assert here(SQUARE).area == pytest.approx(SQUARE.area)
