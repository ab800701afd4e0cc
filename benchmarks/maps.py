"""How fast a map of 5,000 grids opens in headless Chromium: sijie's grid map against the
naive folium page.

The grids are a synthetic tiling of 300 m cells whose shared edges carry a vertex every 4 m
with 0.3 m of digitising noise, as boundaries traced along road centrelines do. sijie's grid
map simplifies them for display to 1 m with ``coverage_simplify`` (shared edges stay
shared), rounds coordinates to about 1 cm, shows codes only when zoomed in and draws on a
canvas. The baseline is what folium gives by default: ``folium.GeoJson`` of every vertex as
SVG, a style function colouring by employees, and a tooltip of the code. Both pages load
Leaflet from sijie's own files from a local server; the time is from navigation to the
second animation frame after the load event, the median of several rounds.

    .venv/bin/python benchmarks/maps.py
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

# run as a script, this folder leads sys.path and this file's name would hide the maps package;
# the repository root is needed for the browser helpers the map tests use
_HERE, _ROOT = Path(__file__).resolve().parent, Path(__file__).resolve().parents[1]
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import folium  # noqa: E402
import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from geo.grids import GridPlan  # noqa: E402
from geo.io import read_context  # noqa: E402
from geo.rules import load_rules  # noqa: E402
from maps import grid_map, page_html  # noqa: E402
from tests.maps.browser import STATIC_URL, chromium, serve  # noqa: E402

DEMO = _ROOT / "boundary_data" / "demo"
GRIDS = 5_000
CELL_M = 300.0
STEP_M = 4.0
NOISE_M = 0.3
ROUNDS = 3
ORIGIN = (640_000.0, 3_300_000.0)  # CGCS2000 GK CM 120°E, near the demo town


def _edge(a: np.ndarray, b: np.ndarray, seed: int) -> np.ndarray:
    """Points from a to b every STEP_M, with noise across the edge that depends only on the
    edge, so both grids that share it get the same vertices."""
    n = int(np.linalg.norm(b - a) // STEP_M) + 1
    t = np.linspace(0.0, 1.0, n + 1)
    points = a + np.outer(t, b - a)
    normal = np.array([a[1] - b[1], b[0] - a[0]]) / np.linalg.norm(b - a)
    noise = np.random.default_rng(seed).uniform(-NOISE_M, NOISE_M, n + 1)
    noise[[0, -1]] = 0.0
    return points + np.outer(noise, normal)


def synthetic_grids(count: int = GRIDS) -> gpd.GeoDataFrame:
    """``count`` grids tiling a square of jittered cells, with the columns make_grids gives."""
    side = int(np.ceil(np.sqrt(count)))
    rng = np.random.default_rng(8)
    nodes = np.stack(np.meshgrid(np.arange(side + 1), np.arange(side + 1), indexing="ij"), -1)
    nodes = nodes * CELL_M + rng.uniform(-0.2, 0.2, nodes.shape) * CELL_M + ORIGIN
    nodes[0, :, 0], nodes[-1, :, 0] = ORIGIN[0], ORIGIN[0] + side * CELL_M
    nodes[:, 0, 1], nodes[:, -1, 1] = ORIGIN[1], ORIGIN[1] + side * CELL_M
    edges: dict[tuple, np.ndarray] = {}

    def edge(p: tuple[int, int], q: tuple[int, int]) -> np.ndarray:
        key = (p, q) if p < q else (q, p)
        if key not in edges:
            edges[key] = _edge(nodes[key[0]], nodes[key[1]], hash(key) & 0xFFFFFFFF)
        line = edges[key]
        return line if key == (p, q) else line[::-1]

    polygons = []
    for i in range(side):
        for j in range(side):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1), (i, j)]
            ring = np.concatenate([edge(p, q)[:-1] for p, q in itertools.pairwise(corners)])
            polygons.append(shapely.Polygon(ring))
    polygons = polygons[:count]
    employees = rng.integers(100, 1_400, len(polygons))
    frame = gpd.GeoDataFrame({
        "code": [f"330211102900{k + 1:05d}" for k in range(len(polygons))],
        "employees": employees, "enterprises": rng.integers(3, 35, len(polygons)),
        "area_m2": shapely.area(polygons), "units": 1,
        "polsby_popper": [4 * np.pi * p.area / p.length ** 2 for p in polygons],
        "capacity_use": employees / 1_300, "oversize": employees > 1_300,
    }, geometry=polygons, crs="EPSG:4549")
    return frame


def naive_page(grids: gpd.GeoDataFrame) -> str:
    """The folium default: every vertex, SVG, a style function and a tooltip."""
    lonlat = grids.to_crs(4326)
    west, south, east, north = lonlat.total_bounds
    m = folium.Map(tiles=None)
    folium.GeoJson(
        lonlat, name="grids",
        style_function=lambda f: {"fillColor": "#31a354" if f["properties"]["employees"] > 700
                                  else "#bae4b3", "color": "#1b2a49", "weight": 2},
        tooltip=folium.GeoJsonTooltip(fields=["code"]),
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return page_html(m, static_url=STATIC_URL)


def _load_time(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="load", timeout=600_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def main() -> None:
    ctx = read_context(DEMO / "context.gpkg", load_rules(None))
    grids = synthetic_grids()
    vertices = int(shapely.get_num_coordinates(grids.geometry.values).sum())
    print(f"{len(grids):,} grids, {vertices:,} vertices")
    empty = gpd.GeoDataFrame({"code": [], "kind": [], "name": [], "employees": [], "grid": []},
                             geometry=[], crs=grids.crs)
    start = time.perf_counter()
    sijie_html = page_html(grid_map(GridPlan(grids, empty, len(grids)), ctx),
                           static_url=STATIC_URL)
    built = time.perf_counter() - start
    start = time.perf_counter()
    naive_html = naive_page(grids)
    naive_built = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as site, chromium() as browser:
        urls = {"sijie": site.publish("sijie.html", sijie_html),
                "naive": site.publish("naive.html", naive_html)}
        times = {name: statistics.median(_load_time(browser, url) for _ in range(ROUNDS))
                 for name, url in urls.items()}
    print(f"{'page':<8}{'build s':>10}{'HTML MB':>10}{'load s':>10}")
    for name, html_, build in (("sijie", sijie_html, built), ("naive", naive_html, naive_built)):
        print(f"{name:<8}{build:>10.2f}{len(html_.encode()) / 1e6:>10.1f}{times[name]:>10.2f}")
    print(f"load-time ratio naive / sijie: {times['naive'] / times['sijie']:.1f}x "
          f"(target: sijie under 3 s: {'met' if times['sijie'] < 3 else 'missed'})")


if __name__ == "__main__":
    main()
