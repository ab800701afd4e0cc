"""``sijie serve``: creates the GeoPackage, loads the demo town and users, serves the API."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import httpx
import pyogrio
import pytest

from tests.api.conftest import DEMO, fresh_postgis

SIJIE = Path(sys.executable).with_name("sijie")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["gpkg", "postgis"])
def empty_database(request, tmp_path):
    if request.param == "gpkg":
        yield f"gpkg:///{tmp_path / 'town.gpkg'}"
        return
    with fresh_postgis() as url:
        yield url


def test_serve_creates_the_database_loads_the_demo_and_answers(tmp_path, empty_database):
    port = _free_port()
    process = subprocess.Popen(
        [str(SIJIE), "serve", "--database", empty_database, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        landing = None
        for _ in range(300):  # bounded wait for start-up; no assertion on how long it took
            try:
                landing = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.1)
        assert landing is not None and landing.status_code == 200
        assert {link["rel"] for link in landing.json()["links"]} >= {"service-desc", "data"}
        towns = httpx.get(f"http://127.0.0.1:{port}/towns").json()["towns"]
        assert len(towns) == 1
        # GDAL's OGC API Features client (what QGIS and ogr2ogr use) reads the layers
        roads = pyogrio.read_dataframe(f"OAPIF:http://127.0.0.1:{port}", layer="roads")
        source = gpd.read_file(DEMO / "context.gpkg", layer="roads").to_crs(4490)
        assert len(roads) == len(source) and roads.crs.to_epsg() == 4490
        # served coordinates carry 7 decimals (about 1 cm)
        assert roads.total_bounds == pytest.approx(source.total_bounds, abs=1e-7)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    if empty_database.startswith("gpkg:///"):
        assert (tmp_path / "town.gpkg").exists()
    for user in ("gis", "minzheng", "ziranziyuan", "admin"):
        assert user in out
    assert "SIJIE_DEMO_PASSWORD" in out


def test_serve_refuses_a_database_it_does_not_support(tmp_path):
    result = subprocess.run(
        [str(SIJIE), "serve", "--database", "mysql://root@localhost/x"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "mysql" in result.stderr and "Traceback" not in result.stderr


def test_serve_says_in_one_line_when_postgis_cannot_be_reached(tmp_path):
    url = f"postgresql+psycopg://postgres:secret-pw@127.0.0.1:{_free_port()}/nowhere"
    result = subprocess.run(
        [str(SIJIE), "serve", "--database", url, "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "cannot open the database" in result.stderr and "Traceback" not in result.stderr
    assert "secret-pw" not in result.stderr


def test_serve_with_two_workers_migrates_and_seeds_once(tmp_path, empty_database):
    port = _free_port()
    process = subprocess.Popen(
        [str(SIJIE), "serve", "--database", empty_database, "--port", str(port),
         "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = None
        for _ in range(600):  # bounded wait for start-up; no assertion on how long it took
            try:
                ready = httpx.get(f"{base}/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read()
            time.sleep(0.1)
        assert ready is not None and ready.status_code == 200, ready
        # answered by both workers alike: one town, each demo user once
        for _ in range(10):
            assert len(httpx.get(f"{base}/towns").json()["towns"]) == 1
        token = httpx.post(f"{base}/token", data={"username": "admin", "password": "sijie-demo"})
        users = httpx.get(f"{base}/users",
                          headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        names = [u["username"] for u in users.json()["users"]]
        assert len(names) == len(set(names)) and "gis" in names
    finally:
        process.terminate()
        process.communicate(timeout=60)
