"""``sijie register`` on a copy of the demo context, checked with plain geopandas: the
villages' areas, the kinds, the history rows with their dates; a refused registration
(exit 2, one clear line) leaves the file byte for byte as it was."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest

from tests.api.test_cli import assert_refused, sijie

NAME = "澥川新材料工业社区"


@pytest.fixture(scope="module")
def registered(tmp_path_factory, demo_dir):
    """The demo context after registering good_industrial on 2026-06-30 and its revision
    (flaw_b3_offroad_edge, same name) on 2027-03-01."""
    path = tmp_path_factory.mktemp("register") / "context.gpkg"
    shutil.copyfile(demo_dir / "context.gpkg", path)
    proposals = demo_dir / "proposals"
    first = sijie("register", str(proposals / "good_industrial.gpkg"), "--context", str(path),
                  "--date", "2026-06-30", "--lang", "en")
    assert first.returncode == 0, first.stderr
    snapshot = (gpd.read_file(path, layer="neighbours"),
                gpd.read_file(path, layer="neighbours_history"))
    second = sijie("register", str(proposals / "flaw_b3_offroad_edge.gpkg"), "--context",
                   str(path), "--date", "2027-03-01")
    assert second.returncode == 0, second.stderr
    return path, snapshot, first


def test_register_carves_the_villages_and_adds_the_community(registered, demo_dir):
    _, (current, history), first = registered
    before = gpd.read_file(demo_dir / "context.gpkg", layer="neighbours").set_index("name")
    after = current.set_index("name")
    community = after.geometry[NAME]
    assert after.loc[NAME, "kind"] == "industrial_community"
    assert after.loc[NAME, "valid_from"] == "2026-06-30"
    gave = 0
    for name, geom in before.geometry.items():
        given = geom.intersection(community).area
        assert abs(geom.area - after.geometry[name].area - given) < 1.0, name
        gave += given
    assert abs(gave - community.area) < 1.0
    assert sorted(history["name"]) == sorted(
        n for n, g in before.geometry.items() if g.intersection(community).area > 1.0)
    assert set(history["valid_to"]) == {"2026-06-30"} and history["valid_from"].isna().all()
    assert "registered" in first.stderr and "neighbours_history" in first.stderr


def test_register_a_revision_retires_the_old_boundary(registered, demo_dir):
    path, (current1, _), _ = registered
    current = gpd.read_file(path, layer="neighbours")
    history = gpd.read_file(path, layer="neighbours_history")
    assert (current["name"] == NAME).sum() == 1 and len(current) == len(current1)
    retired = history[history["name"] == NAME]
    assert list(retired["valid_from"]) == ["2026-06-30"]
    assert list(retired["valid_to"]) == ["2027-03-01"]
    old = current1.set_index("name").geometry[NAME]
    assert retired.geometry.iloc[0].symmetric_difference(old).area < 0.01
    new = current.set_index("name").geometry[NAME]
    assert new.area > old.area + 1e5  # the revision reaches further north
    for name, geom in current1.set_index("name").geometry.items():
        if name != NAME:
            now = current.set_index("name").geometry[name]
            assert abs(geom.area - now.area - geom.intersection(new).area
                       + old.difference(new).intersection(now).area) < 1.0, name
    original = gpd.read_file(demo_dir / "context.gpkg", layer="neighbours")
    assert abs(current.area.sum() - original.area.sum()) < 1.0


@pytest.mark.parametrize(("args", "words"), [
    (["--date", "30/06/2026"], ["30/06/2026", "YYYY-MM-DD"]),
    (["--date", "2026-01-01"], ["2027-03-01", "valid_from"]),
])
def test_register_refuses_bad_dates_and_writes_nothing(registered, demo_dir, args, words):
    path = registered[0]
    data = path.read_bytes()
    result = sijie("register", str(demo_dir / "proposals" / "good_building.gpkg"),
                   "--context", str(path), *args, "--lang", "en")
    assert_refused(result, *words)
    assert path.read_bytes() == data


def test_register_refuses_to_take_a_registered_community(registered, demo_dir):
    path = registered[0]
    data = path.read_bytes()
    result = sijie("register", str(demo_dir / "proposals" / "flaw_b9_bad_name.gpkg"),
                   "--context", str(path), "--date", "2027-06-01", "--lang", "en")
    assert_refused(result, NAME, "registered")
    assert path.read_bytes() == data


def test_register_needs_a_context_geopackage(tmp_path, demo_dir):
    geojson = tmp_path / "context.geojson"
    gpd.read_file(demo_dir / "context.gpkg", layer="neighbours").to_file(geojson)
    result = sijie("register", str(demo_dir / "proposals" / "good_industrial.gpkg"),
                   "--context", str(geojson), "--lang", "en")
    assert_refused(result, "context.geojson", "GeoPackage")
