"""Shared measures, on shapes whose answers are worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Polygon, box

from geo.context import build_context
from geo.measure import (
    area_shares,
    employees_inside,
    hull_ratio,
    land_share,
    mean_width,
    polsby_popper,
)
from geo.rules import Rules

CRS = "EPSG:4549"
X0, Y0 = 655_000.0, 3_315_000.0


def test_square_compactness_is_pi_over_four():
    assert polsby_popper(box(0, 0, 100, 100)) == pytest.approx(math.pi / 4)


def test_l_shape_hull_ratio_is_its_area_over_its_hull():
    # a 20 × 20 square minus its 10 × 10 top-right quarter: area 300, hull 400 − 10·10/2 = 350
    shape = Polygon([(0, 0), (20, 0), (20, 10), (10, 10), (10, 20), (0, 20)])
    assert hull_ratio(shape) == pytest.approx(300 / 350)


def test_mean_width_of_a_strip_is_twice_area_over_perimeter():
    assert mean_width(box(0, 0, 100, 10)) == pytest.approx(2 * 1000 / 220)


def test_area_shares_give_the_part_of_each_shape_inside():
    shapes = np.array([box(0, 0, 100, 100), box(90, 0, 110, 10), box(200, 0, 210, 10)])
    assert area_shares(shapes, box(0, 0, 100, 100)) == pytest.approx([1.0, 0.5, 0.0])


def test_land_share_leaves_roads_and_water_out():
    areas = {"industrial": 600.0, "office": 200.0, "commercial": 200.0, "road": 500.0,
             "water": 100.0}
    assert land_share(areas, ("industrial",)) == pytest.approx(0.6)
    assert land_share(areas, ("office", "commercial")) == pytest.approx(0.4)
    assert land_share({"road": 10.0}, ("industrial",)) == 0.0


def test_employees_of_a_cut_parcel_count_by_the_share_inside():
    neighbours = gpd.GeoDataFrame({"name": ["甲村"], "code": ["1"], "kind": ["village"]},
                                  geometry=[box(X0, Y0, X0 + 600, Y0 + 400)], crs=CRS)
    roads = gpd.GeoDataFrame({"name": ["纬一路"], "class": ["branch"], "width_m": [10.0]},
                             geometry=[LineString([(X0, Y0 + 50), (X0 + 600, Y0 + 50)])], crs=CRS)
    # 100 employees, 60 % inside; 40 employees on a vacant plot never count
    parcels = gpd.GeoDataFrame(
        {"kind": ["enterprise", "vacant"], "name": ["甬江机械", "空地"], "employees": [100, 40]},
        geometry=[box(X0 + 40, Y0, X0 + 140, Y0 + 100), box(X0, Y0, X0 + 30, Y0 + 30)], crs=CRS)
    ctx = build_context({"neighbours": neighbours, "roads": roads, "parcels": parcels}, Rules())
    assert employees_inside(box(X0, Y0, X0 + 100, Y0 + 100), ctx) == (60, 1)
    assert employees_inside(box(X0, Y0, X0 + 80, Y0 + 100), ctx) == (40, 0)
    ctx_without = build_context({"neighbours": neighbours, "roads": roads}, Rules())
    assert employees_inside(box(X0, Y0, X0 + 100, Y0 + 100), ctx_without) == (0, 0)
