"""Fixtures of the API suite: one service per engine (GeoPackage file, PostGIS database made
on the local server and dropped afterwards), the demo town loaded once per engine."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.demo import DEMO_USERS
from api.settings import Settings, UploadSettings

DEMO = Path(__file__).resolve().parents[2] / "boundary_data" / "demo"
PASSWORD = "test-password"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
ENGINES = ("gpkg", "postgis")


@contextmanager
def fresh_postgis() -> Iterator[str]:
    """A new PostGIS database on the local server, dropped afterwards; its URL."""
    name = f"sijie_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(PG_ADMIN.replace("/test", f"/{name}"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh database on each engine."""
    with fresh_database(request.param, tmp_path_factory.mktemp("gpkg")) as url:
        yield url


def make_settings(database_url: str, uploads: Path, *, rules_file: Path | None = None) -> Settings:
    """The settings every test service runs with, on ``database_url`` (and the bureau's
    ``rules_file``, if any)."""
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-of-32-bytes-len!",
        demo_password=PASSWORD,
        uploads=UploadSettings(
            dir=str(uploads), max_photo_mb=0.5, max_file_mb=5, max_context_mb=3
        ),
        rules_file=None if rules_file is None else str(rules_file),
    )


@contextmanager
def fresh_database(engine: str, folder: Path) -> Iterator[str]:
    """A new, empty database on ``engine`` ("gpkg" in ``folder``, or "postgis"); its URL."""
    if engine == "gpkg":
        yield f"gpkg:///{folder / 'sijie.gpkg'}"
        return
    with fresh_postgis() as url:
        yield url


@contextmanager
def own_service(engine: str, folder: Path, *, rules: str | None = None) -> Iterator[TestClient]:
    """A service of its own on a new database of ``engine``, with the demo town and users
    (for suites that change the town and must not change it for the others); ``rules`` is the
    text of the bureau's rules file it runs with, if any."""
    rules_file = None
    if rules is not None:
        rules_file = folder / "bureau.toml"
        rules_file.write_text(rules, encoding="utf-8")
    with (
        fresh_database(engine, folder) as url,
        TestClient(create_app(make_settings(url, folder / "uploads",
                                            rules_file=rules_file))) as client,
    ):
        yield client


def service_per_engine(folder: str, *, rules: str | None = None) -> Any:
    """A module-scoped fixture ``service``: :func:`own_service` on each engine, in a temporary
    folder named ``folder`` (with the rules file ``rules``, if given); a suite that changes the
    town assigns it as ``service = …``."""

    @pytest.fixture(scope="module", params=ENGINES, name="service")
    def service(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
        with own_service(request.param, tmp_path_factory.mktemp(folder), rules=rules) as client:
            yield client

    return service


def bearer(client: TestClient, *users: str) -> dict[str, dict[str, str]]:
    """Authorization headers of each of ``users`` (demo users, signed in with PASSWORD)."""
    tokens = {}
    for user in users:
        response = client.post("/token", data={"username": user, "password": PASSWORD})
        tokens[user] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return tokens


@pytest.fixture(scope="session")
def settings(database_url, tmp_path_factory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="session")
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def auth(client) -> dict[str, dict[str, str]]:
    """Authorization headers of every demo user, by user name."""
    headers = {}
    for user in DEMO_USERS:
        response = client.post("/token", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        headers[user.username] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return headers


def demo_feature(name: str, crs: int = 4490) -> dict[str, Any]:
    """A demo proposal as a GeoJSON Feature in ``crs`` (traditional x/y order)."""
    frame = gpd.read_file(DEMO / "proposals" / f"{name}.gpkg", layer="proposal").to_crs(epsg=crs)
    return json.loads(frame.to_json())["features"][0]


def create_proposal(
    client: TestClient, headers: dict[str, str], name: str = "good_industrial", **props: Any
) -> tuple[int, str]:
    """Post a demo proposal; its id and ETag."""
    feature = demo_feature(name)
    feature["properties"].update(props)
    response = client.post("/proposals", json=feature, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["ETag"]


def assert_problem(response, status: int, code: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem document with ``status`` (and ``code``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
