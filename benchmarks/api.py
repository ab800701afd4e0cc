"""How fast the service answers under load: an items page and a validation run, with 50
concurrent clients on loopback, on a GeoPackage file and on PostGIS.

For each engine a fresh database is made (the demo town loaded), ``sijie serve --workers N``
serves it (migrations run once under a lock, each worker process a pool sized to its threads),
and an httpx async client keeps 50 requests in flight. The baseline, measured in the same run
against the same server, is ``/conformance``: a constant JSON document that touches no
database and no geometry, so the ratios show what storage and the spatial core add to the
cost of a request. Each validation answer is checked against the first one (same findings).

Targets (exit 1 when one is missed or any request fails): items page p95 ≤ 3× the baseline's
p95, validation p95 ≤ 5× the baseline's p95, no answer other than 200/201.

    .venv/bin/python benchmarks/api.py [--clients 50] [--requests 10] [--workers 2]
                                       [--engines gpkg,postgis]
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "boundary_data" / "demo"
PG_ADMIN = os.environ.get("SIJIE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password"
TARGETS = {"items": 3.0, "validate": 5.0}  # p95 as a multiple of the baseline's p95


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
def server(url: str, workers: int) -> Iterator[str]:
    """``sijie serve --workers N`` on ``url``'s database in a subprocess; its base URL."""
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
        [str(Path(sys.executable).with_name("sijie")), "serve", "--database", url, "--port",
         str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)
        uploads.cleanup()


@dataclass
class Load:
    """What one kind of request met under load: latencies, failed answers, distinct bodies."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answers: set[str] = field(default_factory=set)


async def _load(
    base: str, method: str, path: str, headers: dict[str, str], clients: int, requests: int,
    answer: Callable[[httpx.Response], str],
) -> Load:
    """``clients`` concurrent clients each sending ``requests`` requests."""
    load = Load()
    # idle connections dropped before the server's 5 s keep-alive ends them under a request
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients,
                          keepalive_expiry=2.0)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=300
    ) as http:

        async def one_client() -> None:
            for _ in range(requests):
                start = time.perf_counter()
                try:
                    response = await http.request(method, path)
                except httpx.HTTPError as exc:
                    load.errors.append(f"{type(exc).__name__}")
                    continue
                load.latencies.append(time.perf_counter() - start)
                if response.status_code >= 400:
                    load.errors.append(f"{response.status_code} {response.text[:120]}")
                else:
                    load.answers.add(answer(response))

        await http.request(method, path)  # warm-up: context cache, connection pool
        await asyncio.gather(*(one_client() for _ in range(clients)))
    return load


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _findings(response: httpx.Response) -> str:
    """What a validation found (run ids and times left out), to compare answers."""
    report = response.json()
    return json.dumps([report.get("ok"), report.get("findings"), report.get("metrics")],
                      sort_keys=True, ensure_ascii=False)


def measure(engine: str, clients: int, requests: int, workers: int) -> list[str]:
    """Run the loads on ``engine``; the targets missed (empty when all are met)."""
    with database(engine) as url, server(url, workers) as base:
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
            ("baseline", "/conformance", "GET", "/conformance", {}, lambda r: r.text),
            ("items", "items roads bbox limit=100", "GET",
             f"/collections/roads/items?bbox={bbox}&limit=100", {},
             lambda r: str(r.json()["numberReturned"])),
            ("validate", "validate good_industrial", "POST",
             f"/proposals/{pid}/versions/1/validation", auth, _findings),
        ]
        results = {}
        for key, _, method, path, headers, answer in cases:
            results[key] = asyncio.run(
                _load(base, method, path, headers, clients, requests, answer))
    p95_0 = _pct(results["baseline"].latencies, 95)
    print(f"\n{engine}: {clients} concurrent clients × {requests} requests, {workers} workers")
    print(f"  {'request':<30} {'p50 ms':>8} {'p95 ms':>8} {'p95 ×':>7} {'target':>7} {'errors':>7}")
    missed = []
    for key, name, *_ in cases:
        load = results[key]
        p50, p95 = _pct(load.latencies, 50), _pct(load.latencies, 95)
        target = TARGETS.get(key)
        print(f"  {name:<30} {p50 * 1e3:8.1f} {p95 * 1e3:8.1f} {p95 / p95_0:7.1f} "
              f"{'' if target is None else f'≤{target:.0f}':>7} {len(load.errors):7d}")
        if load.errors:
            missed.append(f"{engine} {name}: {len(load.errors)} errors, e.g. {load.errors[0]}")
        if target is not None and p95 / p95_0 > target:
            missed.append(f"{engine} {name}: p95 {p95 / p95_0:.1f}× the baseline, target {target}×")
        if len(load.answers) > 1:
            missed.append(f"{engine} {name}: {len(load.answers)} different answers")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="gpkg,postgis")
    args = parser.parse_args()
    missed = []
    for engine in args.engines.split(","):
        missed += measure(engine.strip(), args.clients, args.requests, args.workers)
    for line in missed:
        print(f"MISSED {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
