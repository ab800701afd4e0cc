"""Peak memory of sijie's commands on a town of 320 km², each a fresh process.

Set-up. The 4 × 4 demo towns of ``benchmarks/towns.py`` (320 km²: 9,584 roads, 5,760 plots,
17,264 buildings, 8,576 land-use polygons) written as a GeoPackage; ``sijie validate``,
``sijie grid`` and ``sijie facility`` run on the ``good_industrial`` proposal there, each as a
fresh process whose peak resident set size is read from ``wait4``'s rusage: first with the
town's cache empty (``SIJIE_CACHE_DIR``, here ``out/bench/cache_memory``: the command reads,
prepares and keeps the town), then with the prepared town kept. Target: each under 400 MB.
A command that fails (exit code above 1) is a wrong answer.

    .venv/bin/python -m benchmarks.memory
"""

from __future__ import annotations

import shutil
import sys

from benchmarks.common import BIN, OUT, Bench, run_measured
from benchmarks.towns import write_tiled_demo
from geo.prepared.cache import CACHE_ENV

PEAK_MB = 400.0


def main() -> int:
    bench = Bench("memory", __doc__.split("\n\n")[1])
    context, proposals = write_tiled_demo(OUT / "town320")
    proposal = proposals["good_industrial"]
    commands = {
        "validate": ["validate", proposal, "--context", context, "--format", "json",
                     "-o", OUT / "memory_validate.json"],
        "grid": ["grid", proposal, "--context", context, "-o", OUT / "memory_grid.gpkg"],
        "facility": ["facility", proposal, "--context", context,
                     "-o", OUT / "memory_facility.gpkg"],
    }
    cache = {CACHE_ENV: str(OUT / "cache_memory")}
    for name, args in commands.items():
        shutil.rmtree(cache[CACHE_ENV], ignore_errors=True)
        for when in ("town prepared by the command", "town kept"):
            run = run_measured([BIN / "sijie", *args], cache)
            bench.answer(f"sijie {name} on 320 km², {when}", run.returncode in (0, 1),
                         f"exit code {run.returncode}")
            bench.figure(f"sijie {name}, 320 km², {when}, peak memory",
                         f"{run.peak_mb:.0f} MB ({run.seconds:.2f} s CPU)",
                         f"< {PEAK_MB:.0f} MB", run.peak_mb < PEAK_MB)
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
