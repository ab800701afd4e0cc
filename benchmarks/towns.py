"""Large towns for the benchmarks, built from the demo town so that they look like real data.

``tiled_demo(tiles)`` lays ``tiles`` × ``tiles`` copies of the demo town (20 km² each: 599
winding roads, 2 rivers, ridges, 360 plots, 1,079 buildings, 536 land-use polygons) side by
side: 4 × 4 copies make a town of 320 km² with 9,584 roads. Villages and communities are
renamed per copy (``贵驷村`` becomes ``贵驷村-5``) so every name stays unique. The demo
proposals are spread over the copies, one per copy in turn. ``write_tiled_demo`` writes it as
a context GeoPackage and one GeoPackage per proposal, once (the files are reused while they
exist).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from boundary_data.demo_town import CONTEXT_LAYERS, PROPOSAL_LAYER
from geo.io import read_layer, write_gpkg

__all__ = ["DEMO", "tiled_demo", "write_tiled_demo"]

DEMO = Path(__file__).resolve().parents[1] / "boundary_data" / "demo"


def _shifted(frame: gpd.GeoDataFrame, dx: float, dy: float, tile: int) -> gpd.GeoDataFrame:
    moved = frame.copy()
    moved["geometry"] = frame.geometry.translate(dx, dy)
    for column in ("name", "code"):
        if column in moved.columns:
            moved[column] = [None if v is None else f"{v}-{tile}" for v in moved[column]]
    return moved


def tiled_demo(tiles: int = 4) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, gpd.GeoDataFrame]]:
    """The context layers and the proposals (by name) of ``tiles`` × ``tiles`` demo towns."""
    layers = {name: read_layer(DEMO / "context.gpkg", layer=name) for name in CONTEXT_LAYERS}
    west, south, east, north = layers["jurisdiction"].total_bounds
    width, height = east - west, north - south
    offsets = [(col * width, row * height) for row in range(tiles) for col in range(tiles)]
    big = {}
    for name, frame in layers.items():
        copies = [_shifted(frame, dx, dy, k) for k, (dx, dy) in enumerate(offsets)]
        big[name] = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=frame.crs)
    big["jurisdiction"] = gpd.GeoDataFrame(
        {"name": ["合成镇"], "code": ["330211900"]},
        geometry=[big["jurisdiction"].union_all()], crs=layers["jurisdiction"].crs)
    proposals = {}
    paths = sorted((DEMO / "proposals").glob("*.gpkg"))
    for k, path in enumerate(paths):
        dx, dy = offsets[k % len(offsets)]
        frame = read_layer(path, layer=PROPOSAL_LAYER)
        moved = frame.copy()
        moved["geometry"] = frame.geometry.translate(dx, dy)
        proposals[path.stem] = moved
    return big, proposals


def write_tiled_demo(out: Path, tiles: int = 4) -> tuple[Path, dict[str, Path]]:
    """The tiled town as ``out/context.gpkg`` and ``out/proposals/<name>.gpkg`` (written
    once; kept while the files exist)."""
    context = out / "context.gpkg"
    done = out / ".complete"
    names = sorted(p.stem for p in (DEMO / "proposals").glob("*.gpkg"))
    paths = {name: out / "proposals" / f"{name}.gpkg" for name in names}
    if not done.exists():
        layers, proposals = tiled_demo(tiles)
        (out / "proposals").mkdir(parents=True, exist_ok=True)
        context.unlink(missing_ok=True)
        for name, frame in layers.items():
            write_gpkg(frame, context, name)
        for name, frame in proposals.items():
            paths[name].unlink(missing_ok=True)
            write_gpkg(frame, paths[name], PROPOSAL_LAYER)
        done.write_text(f"{tiles}\n", encoding="utf-8")
    return context, paths
