"""Bad input is refused in Chinese by default, and in today's English with ``--lang en`` on
the command line or ``Accept-Language: en`` on the API."""

from __future__ import annotations

import inspect
import io

import geopandas as gpd
import pytest
from shapely.geometry import box

from api.cli import app, rules_app
from tests.api.conftest import DEMO, assert_problem
from tests.api.test_cli import assert_refused, sijie
from tests.geometries import HECTARE


@pytest.mark.parametrize("command", [*app.registered_commands, *rules_app.registered_commands],
                         ids=lambda c: c.name)
def test_every_command_takes_lang_so_its_errors_can_be_in_english(command):
    option = inspect.signature(command.callback).parameters.get("lang")
    assert option is not None and option.default == "zh", command.name


@pytest.fixture
def shapefile_without_crs(tmp_path):
    shp = tmp_path / "boundary.shp"
    gpd.GeoDataFrame({"name": ["蛟川"]}, geometry=[HECTARE]).to_file(shp)
    return shp


def test_cli_names_a_missing_crs_in_chinese_by_default(shapefile_without_crs):
    result = sijie("info", f"{shapefile_without_crs}:boundary")
    assert_refused(result, "boundary.shp，图层 “boundary”：没有坐标系", "--crs EPSG:4490")


def test_cli_says_todays_english_with_lang_en(shapefile_without_crs):
    result = sijie("info", f"{shapefile_without_crs}:boundary", "--lang", "en")
    assert_refused(result)
    assert result.stderr.strip() == (
        f"sijie: {shapefile_without_crs}, layer 'boundary': has no coordinate reference system; "
        "name one with --crs (for example --crs EPSG:4490 or --crs GCJ02)")


def test_cli_unknown_layer_in_chinese_and_english():
    source = DEMO / "context.gpkg"
    assert_refused(sijie("info", f"{source}:nope"), "图层 “nope”：没有该图层；现有图层：")
    assert_refused(sijie("info", f"{source}:nope", "--lang", "en"),
                   "layer 'nope': there is no such layer; the layers are: ")


def test_cli_context_without_roads_in_chinese_and_english(tmp_path):
    context = tmp_path / "ctx.gpkg"
    gpd.read_file(DEMO / "context.gpkg", layer="neighbours").to_file(context, layer="neighbours")
    proposal = str(DEMO / "proposals" / "good_industrial.gpkg")
    assert_refused(sijie("validate", proposal, "--context", str(context)),
                   "ctx.gpkg：缺少图层 “roads”（roads），校验需要该图层")
    assert_refused(sijie("validate", proposal, "--context", str(context), "--lang", "en"),
                   "ctx.gpkg: has no layer 'roads' (roads), which validation needs")


def test_cli_unknown_rules_key_in_chinese_and_english(tmp_path):
    rules = tmp_path / "bureau.toml"
    rules.write_text("[boundary]\nedge_share_maxx = 0.8\n", encoding="utf-8")
    assert_refused(sijie("rules", "show", "--rules", str(rules)),
                   "规则项 “boundary.edge_share_maxx”：没有这个规则项")
    assert_refused(sijie("rules", "show", "--rules", str(rules), "--lang", "en"),
                   "key 'boundary.edge_share_maxx': unknown key")


def test_cli_truncated_geopackage_in_chinese_and_english(tmp_path):
    cut = tmp_path / "cut.gpkg"
    data = (DEMO / "context.gpkg").read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert_refused(sijie("info", f"{cut}:parcels"), "cut.gpkg，图层 “parcels”：无法读取：")
    assert_refused(sijie("info", f"{cut}:parcels", "--lang", "en"),
                   "cut.gpkg, layer 'parcels': could not be read: ")


def test_upload_of_an_unaccepted_type_is_refused_in_chinese_by_default(client, auth):
    files = {"file": ("notes.txt", b"hello", "text/plain")}
    body = assert_problem(client.post("/proposals", headers=auth["gis"], files=files), 415,
                          "unsupported-type")
    assert body["detail"] == (
        "输入无法使用：notes.txt：不接受文件类型 “.txt”；请上传以下之一：.csv, .dxf, .fgb, "
        ".geojson, .gpkg, .json, .kml, .kmz, .zip"
        "（Shapefile、FileGDB 与 MapInfo TAB 请打包为 .zip）")


def test_upload_of_an_unaccepted_type_is_refused_in_english_when_asked(client, auth):
    files = {"file": ("notes.txt", b"hello", "text/plain")}
    headers = {**auth["gis"], "Accept-Language": "en"}
    body = assert_problem(client.post("/proposals", headers=headers, files=files), 415,
                          "unsupported-type")
    assert body["detail"] == (
        "The input cannot be used: notes.txt: file type '.txt' is not accepted; upload one of "
        ".csv, .dxf, .fgb, .geojson, .gpkg, .json, .kml, .kmz, .zip (a Shapefile, FileGDB or "
        "MapInfo TAB as .zip)")


def test_upload_outside_china_names_the_crs_parameter_in_either_language(client, auth):
    buffer = io.BytesIO()
    gpd.GeoDataFrame({"name": ["澥川新材料工业社区"], "type": ["工业社区"]},
                     geometry=[box(0, 0, 500, 500)], crs="EPSG:4549").to_file(
        buffer, driver="GeoJSON")
    files = {"file": ("far.geojson", buffer.getvalue(), "application/geo+json")}
    zh = assert_problem(client.post("/proposals", headers=auth["gis"], files=files), 422,
                        "bad-crs")["detail"]
    en = assert_problem(client.post("/proposals", headers={**auth["gis"], "Accept-Language": "en"},
                                    files=files), 422, "bad-crs")["detail"]
    assert "far.geojson" in zh and "位于中国境外" in zh and "并用 crs 参数指定" in zh
    assert "--crs" not in zh
    assert "lies outside China" in en and "the crs parameter" in en and "--crs" not in en


def test_a_failed_jobs_reason_is_in_the_readers_language(client, auth):
    ring = [[121.60, 29.94], [121.61, 29.95], [121.61, 29.94], [121.60, 29.95], [121.60, 29.94]]
    bow_tie = {"type": "Feature", "properties": {"name": "蝶形工业社区", "type": "工业社区"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}
    created = client.post("/proposals", json=bow_tie, headers=auth["gis"])
    assert created.status_code == 201, created.text
    job = client.post(f"/proposals/{created.json()['id']}/versions/1/grids?async=true",
                      headers=auth["gis"]).json()
    client.app.state.runner.drain()
    url = f"/jobs/{job['jobID']}"
    zh = client.get(url, headers=auth["gis"]).json()["message"]
    en = client.get(url, headers={**auth["gis"], "Accept-Language": "en"}).json()["message"]
    assert zh.startswith("图层 “蝶形工业社区”：无法划分网格：边界几何无效"), zh
    assert en.startswith("layer '蝶形工业社区': cannot be divided into grids: the boundary "
                         "geometry is invalid"), en


def test_geojson_that_is_not_a_feature_is_refused_in_the_readers_language(client, auth):
    point = {"type": "Point", "coordinates": [121.6, 29.94]}
    zh = assert_problem(client.post("/proposals", json=point, headers=auth["gis"]), 422,
                        "bad_geojson")["detail"]
    en = assert_problem(client.post("/proposals", json=point,
                                    headers={**auth["gis"], "Accept-Language": "en"}), 422,
                        "bad_geojson")["detail"]
    assert zh == "GeoJSON 无法读取：应为 Feature（要素）"
    assert en == "The GeoJSON cannot be read: expected a Feature"
