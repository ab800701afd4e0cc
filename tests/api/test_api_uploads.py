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


def test_a_file_over_the_size_limit_is_413(client, auth):
    data = b"{" + b" " * (6 * 1024 * 1024) + b"}"  # the test limit is 5 MB
    response = client.post(
        "/proposals",
        headers=auth["gis"],
        files={"file": ("big.geojson", data, "application/geo+json")},
    )
    assert_problem(response, 413)
