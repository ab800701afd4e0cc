"""The files sijie writes are what GIS readers trust: GDAL's validator passes on every
GeoPackage the command line writes for the demo town, each layer has one geometry type (never
Unknown), its QGIS style in ``layer_styles`` and an alias for every field in
``gpkg_data_columns``; booleans and numbers are typed as such, names as text; GeoJSON per
RFC 7946 (exterior rings counter-clockwise, 7 decimals for degrees)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box, shape
from typer.testing import CliRunner

from api.cli import app
from geo.io import write_gpkg
from geo.io.gpkg import one_geometry_type
from geo.palette import GIVEN, file_layer_style
from tests.api.conftest import DEMO
from tests.gpkg_checks import gdal_layers, validate_gpkg

GOOD = DEMO / "proposals" / "good_industrial.gpkg"
CONTEXT = DEMO / "context.gpkg"


def _columns(path: Path, layer: str) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return {row[1]: row[2] for row in db.execute(f'PRAGMA table_info("{layer}")')}


def _geometry_types(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """Every GeoPackage the command line writes for the demo town, by what wrote it."""
    folder = tmp_path_factory.mktemp("outputs")
    files = {}
    for command in ("adjust", "facility", "grid", "suggest"):
        files[command] = folder / f"{command}.gpkg"
        _cli(command, str(GOOD), "--context", str(CONTEXT), "-o", str(files[command]))
    files["register"] = folder / "context.gpkg"
    shutil.copyfile(CONTEXT, files["register"])
    _cli("register", str(GOOD), "--context", str(files["register"]), "--date", "2027-06-01")
    files["audit"] = folder / "audit.gpkg"
    _cli("audit", f"{DEMO / 'proposals' / 'good_building.gpkg'}", "--context", str(CONTEXT),
         "-o", str(files["audit"]))
    _cli("package", str(GOOD), "--context", str(CONTEXT), "-o", str(folder / "package"))
    files["package"] = folder / "package" / "community.gpkg"
    _cli("demo-data", "--out", str(folder / "town"))
    files["demo-context"] = folder / "town" / "context.gpkg"
    files["demo-proposal"] = folder / "town" / "proposals" / "flaw_b9_bad_name.gpkg"
    files["english"] = folder / "grid_en.gpkg"
    _cli("grid", str(GOOD), "--context", str(CONTEXT), "-o", str(files["english"]),
         "--lang", "en")
    return files


@pytest.fixture(scope="module")
def seen(written) -> dict[str, dict]:
    return {what: gdal_layers(path) for what, path in written.items()}


def test_gdal_validator_passes_on_every_geopackage_sijie_writes(written):
    for what, path in written.items():
        assert validate_gpkg(path) == [], what


def test_every_layer_sijie_writes_has_one_geometry_type_never_unknown(written, seen):
    for what, path in written.items():
        types = _geometry_types(path)
        assert types and all(t not in ("GEOMETRY", "GEOMETRYCOLLECTION") for t in types.values())
        layers = seen[what]["layers"]
        assert set(layers) == set(types) | {"layer_styles"}, what
        assert all(layers[name]["geometry"] not in (None, "Unknown (any)") for name in types)
    assert _geometry_types(written["adjust"])["given"] == "MULTIPOLYGON"
    assert _geometry_types(written["demo-context"])["terrain"] == "LINESTRING"


def test_every_layer_has_its_qgis_style_and_every_field_a_chinese_alias(seen):
    for what in seen:
        styles, aliases = seen[what]["styles"], seen[what]["aliases"]
        for name, layer in seen[what]["layers"].items():
            if name == "layer_styles":
                continue
            style = styles[name]
            assert style["default"] == 1 and "<renderer-v2" in style["qml"], (what, name)
            ElementTree.fromstring(style["qml"])  # well-formed
            outline = file_layer_style(name)["color"].lstrip("#")
            rgb = ",".join(str(int(outline[i:i + 2], 16)) for i in (0, 2, 4))
            assert f'value="{rgb},' in style["qml"], (what, name)
            assert set(aliases[name]) == set(layer["fields"]), (what, name)
            for field, alias in aliases[name].items():
                assert alias and f'field="{field}"' in style["qml"], (what, name, field)
    given = seen["adjust"]["aliases"]["given"]
    assert given["name"] == "名称" and given["area_given_m2"] == "划出面积（㎡）"
    assert "255,152,0,140" in seen["adjust"]["styles"]["given"]["qml"]  # the map's land given
    assert GIVEN["fillColor"] == "#ff9800"
    assert seen["audit"]["aliases"]["communities"]["B3"] == "B3 问题数"
    # land use is drawn class by class in the printed maps' colours, named in Chinese
    landuse = ElementTree.fromstring(seen["demo-context"]["styles"]["landuse"]["qml"])
    categories = {c.get("value"): c.get("label") for c in landuse.iter("category")}
    assert landuse.find("renderer-v2").get("attr") == "class"
    assert categories["industrial"] == "工业用地" and len(categories) == 13


def test_the_language_option_gives_english_aliases(seen):
    assert seen["english"]["aliases"]["grids"]["employees"] == "Employees"
    assert seen["grid"]["aliases"]["grids"]["employees"] == "就业人口"


def test_booleans_are_booleans_numbers_numbers_and_names_text(written):
    micro = _columns(written["grid"], "microgrids")
    assert micro["employees"] in ("REAL", "INTEGER")
    assert _columns(written["facility"], "sites")["name"] == "TEXT"
    assert _columns(written["adjust"], "neighbours")["valid"] == "BOOLEAN"
    assert _columns(written["grid"], "grids")["oversize"] == "BOOLEAN"
    assert _columns(written["audit"], "communities")["ok"] == "BOOLEAN"


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
