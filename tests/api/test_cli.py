"""The ``sijie`` command keeps DESIGN.md's contract: commands, output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd

from tests.geometries import HECTARE

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


def test_rules_show_marks_each_value_as_clause_or_bureau_setting():
    result = sijie("rules", "show", "--lang", "en")
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines()
            if line.count("│") > 3 and line.split("│")[1].strip()}
    assert "bureau setting" in rows["boundary.edge_share_min"]
    assert "bureau setting" in rows["scale.employees_max"]
    assert "004 第三十条" in rows["facility.land_min_m2"]
    assert "001 § 二(四)2" in rows["staffing.quota_min"]
    chinese = sijie("rules", "show")
    assert "本局设定" in chinese.stdout


def test_rules_init_writes_a_template_that_loads_back(tmp_path):
    from geo.rules import Rules, load_rules

    path = tmp_path / "bureau.toml"
    result = sijie("rules", "init", "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert load_rules(path) == Rules()
    assert "# B3: least share of the perimeter" in path.read_text(encoding="utf-8")
    printed = sijie("rules", "init", "--lang", "en")
    assert printed.returncode == 0 and "[staffing]" in printed.stdout


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
    gpd.GeoDataFrame({"name": ["蛟川"]}, geometry=[HECTARE]).to_file(shp)
    assert_refused(sijie("info", f"{shp}:boundary"), "boundary.shp", "--crs")
    named = sijie("info", str(shp), "--crs", "EPSG:4549", "--format", "json", "--lang", "en")
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
    empty = gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=4549))
    empty.to_file(gpkg, layer="proposal")
    assert_refused(sijie("info", f"{gpkg}:proposal"), "empty.gpkg", "proposal")


def test_unknown_layer_is_refused_with_the_layers_there_are(demo_dir):
    assert_refused(sijie("info", f"{demo_dir / 'context.gpkg'}:villages"), "villages", "neighbours")


def test_unknown_rules_key_is_refused_by_name(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text("[boundary]\nedge_share = 0.8\n", encoding="utf-8")
    assert_refused(sijie("rules", "show", "--rules", str(rules)), "bureau.toml",
                   "boundary.edge_share")


def test_wrong_rules_type_is_refused_by_name(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text('[scale]\nemployees_max = "六千"\n', encoding="utf-8")
    assert_refused(sijie("rules", "show", "--rules", str(rules)), "scale.employees_max")


def test_missing_file_is_refused(tmp_path):
    assert_refused(sijie("info", str(tmp_path / "nope.gpkg")), "nope.gpkg")


def _demo(demo_dir, name: str) -> list[str]:
    return [str(demo_dir / "proposals" / f"{name}.gpkg"),
            "--context", str(demo_dir / "context.gpkg")]


def test_validate_good_proposal_exits_0_with_the_design_report(demo_dir):
    result = sijie("validate", *_demo(demo_dir, "good_industrial"), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"proposal", "crs", "ok", "metrics", "findings", "neighbours"} <= set(report)
    assert report["ok"] is True and report["crs"] == "EPSG:4549"
    metrics = {"area_m2", "perimeter_m", "edge_share", "polsby_popper", "employees"}
    assert metrics <= set(report["metrics"])


def test_validate_flawed_proposal_exits_1_and_names_rule_and_clause(demo_dir):
    result = sijie("validate", *_demo(demo_dir, "flaw_b9_bad_name"), "--lang", "en")
    assert result.returncode == 1, result.stderr
    assert "B9" in result.stdout and "001 § 二(一)3(1)" in result.stdout


def test_validate_geojson_locates_findings_in_wgs84(demo_dir, tmp_path):
    target = tmp_path / "report.geojson"
    result = sijie("validate", *_demo(demo_dir, "flaw_b3_offroad_edge"), "--format", "geojson",
                   "-o", str(target))
    assert result.returncode == 1
    collection = json.loads(target.read_text(encoding="utf-8"))
    from shapely.geometry import shape
    where = shape(collection["features"][0]["geometry"]).centroid
    assert abs(where.x - 121.6) < 0.1 and abs(where.y - 29.95) < 0.1
    assert collection["features"][0]["properties"]["rule"] == "B3"


def test_validate_context_without_roads_is_refused(demo_dir, tmp_path):
    ctx = tmp_path / "ctx.gpkg"
    gpd.read_file(demo_dir / "context.gpkg", layer="neighbours").to_file(ctx, layer="neighbours")
    result = sijie("validate", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                   "--context", str(ctx))
    assert_refused(result, "ctx.gpkg", "roads")


def test_validate_layer_with_several_proposals_lists_them(demo_dir, tmp_path):
    both = tmp_path / "both.gpkg"
    frames = [gpd.read_file(demo_dir / "proposals" / f"{n}.gpkg", layer="proposal")
              for n in ("good_industrial", "good_building")]
    gpd.pd.concat(frames).to_file(both, layer="proposal")
    assert_refused(sijie("validate", str(both), "--context", str(demo_dir / "context.gpkg")),
                   "澥川新材料工业社区", "--feature")
    picked = sijie("validate", str(both), "--context", str(demo_dir / "context.gpkg"),
                   "--feature", "澥川商务楼宇社区", "--format", "json")
    assert picked.returncode == 0 and json.loads(picked.stdout)["proposal"] == "澥川商务楼宇社区"


def test_adjust_writes_the_community_the_neighbours_and_the_land_given(demo_dir, tmp_path):
    target = tmp_path / "adjust.gpkg"
    result = sijie("adjust", *_demo(demo_dir, "good_industrial"), "-o", str(target))
    assert result.returncode == 0, result.stderr
    import pyogrio
    assert {"proposal", "neighbours", "given"} <= {n for n, _ in pyogrio.list_layers(target)}
    given = gpd.read_file(target, layer="given")
    community = gpd.read_file(target, layer="proposal")
    assert abs(given["area_given_m2"].sum() - community.area.sum()) <= 1.0


def test_name_and_type_on_the_command_line_replace_the_files_own(demo_dir):
    result = sijie("validate", *_demo(demo_dir, "good_industrial"), "--format", "json",
                   "--name", "试验社区", "--type", "楼宇社区")
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["proposal"] == "试验社区"
