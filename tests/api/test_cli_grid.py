"""``sijie grid`` keeps DESIGN.md's contract: layers grids and microgrids, exit codes 0 and 2,
a Chinese table by default and English on request, one clear stderr line for bad input."""

from __future__ import annotations

import re

import geopandas as gpd
import pyogrio
import pytest

from boundary_data.demo_town import CONTEXT_LAYERS
from geo.i18n import t
from tests.api.test_cli import assert_refused, sijie
from tests.geometries import bow_tie, here

ROLES = ("grid_head", "full_time_worker", "part_time_worker", "guide", "others")


@pytest.fixture(scope="module")
def written(demo_dir, tmp_path_factory):
    """One run on the demo's good industrial community, in the default language."""
    out = tmp_path_factory.mktemp("grid") / "grids.gpkg"
    result = sijie("grid", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                   "--context", str(demo_dir / "context.gpkg"), "-o", str(out))
    return result, out


def test_grid_exits_0_and_writes_the_grids_and_microgrids_layers(written):
    result, out = written
    assert result.returncode == 0, result.stderr
    assert sorted(pyogrio.list_layers(out)[:, 0]) == ["grids", "layer_styles", "microgrids"]
    grids = gpd.read_file(out, layer="grids")
    micro = gpd.read_file(out, layer="microgrids")
    assert grids.crs.to_epsg() == 4549 and micro.crs.to_epsg() == 4549
    assert list(grids["code"]) == [f"330211102900{i:03d}" for i in range(1, len(grids) + 1)]
    assert micro["code"].str.fullmatch(r"330211102900\d{6}").all()
    assert set(micro["grid"]) <= set(grids["code"])
    assert set(ROLES) <= set(grids.columns) and grids[list(ROLES)].isna().all().all()


def test_grid_table_speaks_chinese_by_default(written):
    result, _out = written
    for words in ("网格编码", "就业人口", "紧凑度", "容量占用", "网格已写入"):
        assert words in result.stdout, result.stdout
    assert result.stderr == ""


def test_grid_table_in_english_on_request_with_the_given_code(demo_dir, tmp_path):
    out = tmp_path / "grids.gpkg"
    result = sijie("grid", str(demo_dir / "proposals" / "good_building.gpkg"),
                   "--context", str(demo_dir / "context.gpkg"), "-o", str(out),
                   "--code", "330211102007", "--lang", "en")
    assert result.returncode == 0, result.stderr
    for words in ("grid code", "employees", "enterprises", "Grids written to"):
        assert words in result.stdout, result.stdout
    title, table = result.stdout.split("\n", 1)
    assert title.endswith("micro-grids")
    assert not re.search(r"[\u4e00-\u9fff]", table)  # only the community's name is Chinese
    grids = gpd.read_file(out, layer="grids")
    assert grids["code"].str.fullmatch(r"330211102007\d{3}").all()


def test_grid_refuses_an_invalid_proposal_with_one_clear_line(demo_dir, tmp_path):
    path = tmp_path / "bow_tie.gpkg"
    gpd.GeoDataFrame({"name": ["澥川新材料工业社区"], "type": ["工业社区"]},
                     geometry=[here(bow_tie(0, 0, 500, 500))],
                     crs="EPSG:4549").to_file(path, layer="proposal")
    out = tmp_path / "grids.gpkg"
    result = sijie("grid", str(path), "--context", str(demo_dir / "context.gpkg"), "-o", str(out),
                   "--lang", "en")
    assert_refused(result, "Self-intersection", "grids")
    assert not out.exists()


def test_grid_refuses_a_missing_context_with_one_clear_line(demo_dir, tmp_path):
    result = sijie("grid", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                   "--context", str(tmp_path / "nowhere.gpkg"), "-o", str(tmp_path / "g.gpkg"))
    assert_refused(result, "nowhere.gpkg")


def test_grid_without_employee_numbers_says_it_caps_by_area_and_enterprises(demo_dir, tmp_path):
    context = tmp_path / "context.gpkg"
    for layer in CONTEXT_LAYERS:
        frame = gpd.read_file(demo_dir / "context.gpkg", layer=layer)
        if layer == "parcels":
            frame["employees"] = None
        frame.to_file(context, layer=layer)
    out = tmp_path / "grids.gpkg"
    result = sijie("grid", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                   "--context", str(context), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert t("no_employees", "zh") in result.stderr
    assert len(gpd.read_file(out, layer="grids")) >= 1
