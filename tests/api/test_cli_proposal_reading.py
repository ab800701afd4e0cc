"""A command reads its proposal as it always has: a plain GeoPackage without GDAL, every other
file (and any ``--crs``) with it, and the same proposal or the same error either way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import box

import geo.io
import geo.io.gpkg_features
from api.cli_options import ProposalInputs
from geo.errors import SijieError
from geo.io import read_layer
from geo.proposal import Proposal, proposal_from_frame
from geo.rules import Rules, load_rules
from tests.conftest import DEMO

X0, Y0 = 664_000.0, 3_315_000.0  # Zhenhai, Ningbo, in EPSG:4549


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(None)


def as_before(source: str, rules: Rules, *, crs: str | None = None,
              feature: str | None = None) -> Proposal | SijieError:
    """What reading ``source`` gave before the light reader: the GDAL reader's proposal, or
    its error."""
    try:
        return proposal_from_frame(read_layer(source, crs=crs), feature=feature, source=source,
                                   columns=rules.proposal)
    except SijieError as err:
        return err


def now(source: str, rules: Rules, *, crs: str | None = None,
        feature: str | None = None) -> Proposal | SijieError:
    try:
        return ProposalInputs(proposal=source, context="", crs=crs,
                              feature=feature).read_proposal(rules)
    except SijieError as err:
        return err


def assert_same(ours: Proposal | SijieError, before: Proposal | SijieError) -> None:
    if isinstance(before, SijieError):
        assert type(ours) is type(before)
        assert str(ours) == str(before)
        return
    assert isinstance(ours, Proposal), ours
    assert (ours.name, ours.type, ours.raw_type, ours.custodial, ours.centre_name) == (
        before.name, before.type, before.raw_type, before.custodial, before.centre_name)
    assert ours.crs == before.crs
    assert shapely.to_wkb(ours.geometry) == shapely.to_wkb(before.geometry)


def community(crs: str = "EPSG:4549", count: int = 1) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [f"镇海{i}号工业社区" for i in range(count)], "type": ["工业社区"] * count},
        geometry=[box(X0 + 500 * i, Y0, X0 + 500 * i + 400, Y0 + 300) for i in range(count)],
        crs="EPSG:4549").to_crs(crs)


def test_a_demo_proposal_is_read_without_gdal(rules: Rules,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    source = str(DEMO / "proposals" / "good_custodial_enclave.gpkg")
    before = as_before(source, rules)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read with GDAL")

    monkeypatch.setattr(geo.io, "read_layer", refuse)
    assert_same(now(source, rules), before)


def test_a_declared_crs_is_read_with_gdal(rules: Rules,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source = str(DEMO / "proposals" / "good_industrial.gpkg")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("read without GDAL")

    monkeypatch.setattr(geo.io.gpkg_features, "read_gpkg_features", refuse)
    assert_same(now(source, rules, crs="EPSG:4549"), as_before(source, rules, crs="EPSG:4549"))


def test_a_layer_named_in_the_source_reads_as_before(rules: Rules) -> None:
    source = f"{DEMO / 'proposals' / 'good_building.gpkg'}:proposal"
    assert geo.io.gpkg_features.read_gpkg_features(source) is None
    assert_same(now(source, rules), as_before(source, rules))


def test_several_layers_without_one_named_are_refused_as_before(rules: Rules,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(community(), path, layer="north")
    pyogrio.write_dataframe(community(), path, layer="south")
    ours = now(str(path), rules)
    assert isinstance(ours, SijieError) and ours.message_key == "several_layers"
    assert_same(ours, as_before(str(path), rules))


def test_a_geojson_proposal_reads_as_before(rules: Rules, tmp_path: Path) -> None:
    path = tmp_path / "proposal.geojson"
    pyogrio.write_dataframe(community("EPSG:4490"), path)
    ours = now(str(path), rules)
    assert isinstance(ours, Proposal)
    assert_same(ours, as_before(str(path), rules))


@pytest.mark.parametrize("srs_id", [0, -1, 99999])  # undefined lon/lat, undefined, absent
def test_a_geopackage_without_a_defined_crs_reads_as_before(rules: Rules, tmp_path: Path,
                                                            srs_id: int) -> None:
    path = tmp_path / "nocrs.gpkg"
    pyogrio.write_dataframe(community(), path, layer_options={"SPATIAL_INDEX": "NO"})
    with sqlite3.connect(path) as db:
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = ?", (srs_id,))
        db.execute("UPDATE gpkg_contents SET srs_id = ?", (srs_id,))
    db.close()
    ours = now(str(path), rules)
    assert isinstance(ours, SijieError)
    assert_same(ours, as_before(str(path), rules))
    declared = now(str(path), rules, crs="EPSG:4549")
    assert isinstance(declared, Proposal)
    assert_same(declared, as_before(str(path), rules, crs="EPSG:4549"))


def test_a_zone_prefixed_geopackage_is_converted_as_before(rules: Rules, tmp_path: Path) -> None:
    path = tmp_path / "prefixed.gpkg"
    pyogrio.write_dataframe(community("EPSG:4528"), path)
    ours = now(str(path), rules)
    assert isinstance(ours, Proposal) and ours.crs.to_epsg() == 4549
    assert_same(ours, as_before(str(path), rules))


def test_a_damaged_geometry_reads_as_before(rules: Rules, tmp_path: Path) -> None:
    path = tmp_path / "damaged.gpkg"
    pyogrio.write_dataframe(community(), path, layer="community",
                            layer_options={"SPATIAL_INDEX": "NO"})
    with sqlite3.connect(path) as db:
        (blob,) = db.execute("SELECT geom FROM community").fetchone()
        db.execute("UPDATE community SET geom = ?", (blob[:-9],))
    db.close()
    assert geo.io.gpkg_features.read_gpkg_features(path) is None
    assert_same(now(str(path), rules), as_before(str(path), rules))


def test_a_feature_picked_by_name_reads_as_before(rules: Rules, tmp_path: Path) -> None:
    path = tmp_path / "several.gpkg"
    pyogrio.write_dataframe(community(count=3), path)
    for feature in ("镇海1号工业社区", "镇海9号工业社区", None):
        assert_same(now(str(path), rules, feature=feature),
                    as_before(str(path), rules, feature=feature))
    assert shapely.equals_exact(
        now(str(path), rules, feature="镇海2号工业社区").geometry,  # type: ignore[union-attr]
        community(count=3).geometry[2], tolerance=0)
