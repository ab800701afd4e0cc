"""PostgreSQL going away under the service: connections ended mid-write and the database
refusing every connection answer 503 with Retry-After, never 500, and creates retried with
their Idempotency-Key are made exactly once.

The server itself is not stopped (other suites share it): "down" is the service's own
database refusing connections (``ALTER DATABASE … ALLOW_CONNECTIONS false``) with every
connection to it ended, which the service sees exactly as a stopped server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import (
    PG_ADMIN,
    assert_problem,
    bearer,
    demo_feature,
    fresh_postgis,
    make_settings,
)

_END_THEIR_CONNECTIONS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = %s AND pid <> pg_backend_pid()"
)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[tuple[str, TestClient]]:
    with fresh_postgis() as url:
        settings = make_settings(url, tmp_path_factory.mktemp("outage") / "uploads")
        settings.db_wait_seconds = 2.0
        with TestClient(create_app(settings)) as client:
            yield url.rsplit("/", 1)[1], client


def _admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN, autocommit=True)


@contextmanager
def connections_ended_every(name: str, seconds: float) -> Iterator[list[int]]:
    """End every connection to database ``name`` every ``seconds`` until the block ends."""
    ended: list[int] = []
    stop = threading.Event()

    def run() -> None:
        with _admin() as admin:
            while not stop.is_set():
                ended.append(len(admin.execute(_END_THEIR_CONNECTIONS, (name,)).fetchall()))
                stop.wait(seconds)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield ended
    finally:
        stop.set()
        thread.join()


def _stored(name: str, sql: str) -> int:
    with psycopg.connect(PG_ADMIN.replace("/test", f"/{name}")) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _create(client: TestClient, headers: dict[str, str], key: str, statuses: list[int]) -> dict:
    """POST a proposal with ``key`` until it is answered 201, keeping every status."""
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = f"断线 {key}"
    for _ in range(200):
        response = client.post("/proposals", json=feature,
                               headers={**headers, "Idempotency-Key": key})
        statuses.append(response.status_code)
        if response.status_code == 201:
            return response.json()
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"].isdigit()
        time.sleep(0.05)
    raise AssertionError(f"{key} never created")


def test_writes_while_connections_are_ended_give_503_never_500_and_no_duplicate(database):
    name, client = database
    headers = bearer(client, "gis")["gis"]
    before = _stored(name, "SELECT count(*) FROM proposals")
    statuses: list[int] = []
    with connections_ended_every(name, 0.25) as ended, ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda i: _create(client, headers, f"cut-{i}", statuses),
                                range(100)))
    assert sum(ended) > 0
    assert set(statuses) <= {201, 503} and 500 not in statuses
    assert len({c["id"] for c in created}) == 100
    assert _stored(name, "SELECT count(*) FROM proposals") == before + 100
    print(f"\n100 creates with connections ended {sum(ended)} times: "
          f"{statuses.count(201)} × 201, {statuses.count(503)} × 503, 0 × 500")


def test_a_database_refusing_connections_is_503_and_ready_says_so_until_it_is_back(database):
    name, client = database
    headers = bearer(client, "gis")["gis"]
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(_END_THEIR_CONNECTIONS, (name,))
    try:
        assert client.get("/health").status_code == 200
        ready = assert_problem(client.get("/ready"), 503, "db_unavailable")
        assert ready["store"]["reachable"] is False
        down = client.post("/proposals", json=demo_feature("good_industrial"),
                           headers={**headers, "Idempotency-Key": "while-down"})
        assert_problem(down, 503, "db_unavailable")
        assert down.headers["Retry-After"].isdigit()
        assert_problem(client.get("/proposals", headers=headers), 503)
    finally:
        with _admin() as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert client.get("/ready").status_code == 200
    statuses: list[int] = []
    first = _create(client, headers, "while-down", statuses)
    again = _create(client, headers, "while-down", statuses)
    assert first["id"] == again["id"]
