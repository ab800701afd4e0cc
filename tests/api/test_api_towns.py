"""A bureau uploads its own context as a new town: checked like any upload, stored in one go,
and proposals named for that town are judged against it. Each engine gets its own service,
so the other suites' demo town stays the only one they see."""

from __future__ import annotations

import sqlite3
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db.models import ContextFeature, Town
from tests.api.conftest import (
    DEMO,
    assert_problem,
    bearer,
    demo_feature,
    service_per_engine,
)

CONTEXT = DEMO / "context.gpkg"


service = service_per_engine("towns")


@pytest.fixture(scope="module")
def headers(service) -> dict[str, dict[str, str]]:
    return bearer(service, "gis", "admin", "fagai")


@pytest.fixture
def no_work_left(monkeypatch, tmp_path) -> Iterator[None]:
    """Uploads' work folders go to a folder of the test's; none may be left behind."""
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    yield
    assert not list(systmp.glob("sijie-town-*"))


def _stored(client: TestClient) -> tuple[int, int]:
    """The number of towns and of context features in the database."""
    with client.app.state.sessions() as session:
        towns = session.scalar(select(func.count()).select_from(Town))
        features = session.scalar(select(func.count()).select_from(ContextFeature))
    return towns, features


def _file_counts(path: Path) -> dict[str, int]:
    return {name: pyogrio.read_info(path, layer=name)["features"]
            for name, kind in pyogrio.list_layers(path) if kind is not None}


def _upload(client, headers, path_or_bytes, filename="context.gpkg", **form):
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    files = {"file": (filename, data, "application/geopackage+sqlite3")}
    if "rules" in form:
        files["rules"] = ("bureau.toml", form.pop("rules").encode(), "application/toml")
    return client.post("/towns", files=files, data=form, headers=headers)


