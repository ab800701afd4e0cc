"""The ``sijie`` command keeps DESIGN.md's contract: commands, output and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

SIJIE = Path(sys.executable).with_name("sijie")


def sijie(*args: str) -> subprocess.CompletedProcess[str]:
    assert SIJIE.exists(), f"console script missing at {SIJIE}: install the project first"
    return subprocess.run([str(SIJIE), *args], capture_output=True, text=True, timeout=300)


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2 with one clear line on stderr that names what it must, and no traceback."""
    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert message and "Traceback" not in message and len(message.splitlines()) == 1, message
    for word in words:
        assert word in message, message


def test_help_lists_the_commands():
    result = sijie("--help")
    assert result.returncode == 0
    for command in ("demo-data", "rules", "info"):
        assert command in result.stdout


def test_demo_data_writes_context_and_proposals(tmp_path):
    result = sijie("demo-data", "--out", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "context.gpkg").is_file()
    assert (tmp_path / "demo" / "proposals" / "good_industrial.gpkg").is_file()


def test_rules_show_lists_each_rule_with_its_clause():
    result = sijie("rules", "show", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "boundary.edge_share_min" in result.stdout
    assert "001 § 二(一)3(2)" in result.stdout
    assert "004 第三十条" in result.stdout


def test_rules_show_json_applies_the_bureau_file(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text("[scale]\nemployees_target = 5000\nemployees_max = 9000\n", encoding="utf-8")
    result = sijie("rules", "show", "--rules", str(rules), "--format", "json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["scale"] == {"employees_target": 5000, "employees_max": 9000,
                              "target_tolerance": 0.5}
    assert shown["boundary"]["edge_share_min"] == 0.9


def test_info_describes_the_demo_context(demo_dir):
    result = sijie("info", str(demo_dir / "context.gpkg"), "--format", "json")
    assert result.returncode == 0, result.stderr
    layers = {row["name"]: row for row in json.loads(result.stdout)["layers"]}
    assert layers["neighbours"]["crs"] == "EPSG:4549"
    assert layers["neighbours"]["geometry_type"] == "Polygon"
    assert layers["roads"]["feature_count"] > 300


def test_info_table_speaks_chinese_by_default(demo_dir):
    result = sijie("info", str(demo_dir / "context.gpkg"))
    assert result.returncode == 0
    assert "图层" in result.stdout and "坐标系" in result.stdout


def test_missing_crs_is_refused_unless_named(tmp_path):
    shp = tmp_path / "boundary.shp"
    gpd.GeoDataFrame({"name": ["蛟川"]}, geometry=[box(0, 0, 100, 100)]).to_file(shp)
    assert_refused(sijie("info", f"{shp}:boundary"), "boundary.shp", "--crs")
    named = sijie("info", str(shp), "--crs", "EPSG:4549", "--format", "json")
    # a 100 m square at the false origin is not in China: named, but still implausible
    assert_refused(named, "China")


def test_truncated_geopackage_is_refused(demo_dir, tmp_path):
    cut = tmp_path / "cut.gpkg"
    data = (demo_dir / "context.gpkg").read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_refused(sijie("info", f"{cut}:parcels"), "cut.gpkg")


def test_zip_without_shapefile_is_refused(tmp_path):
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "边界说明")
    assert_refused(sijie("info", str(archive)), "upload.zip", ".shp")


def test_empty_layer_is_refused(tmp_path):
    gpkg = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=4549)).to_file(gpkg, layer="proposal")
    assert_refused(sijie("info", f"{gpkg}:proposal"), "empty.gpkg", "proposal")


def test_unknown_layer_is_refused_with_the_layers_there_are(demo_dir):
    assert_refused(sijie("info", f"{demo_dir / 'context.gpkg'}:villages"), "villages", "neighbours")


def test_unknown_rules_key_is_refused_by_name(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text("[boundary]\nedge_share = 0.8\n", encoding="utf-8")
    assert_refused(sijie("rules", "show", "--rules", str(rules)), "bureau.toml", "boundary.edge_share")


def test_wrong_rules_type_is_refused_by_name(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text('[scale]\nemployees_max = "六千"\n', encoding="utf-8")
    assert_refused(sijie("rules", "show", "--rules", str(rules)), "scale.employees_max")


def test_missing_file_is_refused(tmp_path):
    assert_refused(sijie("info", str(tmp_path / "nope.gpkg")), "nope.gpkg")
