"""The files sijie writes are what GIS readers trust: one geometry type per GeoPackage layer,
booleans and numbers typed as such, names as text; GeoJSON per RFC 7946 (exterior rings
counter-clockwise, 7 decimals for degrees)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box, shape
from typer.testing import CliRunner

from api.cli import app
from geo.io import write_gpkg
from geo.io.gpkg import one_geometry_type
from tests.api.conftest import DEMO

GOOD = DEMO / "proposals" / "good_industrial.gpkg"
CONTEXT = DEMO / "context.gpkg"


def _columns(path: Path, layer: str) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return {row[1]: row[2] for row in db.execute(f'PRAGMA table_info("{layer}")')}


def _geometry_types(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("outputs")
    files = {}
    for command in ("adjust", "facility", "grid"):
        files[command] = folder / f"{command}.gpkg"
        result = CliRunner().invoke(app, [command, str(GOOD), "--context", str(CONTEXT),
                                          "-o", str(files[command])])
        assert result.exit_code in (0, 1), result.output
    return files


def test_every_layer_sijie_writes_has_one_geometry_type_never_unknown(written):
    for path in written.values():
        types = _geometry_types(path)
        assert types and all(t not in ("GEOMETRY", "GEOMETRYCOLLECTION") for t in types.values())
    assert _geometry_types(written["adjust"])["given"] == "MULTIPOLYGON"


def test_booleans_are_booleans_numbers_numbers_and_names_text(written):
    micro = _columns(written["grid"], "microgrids")
    assert micro["employees"] in ("REAL", "INTEGER")
    assert _columns(written["facility"], "sites")["name"] == "TEXT"
    assert _columns(written["adjust"], "neighbours")["valid"] == "BOOLEAN"


def test_a_polygon_with_zero_area_slivers_keeps_only_its_polygon(tmp_path):
    square = box(0, 0, 100, 100)
    sliver = Polygon([(100, 0), (200, 0), (150, 0)])  # no area
    given = shapely.GeometryCollection([square, LineString([(0, 0), (0, 100)]), sliver])
    settled = one_geometry_type(gpd.GeoSeries([given, box(200, 0, 300, 100)], crs=4549))
    assert list(settled.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert settled.iloc[0].equals(shapely.MultiPolygon([square]))
    frame = gpd.GeoDataFrame({"flag": [True, None]}, geometry=settled)
    path = write_gpkg(frame, tmp_path / "o.gpkg", "given")
    assert _geometry_types(path)["given"] == "MULTIPOLYGON"
    assert _columns(path, "given")["flag"] == "BOOLEAN"


def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon[:1]]


def test_report_geojson_has_counter_clockwise_rings_and_seven_decimals(tmp_path):
    out = tmp_path / "r.geojson"
    flawed = DEMO / "proposals" / "flaw_b6_cut_parcel.gpkg"
    result = CliRunner().invoke(app, ["validate", str(flawed), "--context", str(CONTEXT),
                                      "--format", "geojson", "-o", str(out)])
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{8,}", text)
    areas = [f["geometry"] for f in json.loads(text)["features"]
             if f["geometry"] and f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    assert areas
    for geometry in areas:
        for ring in _rings(geometry):
            assert shapely.LinearRing(ring).is_ccw


def test_api_features_have_counter_clockwise_rings_and_seven_decimals(client):
    body = client.get("/collections/neighbours/items", params={"limit": 5})
    assert body.status_code == 200, body.text
    features = body.json()["features"]
    assert features and not re.search(r"\d\.\d{8,}", body.text)
    for f in features:
        for ring in _rings(f["geometry"]):
            assert shapely.LinearRing(ring).is_ccw
        assert shape(f["geometry"]).is_valid