def _write_layers(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    return path


def test_the_demo_context_uploaded_under_another_name_is_a_new_town(
    service, headers, no_work_left
):
    towns_before, _ = _stored(service)
    response = _upload(service, headers["gis"], CONTEXT, name="示范镇副本", code="330299001")
    assert response.status_code == 201, response.text
    town = response.json()
    assert response.headers["Location"] == f"/towns/{town['id']}"
    assert (town["name"], town["code"], town["work_crs"]) == (
        "示范镇副本", "330299001", "EPSG:4549")
    assert town["layers"] == _file_counts(CONTEXT)
    assert service.get(f"/towns/{town['id']}").json() == town
    listed = service.get("/towns").json()["towns"]
    assert [t["name"] for t in listed][-1] == "示范镇副本" and len(listed) == towns_before + 1
    assert town["context_version"] == 1


def test_uploading_a_towns_context_again_makes_a_new_version(service, headers):
    first = _upload(service, headers["gis"], CONTEXT, name="示范镇再版").json()
    again = _upload(service, headers["admin"], CONTEXT, name="示范镇再版")
    assert again.status_code == 201, again.text
    town = again.json()
    assert (town["id"], town["context_version"]) == (first["id"], 2)
    assert town["layers"] == _file_counts(CONTEXT)  # the current version only
    versions = service.get(f"/towns/{town['id']}/versions").json()["versions"]
    assert [(v["version"], v["reason"]) for v in versions] == [(1, "upload"), (2, "upload")]


def test_one_layer_uploaded_again_replaces_only_that_layer(service, headers, tmp_path):
    town = _upload(service, headers["gis"], CONTEXT, name="示范镇道路").json()
    roads = gpd.read_file(CONTEXT, layer="roads").iloc[:40]
    path = _write_layers(tmp_path / "roads.gpkg", {"roads": roads})
    files = {"file": ("roads.gpkg", path.read_bytes(), "application/geopackage+sqlite3")}
    response = service.post(f"/towns/{town['id']}/versions", files=files,
                            data={"layer": "roads"}, headers=headers["gis"])
    assert response.status_code == 201, response.text
    after = response.json()
    assert after["context_version"] == 2
    assert after["layers"] == {**town["layers"], "roads": 40}
    versions = service.get(f"/towns/{town['id']}/versions").json()["versions"]
    assert (versions[-1]["reason"], versions[-1]["layer"]) == ("layer", "roads")
    unknown = service.post(f"/towns/{town['id']}/versions", files=files,
                           data={"layer": "rivers"}, headers=headers["gis"])
    assert_problem(unknown, 422, "layer_unknown")
    missing = service.post(f"/towns/{town['id']}/versions", files=files,
                           data={"layer": "parcels"}, headers=headers["gis"])
    assert missing.status_code == 422 and "parcels" in missing.text
    assert service.get(f"/towns/{town['id']}").json()["context_version"] == 2


def test_a_proposal_named_for_the_uploaded_town_is_validated_against_it(
    service, headers, tmp_path
):
    # the demo context with every neighbour renamed: a report naming them proves which town
    layers = {name: gpd.read_file(CONTEXT, layer=name)
              for name, kind in pyogrio.list_layers(CONTEXT) if kind is not None}
    layers["neighbours"]["name"] = "乙" + layers["neighbours"]["name"]
    town = _upload(service, headers["admin"], _write_layers(tmp_path / "b.gpkg", layers),
                   filename="乙镇.gpkg", name="乙镇").json()
    feature = {**demo_feature("good_industrial"), "town_id": town["id"]}
    created = service.post("/proposals", json=feature, headers=headers["gis"])
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["town_id"] == town["id"]
    pid = created.json()["id"]
    report = service.post(f"/proposals/{pid}/versions/1/validation", headers=headers["gis"])
    assert report.status_code == 201, report.text
    names = [n["name"] for n in report.json()["neighbours"]]
    assert report.json()["ok"] is True
    assert names and all(name.startswith("乙") for name in names)


def test_a_proposal_naming_no_such_town_is_refused(service, headers):
    feature = demo_feature("good_industrial")
    for town_id, code in ((999_999, "town_not_found"), ("乙镇", "town_id_invalid")):
        response = service.post("/proposals", json={**feature, "town_id": town_id},
                                headers=headers["gis"])
        assert_problem(response, 422, code)


def _without_roads(folder: Path) -> Path:
    return _write_layers(folder / "no_roads.gpkg", {
        "neighbours": gpd.read_file(CONTEXT, layer="neighbours"),
        "jurisdiction": gpd.read_file(CONTEXT, layer="jurisdiction"),
    })


def _without_crs(folder: Path) -> Path:
    layers = {name: gpd.read_file(CONTEXT, layer=name).set_crs(None, allow_override=True)
              for name in ("neighbours", "roads")}
    with warnings.catch_warnings():  # pyogrio warns that the file will have no CRS: the point
        warnings.simplefilter("ignore", UserWarning)
        return _write_layers(folder / "no_crs.gpkg", layers)


def _plain_sqlite(folder: Path) -> Path:
    path = folder / "plain.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE roads (name TEXT)")
    return path


_VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="roads"><SrcDataSource>/etc/passwd'
        b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>")


