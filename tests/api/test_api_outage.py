"""PostgreSQL going away under the service: connections ended mid-write and the server
stopped and started again answer 503 with Retry-After, never 500, the service recovers by
itself, and creates retried with their Idempotency-Key are made exactly once.

Connections are ended on the shared local server (only the test's own database's); the server
that is stopped and started is a private PostgreSQL 15 instance the module runs in a temporary
folder (as the ``postgres`` system user when the tests run as root), so no other suite notices.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

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


def _named(key: str) -> dict:
    """The demo proposal named after ``key``."""
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = f"断线 {key}"
    return feature


def _create(client: TestClient, headers: dict[str, str], key: str, statuses: list[int],
            answered: list[tuple[float, float, int]] | None = None) -> dict:
    """POST a proposal with ``key`` until it is answered 201 (for at most 40 s), keeping every
    status (and, in ``answered``, when each request was sent and answered)."""
    feature = _named(key)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        sent = time.monotonic()
        response = client.post("/proposals", json=feature,
                               headers={**headers, "Idempotency-Key": key})
        statuses.append(response.status_code)
        if answered is not None:
            answered.append((sent, time.monotonic(), response.status_code))
        if response.status_code == 201:
            return response.json()
        # 503: the store is away; 409 pending: made, its answer not kept yet (store away)
        assert response.status_code == 503 or (
            response.status_code == 409
            and response.json()["code"] == "idempotency_key_pending"), response.text
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
    assert set(statuses) <= {201, 409, 503} and 500 not in statuses
    assert len({c["id"] for c in created}) == 100
    assert _stored(name, "SELECT count(*) FROM proposals") == before + 100
    print(f"\n100 creates with connections ended {sum(ended)} times: "
          f"{statuses.count(201)} × 201, {statuses.count(409)} × 409, "
          f"{statuses.count(503)} × 503, 0 × 500")


BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class PrivateServer:
    """A PostgreSQL 15 instance of the test's own, in ``folder``, listening on ``port``."""

    folder: Path
    port: int

    def _run(self, *args: str) -> None:
        command = [str(BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=30)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=40")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "server.log"), "-w", "-t", "20", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def url(self, database: str, driver: str = "postgresql") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def private_server() -> Iterator[PrivateServer]:
    """A private PostgreSQL 15 server with a PostGIS database ``sijie``; stopped and removed
    afterwards, whatever happened."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL 15 server binaries missing in {BIN} (installed by make test)")
    folder = Path(tempfile.mkdtemp(prefix="sijie-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PrivateServer(folder, _free_port())
    try:
        server._run("initdb", "-D", str(folder / "data"), "--auth=trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        server.start()
        with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE sijie")
        with psycopg.connect(server.url("sijie"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield server
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped, or never started
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def stoppable(private_server, tmp_path_factory) -> Iterator[TestClient]:
    """A service on the private server."""
    settings = make_settings(private_server.url("sijie", "postgresql+psycopg"),
                             tmp_path_factory.mktemp("stoppable") / "uploads")
    settings.db_wait_seconds = 2.0
    with TestClient(create_app(settings)) as client:
        yield client


def _until_ready(client: TestClient, seconds: float) -> float:
    """Poll ``/ready`` until it answers 200; how long that took."""
    began = time.monotonic()
    while client.get("/ready").status_code != 200:
        assert time.monotonic() - began < seconds, "the service did not recover"
        time.sleep(0.05)
    return time.monotonic() - began


def test_the_server_stopped_and_started_mid_writes_gives_503_then_recovers_without_duplicates(
    private_server, stoppable
):
    client = stoppable
    headers = bearer(client, "gis")["gis"]
    statuses: list[int] = []
    answered: list[tuple[float, float, int]] = []
    with ThreadPoolExecutor(8) as pool:
        writes = [pool.submit(_create, client, headers, f"stop-{i}", statuses, answered)
                  for i in range(100)]
        while statuses.count(201) < 25:  # mid-run
            assert not any(w.done() and w.exception() for w in writes)
            time.sleep(0.02)
        private_server.stop()
        down_from = time.monotonic()
        # while it is down: alive, not ready, every request 503 with Retry-After
        assert client.get("/health").status_code == 200
        ready = assert_problem(client.get("/ready"), 503, "db_unavailable")
        assert ready["store"]["reachable"] is False
        down = client.post("/proposals", json=_named("while-down"),
                           headers={**headers, "Idempotency-Key": "while-down"})
        assert_problem(down, 503, "db_unavailable")
        assert down.headers["Retry-After"].isdigit()
        assert_problem(client.get("/proposals", headers=headers), 503)
        time.sleep(3)  # the writers keep trying; answers not kept by then are kept later
        down_until = time.monotonic()
        private_server.start()
        recovered = _until_ready(client, 20)
        created = [w.result() for w in writes]
    while_down = [status for sent, at, status in answered if down_from <= sent and at <= down_until]
    assert while_down and set(while_down) == {503}
    assert set(statuses) <= {201, 409, 503} and 500 not in statuses
    # every key, retried again, returns its first answer
    again = [_create(client, headers, f"stop-{i}", statuses) for i in range(100)]
    assert [a["id"] for a in again] == [c["id"] for c in created]
    first = _create(client, headers, "while-down", statuses)
    assert _create(client, headers, "while-down", statuses)["id"] == first["id"]
    with psycopg.connect(private_server.url("sijie")) as conn:
        stored, names = conn.execute(
            "SELECT count(DISTINCT proposal_id), count(DISTINCT name) FROM proposal_versions "
            "WHERE name LIKE '断线 %'"
        ).fetchone()
        pending = conn.execute("SELECT count(*) FROM idempotency_keys WHERE status = 0").fetchone()
    assert stored == names == 101  # one proposal for each key: no duplicate
    assert pending[0] == 0  # every answer kept, also those the stopped server could not keep
    print(f"\n100 creates, server stopped after 25 and started {down_until - down_from:.1f} s "
          f"later: {statuses.count(201)} × 201, {statuses.count(409)} × 409 (answer not kept "
          f"yet), {statuses.count(503)} × 503 "
          f"({len(while_down)} × 503 while down), 0 × 500; ready {recovered:.2f} s after "
          f"the start; {stored} stored, 0 duplicates")
