"""GDAL's OGC API Features client (the OAPIF driver of Debian's ``gdal-bin``, which QGIS and
ogr2ogr use) reads every collection of a real ``sijie serve`` — the public ones, and as staff
(a bearer token in GDAL's header file) proposals, grids, micro-grids and facility sites made
through the service — in the default CRS and with ``crs`` and ``bbox-crs`` in a Gauss–Krüger
zone, and gets the features the service serves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
import shapely

from api.crs import crs_uri
from tests.api.conftest import DEMO, fresh_database
from tests.api.test_api_serve import SIJIE, _free_port

pytestmark = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="gdal-bin is not installed (make install adds it)")

PUBLIC = ("neighbours", "communities", "roads", "proposals", "grids", "microgrids")
STAFF = ("proposals", "grids", "microgrids", "sites")
ZONE = crs_uri(4549)
PASSWORD = "gdal-test-password"


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def served(request, tmp_path_factory):
    """A ``sijie serve`` on a free loopback port over a new database of each store; its base
    URL."""
    tmp_path = tmp_path_factory.mktemp("gdal")
    with fresh_database(request.param, tmp_path) as url:
        yield from _serve(url, tmp_path)


def _serve(database: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(SIJIE), "serve", "--database", database, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "SIJIE_DEMO_PASSWORD": PASSWORD})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # bounded wait for start-up
            try:
                httpx.get(f"{base}/", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _ogr2ogr(tmp_path: Path, url: str, layer: str, headers: Path | None = None
             ) -> gpd.GeoDataFrame:
    out = tmp_path / f"{layer}-{len(list(tmp_path.iterdir()))}.geojson"
    config = ["--config", "GDAL_HTTP_HEADER_FILE", str(headers)] if headers else []
    done = subprocess.run(["ogr2ogr", *config, "-f", "GeoJSON", str(out), f"OAPIF:{url}", layer],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    return gpd.GeoDataFrame.from_features(features) if features else gpd.GeoDataFrame()


def test_gdal_reads_every_collection_with_crs_and_bbox_crs(served, tmp_path):
    listed = subprocess.run(["ogrinfo", "-ro", "-q", f"OAPIF:{served}"], capture_output=True,
                            text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    for collection in PUBLIC:
        assert f": {collection} " in listed.stdout
    villages = gpd.read_file(DEMO / "context.gpkg", layer="neighbours")  # EPSG:4549
    roads = gpd.read_file(DEMO / "context.gpkg", layer="roads")
    e0, n0, e1, n1 = roads.total_bounds
    ce, cn = (e0 + e1) / 2, (n0 + n1) / 2
    window = (ce - 500, cn - 500, ce + 500, cn + 500)
    bbox = f"{window[1]},{window[0]},{window[3]},{window[2]}"  # northing, easting order
    for collection in PUBLIC:
        plain = _ogr2ogr(tmp_path, f"{served}/collections/{collection}", collection)
        zoned = _ogr2ogr(tmp_path, f"{served}/collections/{collection}?crs={ZONE}&bbox-crs="
                                   f"{ZONE}&bbox={bbox}", collection)
        if collection == "neighbours":
            assert sorted(plain["name"]) == sorted(villages["name"])
            # the zone's coordinates arrive northing first, as EPSG:4549 orders them
            swapped = shapely.transform(zoned.geometry.values, lambda yx: yx[:, ::-1])
            b = villages.bounds
            expected = villages[(b.maxx >= window[0]) & (b.minx <= window[2])
                                & (b.maxy >= window[1]) & (b.miny <= window[3])]
            assert sorted(zoned["name"]) == sorted(expected["name"])
            by_name = dict(zip(zoned["name"], swapped, strict=True))
            for name, geom in zip(expected["name"], expected.geometry, strict=True):
                assert by_name[name].symmetric_difference(geom).area < 1.0  # m²
        elif collection == "roads":
            assert len(plain) == len(roads)
            box_hits = roads.bounds.pipe(lambda b: (b.maxx >= window[0]) & (b.minx <= window[2])
                                         & (b.maxy >= window[1]) & (b.miny <= window[3]))
            assert 0 < len(zoned) == int(box_hits.sum()) < len(roads)
        else:  # nothing public yet in the demo town: read, and empty
            assert len(plain) == len(zoned) == 0


def test_gdal_reads_the_staff_collections_with_a_bearer_token(served, tmp_path):
    token = httpx.post(f"{served}/token", data={"username": "gis", "password": PASSWORD},
                       timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    feature = json.loads(gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                                       layer="proposal")
                         .to_crs(4490).to_json())["features"][0]
    created = httpx.post(f"{served}/proposals", json=feature, headers=auth, timeout=120)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    for kind in ("grids", "facility"):
        run = httpx.post(f"{served}/proposals/{pid}/versions/1/{kind}", headers=auth,
                         timeout=600)
        assert run.status_code == 201, run.text
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Bearer {token}\n", encoding="utf-8")
    proposal = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                             layer="proposal").to_crs(4549)
    e0, n0, e1, n1 = proposal.total_bounds
    bbox = f"{n0},{e0},{(n0 + n1) / 2},{(e0 + e1) / 2}"  # the south-west quarter, northing first
    for collection in STAFF:
        served_all = httpx.get(f"{served}/collections/{collection}/items", headers=auth,
                               params={"limit": 1}, timeout=60).json()["numberMatched"]
        served_box = httpx.get(f"{served}/collections/{collection}/items", headers=auth, params={
            "limit": 1, "crs": ZONE, "bbox-crs": ZONE, "bbox": bbox}, timeout=60).json()
        plain = _ogr2ogr(tmp_path, f"{served}/collections/{collection}", collection, headers)
        zoned = _ogr2ogr(tmp_path, f"{served}/collections/{collection}?crs={ZONE}&bbox-crs="
                                   f"{ZONE}&bbox={bbox}", collection, headers)
        assert len(plain) == served_all > 0, collection
        assert len(zoned) == served_box["numberMatched"] > 0, collection
        if collection == "proposals":
            swapped = shapely.transform(zoned.geometry.values, lambda yx: yx[:, ::-1])[0]
            assert swapped.symmetric_difference(proposal.geometry.iloc[0]).area < 1.0  # m²
    # without the token GDAL sees what the public sees: no drafts, no sites
    assert len(_ogr2ogr(tmp_path, f"{served}/collections/proposals", "proposals")) == 0
