"""``sijie audit``: the JSON of DESIGN.md, the three output files, and exit code 2 on a layer
that cannot be audited (a clear line in Chinese, or English with --lang en)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.io import write_gpkg
from tests.api.test_cli import assert_refused, sijie
from tests.geometries import here


@pytest.fixture(scope="module")
def communities(tmp_path_factory, proposals):
    """The demo proposals as one layer of a GeoPackage, each with a code."""
    layer = gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))
    layer["code"] = [f"33021110290{i:02d}" for i in range(len(layer))]
    path = tmp_path_factory.mktemp("audit") / "communities.gpkg"
    write_gpkg(layer[["name", "type", "code", "geometry"]], path, "communities")
    return path, layer


def test_audit_json_and_every_output(communities, demo_dir, tmp_path):
    path, layer = communities
    ctx = str(demo_dir / "context.gpkg")
    result = sijie("audit", str(path), "--context", ctx, "--format", "json",
                   "-o", str(tmp_path / "audit.gpkg"))
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert [c["name"] for c in document["communities"]] == list(layer["name"])
    first = document["communities"][0]
    assert {"name", "ok", "findings", "overlaps", "employees", "employees_verified",
            "class", "class_index", "enterprises"} <= set(first)
    assert first["code"] == layer["code"][0]
    assert document["overlaps"] and {"a", "b", "area_m2"} == set(document["overlaps"][0])
    written = gpd.read_file(tmp_path / "audit.gpkg", layer="communities")
    assert list(written["name"]) == list(layer["name"]) and "B3" in written.columns
    # each community's class, as code and as the reader's word
    assert list(written["class"]) == [c["class"] for c in document["communities"]]
    assert set(written["class_label"].dropna()) <= {"一般", "较大", "特大"}
    assert written.crs == layer.crs
    overlaps = gpd.read_file(tmp_path / "audit.gpkg", layer="overlaps")
    assert len(overlaps) == len(document["overlaps"])
    for suffix in ("csv", "json"):
        result = sijie("audit", str(path), "--context", ctx, "-o", str(tmp_path / f"a.{suffix}"),
                       "--lang", "en")
        assert result.returncode == 1, result.stderr
    table = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")
    assert list(table["name"]) == list(layer["name"]) and "employees_verified" in table.columns
    assert set(table["class_label"].dropna()) <= {"general", "larger", "extra-large"}
    assert list(table["class"].fillna("")) == [c["class"] or "" for c in document["communities"]]
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == document


def test_audit_of_good_communities_exits_0(demo_dir):
    good = demo_dir / "proposals" / "good_industrial.gpkg"
    result = sijie("audit", str(good), "--context", str(demo_dir / "context.gpkg"))
    assert result.returncode == 0, result.stderr
    assert "澥川新材料工业社区" in result.stdout


@pytest.mark.parametrize(("columns", "geoms", "zh", "en"), [
    ({"type": ["工业社区"]}, [box(0, 0, 100, 100)], "name", "name"),
    ({"name": ["甲工业社区"], "type": ["工业社区"]}, [box(0, 0, 100, 100).boundary],
     "几何类型", "LineString"),
])
def test_unusable_layers_exit_2(demo_dir, tmp_path, columns, geoms, zh, en):
    path = tmp_path / "bad.gpkg"
    write_gpkg(gpd.GeoDataFrame(columns, geometry=[here(g) for g in geoms], crs="EPSG:4549"),
               path, "communities")
    ctx = str(demo_dir / "context.gpkg")
    assert_refused(sijie("audit", str(path), "--context", ctx), "bad.gpkg", zh)
    assert_refused(sijie("audit", str(path), "--context", ctx, "--lang", "en"), "bad.gpkg", en)


def test_empty_layer_exits_2(demo_dir, tmp_path):
    path = tmp_path / "empty.gpkg"
    write_gpkg(gpd.GeoDataFrame({"name": pd.Series([], dtype=str)}, geometry=[],
                                crs="EPSG:4549"), path, "communities")
    result = sijie("audit", str(path), "--context", str(demo_dir / "context.gpkg"),
                   "--lang", "en")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "empty.gpkg" in result.stderr
