"""Bad-input errors say where and what in Chinese by default and, asked, in today's English."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest

from geo.errors import InputError, MissingCRSError, RulesError, SijieError
from geo.i18n import Text, known
from geo.io import read_context, read_layer
from geo.rules import Rules, load_rules
from tests.geometries import HECTARE

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {"SijieError", "InputError", "CRSError", "MissingCRSError", "ProjectionError",
                 "RulesError", "UploadRejected"}


def _calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else ""


SOURCES = sorted([*(ROOT / "geo").rglob("*.py"), *(ROOT / "api").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_error_raised_has_a_message_key_in_the_catalogue(path):
    for call in _calls(path):
        name = _name(call)
        keywords = {k.arg: k.value for k in call.keywords}
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        if name in ERROR_CLASSES:
            assert "message_key" in keywords, f"{where}: {name} raised without a message key"
            key = keywords["message_key"]
        elif name in ("refuse", "Text") and call.args:
            key = call.args[0]
        else:
            continue
        if isinstance(key, ast.Constant):
            assert known(key.value), f"{where}: unknown message key {key.value!r}"


def test_an_error_without_a_key_still_says_where_in_chinese():
    err = InputError("something odd", path="roads.shp", layer="roads", row=12, field="width_m")
    assert err.message() == "roads.shp，图层 “roads”，第 12 行，字段 “width_m”：something odd"
    assert err.message("en") == str(err) == (
        "roads.shp, layer 'roads', row 12, field 'width_m': something odd")


def test_localised_values_are_said_in_the_readers_language():
    err = InputError(message_key="several_proposals",
                     params={"listed": Text("unnamed_features", {"count": 3})}, path="p.gpkg")
    assert err.message() == ("p.gpkg：含多个方案（3 个未命名要素）；"
                             "请用 --feature 指定其中一个的名称")
    assert str(err) == "p.gpkg: holds several proposals (3 unnamed features); pick one with " \
                       "--feature NAME"


def said(error: type[SijieError], call: Callable[[], object]) -> tuple[str, str]:
    """What ``call`` is refused with, in Chinese and English; the English is ``str(err)``."""
    with pytest.raises(error) as caught:
        call()
    assert caught.value.message("en") == str(caught.value)
    return caught.value.message(), caught.value.message("en")


def test_shapefile_without_crs_is_named_in_chinese_and_in_todays_english(tmp_path):
    shp = tmp_path / "boundary.shp"
    gpd.GeoDataFrame({"name": ["蛟川"]}, geometry=[HECTARE]).to_file(shp)
    zh, en = said(MissingCRSError, lambda: read_layer(f"{shp}:boundary"))
    assert zh == (f"{shp}，图层 “boundary”：没有坐标系；请用 --crs 指定（例如 --crs EPSG:4490 或 "
                  "--crs GCJ02）")
    assert en == (f"{shp}, layer 'boundary': has no coordinate reference system; name one with "
                  "--crs (for example --crs EPSG:4490 or --crs GCJ02)")


def test_unknown_layer_lists_the_layers_in_either_language(demo_dir):
    source = demo_dir / "context.gpkg"
    zh, en = said(InputError, lambda: read_layer(f"{source}:nope"))
    assert zh.startswith(f"{source}，图层 “nope”：没有该图层；现有图层：") and "'roads'" in zh
    assert en.startswith(f"{source}, layer 'nope': there is no such layer; the layers are: ")


def test_context_without_roads_says_validation_needs_them(context, tmp_path):
    path = tmp_path / "ctx.gpkg"
    context["neighbours"].to_file(path, layer="neighbours")
    zh, en = said(InputError, lambda: read_context(path, Rules()))
    assert zh == f"{path}：缺少图层 “roads”（roads），校验需要该图层"
    assert en == f"{path}: has no layer 'roads' (roads), which validation needs"


def test_unknown_rules_key_is_named_as_a_rules_item(tmp_path):
    path = tmp_path / "bureau.toml"
    path.write_text("[boundary]\nedge_share_maxx = 0.8\n", encoding="utf-8")
    zh, en = said(RulesError, lambda: load_rules(path))
    assert zh == (f"{path}，规则项 “boundary.edge_share_maxx”：没有这个规则项（可用 "
                  "`sijie rules show` 查看全部规则项）")
    assert en == (f"{path}, key 'boundary.edge_share_maxx': unknown key (see `sijie rules show` "
                  "for the keys there are)")


def test_a_quoted_number_in_the_rules_is_refused_in_chinese(tmp_path):
    path = tmp_path / "bureau.toml"
    path.write_text('[boundary]\nedge_share_min = "0.9"\n', encoding="utf-8")
    zh, en = said(RulesError, lambda: load_rules(path))
    assert zh == f"{path}，规则项 “boundary.edge_share_min”：取值不符合要求：应为数值，实为 '0.9'"
    assert en == (f"{path}, key 'boundary.edge_share_min': input should be a valid number, "
                  "got '0.9'")


def test_truncated_geopackage_is_unreadable_in_either_language(demo_dir, tmp_path):
    cut = tmp_path / "cut.gpkg"
    data = (demo_dir / "context.gpkg").read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    zh, en = said(InputError, lambda: read_layer(f"{cut}:parcels"))
    assert zh.startswith(f"{cut}，图层 “parcels”：无法读取：")
    assert en.startswith(f"{cut}, layer 'parcels': could not be read: ")
