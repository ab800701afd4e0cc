"""How much sijie's careful reading costs over a bare read of the same layers.

``geo.io.read_layer`` settles each layer's CRS, checks it lies in China, detects text
encodings and wraps errors; the baseline is ``geopandas.read_file`` with the pyogrio engine on
the same files in the same run. Prints the median of several rounds and the ratio.

    .venv/bin/python benchmarks/read_context.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import geopandas as gpd

from boundary_data.demo_town import CONTEXT_LAYERS
from geo.io import read_layer

CONTEXT = Path(__file__).resolve().parents[1] / "boundary_data" / "demo" / "context.gpkg"
ROUNDS = 7


def _median_seconds(read) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for layer in CONTEXT_LAYERS:
            read(layer)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    baseline = _median_seconds(lambda layer: gpd.read_file(CONTEXT, layer=layer, engine="pyogrio"))
    sijie = _median_seconds(lambda layer: read_layer(CONTEXT, layer=layer))
    print(f"layers read per round: {len(CONTEXT_LAYERS)} ({CONTEXT.name})")
    print(f"geopandas.read_file : {baseline * 1000:8.1f} ms")
    print(f"sijie read_layer    : {sijie * 1000:8.1f} ms")
    print(f"ratio sijie/baseline: {sijie / baseline:8.2f}")


if __name__ == "__main__":
    main()
