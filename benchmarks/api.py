"""How fast the service answers under load: an items page and a validation run, with 20
concurrent clients on loopback, on a GeoPackage file and on PostGIS.

For each engine a fresh database is made (the demo town loaded), ``uvicorn`` serves the app
in a subprocess, and an httpx async client keeps 20 requests in flight. The baseline, measured
in the same run against the same server, is ``/conformance``: a constant JSON document that
touches no database and no geometry, so the ratios show what storage and the spatial core add
to the cost of a request. Prints p50/p95 per request kind and their ratio to the baseline.

    .venv/bin/python benchmarks/api.py [--clients 20] [--requests 10] [--engines gpkg,postgis]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "boundary_data" / "demo"
PG_ADMIN = os.environ.get("SIJIE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(engine: str) -> Iterator[str]:
    """A fresh database URL for ``engine``, removed afterwards."""
    if engine == "gpkg":
        with tempfile.TemporaryDirectory() as folder:
            yield f"gpkg:///{Path(folder) / 'bench.gpkg'}"
        return
    name = f"sijie_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
    try:
        host = PG_ADMIN.split("://", 1)[1].rsplit("/", 1)[0]
        yield f"postgresql+psycopg://{host}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(url: str) -> Iterator[str]:
    """uvicorn serving sijie on ``url``'s database in a subprocess; its base URL."""
    port = _free_port()
    uploads = tempfile.TemporaryDirectory(prefix="sijie-bench-")
    env = {
        **os.environ,
        "SIJIE_DATABASE_URL": url,
        "SIJIE_SECRET_KEY": "bench-secret-key-32-bytes-long!!",
        "SIJIE_DEMO_PASSWORD": PASSWORD,
        "SIJIE_UPLOAD_DIR": uploads.name,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/conformance", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        uploads.cleanup()


async def _load(
    base: str, method: str, path: str, headers: dict[str, str], clients: int, requests: int
) -> list[float]:
    """Latencies (s) of ``clients`` concurrent clients each sending ``requests`` requests."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=120
    ) as http:

        async def one_client() -> None:
            for _ in range(requests):
                start = time.perf_counter()
                response = await http.request(method, path)
                latencies.append(time.perf_counter() - start)
                if response.status_code >= 400:
                    raise RuntimeError(
                        f"{method} {path}: {response.status_code} {response.text[:200]}"
                    )

        await http.request(method, path)  # warm-up: context cache, connection pool
        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure(engine: str, clients: int, requests: int) -> None:
    with database(engine) as url, server(url) as base:
        token = httpx.post(f"{base}/token", data={"username": "gis", "password": PASSWORD}).json()[
            "access_token"
        ]
        auth = {"Authorization": f"Bearer {token}"}
        feature = json.loads(
            gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg").to_crs(4490).to_json()
        )
        created = httpx.post(f"{base}/proposals", json=feature["features"][0], headers=auth)
        created.raise_for_status()
        pid = created.json()["id"]
        roads = gpd.read_file(DEMO / "context.gpkg", layer="roads").to_crs(4490).total_bounds
        cx, cy = (roads[0] + roads[2]) / 2, (roads[1] + roads[3]) / 2
        bbox = f"{cx - 0.01},{cy - 0.01},{cx + 0.01},{cy + 0.01}"
        cases = [
            ("baseline /conformance", "GET", "/conformance", {}),
            (
                "items roads bbox limit=100",
                "GET",
                f"/collections/roads/items?bbox={bbox}&limit=100",
                {},
            ),
            ("validate good_industrial", "POST", f"/proposals/{pid}/versions/1/validation", auth),
        ]
        results = {}
        for name, method, path, headers in cases:
            latencies = asyncio.run(_load(base, method, path, headers, clients, requests))
            results[name] = (_pct(latencies, 50), _pct(latencies, 95))
        p50_0, p95_0 = results[cases[0][0]]
        print(f"\n{engine}: {clients} concurrent clients × {requests} requests each")
        print(f"  {'request':<30} {'p50 ms':>8} {'p95 ms':>8} {'p50 ×':>7} {'p95 ×':>7}")
        for name, (p50, p95) in results.items():
            print(
                f"  {name:<30} {p50 * 1e3:8.1f} {p95 * 1e3:8.1f} "
                f"{p50 / p50_0:7.1f} {p95 / p95_0:7.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--engines", default="gpkg,postgis")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        measure(engine.strip(), args.clients, args.requests)


if __name__ == "__main__":
    main()
