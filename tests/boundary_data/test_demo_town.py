"""The shipped demo town is what the issue describes, and regenerates byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from boundary_data.demo_town import CONTEXT_LAYERS, write_demo_town

DEMO = Path(__file__).resolve().parents[2] / "boundary_data" / "demo"
LANDUSE_CLASSES = {"industrial", "office", "commercial", "residential", "public", "green", "road",
                   "water", "farmland_protected", "ecological_redline", "vacant", "to_consolidate"}


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.gpkg"))}


def test_demo_data_regenerates_the_shipped_files_byte_for_byte(tmp_path):
    write_demo_town(tmp_path)
    assert _digest(tmp_path) == _digest(DEMO)


def test_demo_town_is_small_enough_to_ship():
    assert sum(p.stat().st_size for p in DEMO.rglob("*.gpkg")) < 5 * 1024 * 1024


def test_context_has_every_layer_in_cgcs2000_gk_cm120(context):
    assert set(CONTEXT_LAYERS) <= {name for name, _ in pyogrio.list_layers(DEMO / "context.gpkg")}
    for name, layer in context.items():
        assert layer.crs.to_epsg() == 4549, name
        assert layer.geometry.is_valid.all(), name


def test_town_lies_near_zhenhai_ningbo(context):
    centre = context["jurisdiction"].geometry.iloc[0].centroid
    lon, lat = Transformer.from_crs(4549, 4490, always_xy=True).transform(centre.x, centre.y)
    assert abs(lon - 121.6) < 0.05 and abs(lat - 29.95) < 0.05


def test_jurisdiction_is_about_twenty_square_kilometres(context):
    assert 18e6 < context["jurisdiction"].geometry.iloc[0].area < 22e6


def test_villages_tile_the_jurisdiction_exactly(context):
    neighbours = context["neighbours"]
    town = context["jurisdiction"].geometry.iloc[0]
    assert 12 <= len(neighbours) <= 20
    assert set(neighbours["kind"]) <= {"village", "community", "industrial_community"}
    assert neighbours["name"].is_unique and neighbours["code"].is_unique
    assert shapely.coverage_is_valid(neighbours.geometry.values)
    assert abs(neighbours.area.sum() - town.area) < 1.0
    covered = shapely.union_all(neighbours.geometry.values)
    assert shapely.symmetric_difference(covered, town).area < 1.0
    assert all(g.geom_type == "Polygon" for g in neighbours.geometry)


def test_road_network_has_classes_widths_and_is_no_lattice(context):
    roads = context["roads"]
    assert 300 <= len(roads) <= 900
    assert set(roads["class"]) >= {"expressway", "arterial", "secondary", "branch"}
    assert (roads["width_m"] > 0).all()
    # a lattice has two bearings; this network has curves, a diagonal and skewed branches
    xy = [np.asarray(g.coords) for g in roads.geometry]
    bearings = np.degrees([np.arctan2(*(c[-1] - c[0])[::-1]) for c in xy]) % 90
    off_axis = np.minimum(bearings, 90 - bearings)
    assert (off_axis > 5).mean() > 0.2
    assert any(35 < b < 55 for b in off_axis)


def test_town_has_a_river_a_canal_and_a_hill_with_ridges(context):
    assert {"river", "canal"} <= set(context["water"]["kind"])
    assert {"ridge", "mountain_foot"} <= set(context["terrain"]["kind"])
    assert (context["terrain"]["kind"] == "ridge").sum() >= 2


def test_land_use_has_every_class_of_the_vocabulary(context):
    landuse = context["landuse"]
    assert set(landuse["class"]) == LANDUSE_CLASSES
    town = context["jurisdiction"].geometry.iloc[0]
    assert abs(landuse.area.sum() - town.area) < 10.0


def test_enterprises_employees_and_parks(context):
    parcels = context["parcels"]
    enterprises = parcels[parcels["kind"] == "enterprise"]
    assert 250 <= len(enterprises) <= 350
    assert enterprises["uscc"].str.fullmatch(r"91330211[0-9A-HJ-NPQRTUWXY]{10}").all()
    assert 15_000 <= parcels["employees"].sum() <= 25_000
    assert (parcels["kind"] == "park").sum() >= 2
    assert shapely.coverage_is_valid(parcels.geometry.values)


def test_buildings_and_residential_pockets(context):
    buildings = context["buildings"]
    assert 800 <= len(buildings) <= 1_300
    assert (buildings["floor_area_m2"] >= 1_000).sum() >= 40
    large = buildings[(buildings["floor_area_m2"] >= 1_000) & (buildings["use"] != "residential")]
    assert large[["occupancy", "registration", "tax_share"]].notna().all().all()
    assert (buildings["use"] == "residential").sum() > 50
    assert (context["landuse"]["class"] == "residential").sum() >= 3


def test_buildings_stand_inside_parcels_or_residential_land(context):
    buildings, parcels = context["buildings"], context["parcels"]
    holders = shapely.union_all(list(parcels.geometry) + list(
        context["landuse"].query("`class` == 'residential'").geometry))
    assert shapely.contains(holders.buffer(0.01), buildings.geometry.values).all()


@pytest.mark.parametrize("layer", ["parcels", "buildings"])
def test_chinese_attributes_survive_the_geopackage(context, layer):
    assert context[layer]["name"].dropna().str.contains(r"[\u4e00-\u9fff]").all()