@pytest.mark.parametrize(
    ("make", "filename", "form", "status", "code", "named"),
    [
        (_without_roads, "county.gpkg", {}, 422, "context-unusable", "roads"),
        (_without_crs, "county.gpkg", {}, 422, "missing-crs", "crs field"),
        (_without_crs, "county.gpkg", {"crs": "EPSG:99999"}, 422, "bad-crs", "99999"),
        (lambda _: _VRT, "roads.gpkg", {}, 400, "driver-not-allowed", "VRT"),
        (_plain_sqlite, "county.gpkg", {}, 400, "driver-not-allowed", "application_id"),
        (lambda _: CONTEXT.read_bytes(), "county.zip", {}, 415, "unsupported-type", ".gpkg"),
        (lambda _: b"\0" * (3 * 1024**2 + 1), "big.gpkg", {}, 413, "too-large", "bytes"),
        (lambda _: CONTEXT, "county.gpkg", {"rules": "[context.layerz]\nroads = 'x'\n"}, 422,
         "rules_invalid", "context.layerz"),
        (lambda _: CONTEXT, "county.gpkg", {"rules": "[scale]\nemployees_target = 9\n"}, 422,
         "rules_not_for_town", "scale"),
        (lambda _: CONTEXT, "county.gpkg", {"rules": "[context.layers]\nroads = '道路'\n"}, 422,
         "context-unusable", "道路"),
    ],
    ids=["no-roads", "no-crs", "bad-crs", "vrt", "sqlite", "zip", "too-large", "rules-key",
         "rules-numbers", "rules-layer"],
)
def test_an_unusable_context_is_refused_and_nothing_is_stored(
    service, headers, tmp_path, no_work_left, make, filename, form, status, code, named
):
    before = _stored(service)
    response = _upload(service, {**headers["gis"], "Accept-Language": "en"}, make(tmp_path),
                       filename, name="县城", **form)
    body = assert_problem(response, status, code)
    assert named in body["detail"] and str(tmp_path) not in body["detail"]
    assert _stored(service) == before


def test_only_gis_staff_and_administrators_add_towns(service, headers):
    before = _stored(service)
    assert_problem(_upload(service, {}, CONTEXT, name="公众镇"), 401, "token_missing")
    assert_problem(_upload(service, headers["fagai"], CONTEXT, name="审核镇"), 403,
                   "forbidden_role")
    assert _stored(service) == before


def test_a_context_without_crs_is_read_in_the_crs_the_bureau_names(service, headers, tmp_path):
    path = _without_crs(tmp_path)
    response = _upload(service, headers["gis"], path, filename="county.gpkg", name="无坐标镇",
                       crs=gpd.read_file(CONTEXT, layer="neighbours").crs.to_string())
    assert response.status_code == 201, response.text
    assert response.json()["layers"] == _file_counts(path)


def test_a_town_in_another_zone_adds_that_zone_to_the_crs_offered(service, headers, tmp_path):
    # the demo town (about 121.6°E, kept in EPSG:4549) moved 1.4° east, to about 123°E in
    # longitude and latitude, is measured in the zone of that meridian, EPSG:4550
    moved = {name: gpd.read_file(CONTEXT, layer=name).to_crs(4490).translate(xoff=1.4)
             for name in ("neighbours", "roads")}
    layers = {name: gpd.GeoDataFrame(gpd.read_file(CONTEXT, layer=name, ignore_geometry=True),
                                     geometry=geoms, crs=4490)
              for name, geoms in moved.items()}
    items = "/collections/roads/items?limit=1&crs=EPSG:4550"
    assert_problem(service.get(items), 400, "crs_unsupported")
    response = _upload(service, headers["gis"], _write_layers(tmp_path / "east.gpkg", layers),
                       name="东移镇")
    assert response.status_code == 201, response.text
    assert response.json()["work_crs"] == "EPSG:4550"
    assert service.get(items).status_code == 200


def test_a_rules_file_names_the_bureaus_own_layers_and_columns(service, headers, tmp_path):
    neighbours, roads, parcels = (gpd.read_file(CONTEXT, layer=name)
                                  for name in ("neighbours", "roads", "parcels"))
    parcels = parcels.rename(columns={"employees": "从业人数"})
    path = _write_layers(tmp_path / "own.gpkg",
                         {"村社区边界": neighbours, "roads": roads, "parcels": parcels})
    rules = ("[context.layers]\nneighbours = '村社区边界'\n"
             "[context.columns.parcels]\nemployees = '从业人数'\n")
    response = _upload(service, headers["gis"], path, name="自有命名镇", rules=rules)
    assert response.status_code == 201, response.text
    assert response.json()["layers"] == {
        "neighbours": len(neighbours), "parcels": len(parcels), "roads": len(roads)
    }
    ctx = service.app.state.contexts.get(response.json()["id"])
    assert ctx.layer("parcels")["employees"].sum() == parcels["从业人数"].sum() > 0
