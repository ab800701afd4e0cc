"""GDAL's OGC API Features client (the OAPIF driver of Debian's ``gdal-bin``, which QGIS and
ogr2ogr use) reads every public collection of a real ``sijie serve``, in the default CRS and
with ``crs`` and ``bbox-crs`` in a Gauss–Krüger zone, and gets the demo town's features."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
import shapely

from api.crs import crs_uri
from tests.api.conftest import DEMO
from tests.api.test_api_serve import SIJIE, _free_port, empty_database  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="gdal-bin is not installed (make install adds it)")

PUBLIC = ("neighbours", "communities", "roads", "proposals", "grids", "microgrids")
ZONE = crs_uri(4549)


@pytest.fixture
def served(tmp_path, empty_database):  # noqa: F811
    """A ``sijie serve`` on a free loopback port; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [str(SIJIE), "serve", "--database", empty_database, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
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


def _ogr2ogr(tmp_path: Path, url: str, layer: str) -> gpd.GeoDataFrame:
    out = tmp_path / f"{layer}-{len(list(tmp_path.iterdir()))}.geojson"
    done = subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{url}", layer],
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
