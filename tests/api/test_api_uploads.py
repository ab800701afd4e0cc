"""Proposals uploaded as files go through the upload gate; refused files store nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.api.conftest import DEMO, assert_problem


def _count(client, auth) -> int:
    return client.get("/collections/proposals/items", headers=auth["gis"]).json()["numberMatched"]


def test_a_geopackage_upload_creates_a_proposal(client, auth):
    data = (DEMO / "proposals" / "good_building.gpkg").read_bytes()
    response = client.post(
        "/proposals",
        headers=auth["gis"],
        data={"reason": "上传"},
        files={"file": ("good_building.gpkg", data, "application/geopackage+sqlite3")},
    )
    assert response.status_code == 201, response.text
    props = response.json()["properties"]
    assert props["version"] == 1 and props["input_crs"] == "EPSG:4549" and props["reason"] == "上传"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        ("evil.zip", _zip({"../../evil.shp": b"x" * 100, "../../evil.dbf": b"x"})),
        ("bomb.zip", _zip({"a.shp": b"\x00" * (20 * 1024 * 1024)})),
        (
            "fake.gpkg",
            b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd'
            b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>",
        ),
        ("remote.geojson", b"/vsicurl/http://example.com/a.geojson"),
        ("notes.txt", b"hello"),
    ],
)
def test_unsafe_or_unusable_uploads_are_4xx_problems_and_store_nothing(client, auth, name, data):
    before = _count(client, auth)
    response = client.post(
        "/proposals", headers=auth["gis"], files={"file": (name, data, "application/octet-stream")}
    )
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)
    assert _count(client, auth) == before


KML_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&secret;</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
121.60,29.94 121.61,29.94 121.61,29.95 121.60,29.94</coordinates></LinearRing></outerBoundaryIs>
</Polygon></Placemark></kml>"""


def _shapefile_without_crs(tmp_path) -> bytes:
    import geopandas as gpd

    frame = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg", layer="proposal")
    frame.set_crs(None, allow_override=True).to_file(tmp_path / "p.shp")
    (tmp_path / "p.prj").unlink(missing_ok=True)
    return _zip({p.name: p.read_bytes() for p in tmp_path.glob("p.*")})


def test_kml_with_an_external_entity_is_refused_and_nothing_is_read(client, auth):
    before = _count(client, auth)
    response = client.post(
        "/proposals",
        headers=auth["gis"],
        files={"file": ("xxe.kml", KML_XXE, "application/vnd.google-earth.kml+xml")},
    )
    body = assert_problem(response, response.status_code)
    assert 400 <= response.status_code < 500 and "root:" not in body["detail"]
    assert _count(client, auth) == before


def test_a_shapefile_without_crs_is_refused_until_the_crs_is_named(client, auth, tmp_path):
    data = _shapefile_without_crs(tmp_path)
    before = _count(client, auth)
    refused = client.post(
        "/proposals", headers=auth["gis"], files={"file": ("p.zip", data, "application/zip")}
    )
    assert 400 <= refused.status_code < 500
    assert_problem(refused, refused.status_code)
    assert _count(client, auth) == before
    named = client.post(
        "/proposals",
        headers=auth["gis"],
        data={"crs": "EPSG:4549"},
        files={"file": ("p.zip", data, "application/zip")},
    )
    assert named.status_code == 201, named.text
    assert named.json()["properties"]["input_crs"] == "EPSG:4549"


def test_a_file_over_the_size_limit_is_413(client, auth):
    data = b"{" + b" " * (6 * 1024 * 1024) + b"}"  # the test limit is 5 MB
    response = client.post(
        "/proposals",
        headers=auth["gis"],
        files={"file": ("big.geojson", data, "application/geo+json")},
    )
    assert_problem(response, 413)
