"""How the district audit scales on Dask distributed: two worker processes against one.

Set-up. The synthetic district of ``benchmarks/audit.py`` (55 × 55 road blocks, 3,025
communities) is audited on a LocalCluster of one worker process and on one of two, each
worker single-threaded (the checks are vectorised shapely calls that release the GIL, but the
per-community steps between them are Python: processes, not threads, give two workers two
cores). The prepared context is scattered to the workers once (``broadcast=True``) before
timing, as the service does; the layer is cut into slices of about 1,000 communities, a
multiple of the workers (``api.cluster.slice_count``), then merged. Both clusters run side by
side and the rounds alternate one worker, two workers, so that both meet the same load on a
shared machine; the ratio is that of the best round of each (and the spread of the ratios
round by round is printed). Both answers must equal the in-process audit's document (a wrong
answer otherwise); the target is two workers at least 1.6 times as fast as one. The figures
are extrapolated to a province-wide audit of 100,000 communities.

    .venv/bin/python -m benchmarks.audit_dask [--side 55] [--rounds 5]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

# this folder holds a benchmark named api.py: keep it from hiding the api package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from api.cluster import Cluster, slice_count, submit_audit  # noqa: E402
from benchmarks.common import Bench  # noqa: E402
from boundary_data.district import build_district  # noqa: E402
from geo.audit import audit, communities_from_frame  # noqa: E402
from geo.context import build_context  # noqa: E402
from geo.prepared import prepare_town  # noqa: E402
from geo.rules import Rules  # noqa: E402

TARGET_RATIO = 1.6
PROVINCE = 100_000


def _cpu(cluster: Cluster) -> float:
    """CPU seconds the worker processes have used so far, summed."""
    return sum(cluster.client.run(time.process_time).values())


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=55, help="blocks per side (55: 3,025)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bench = Bench("audit_dask", __doc__.split("\n\n")[1])
    district = build_district(args.side)
    communities, codes = communities_from_frame(district.communities)
    ctx = prepare_town(build_context(district.layers, Rules(), source="district"))
    start = time.process_time()
    want = audit(communities, ctx, codes=codes).to_dict()
    local = time.process_time() - start
    n = len(communities)
    print(f"synthetic district: {n} communities; {os.cpu_count()} CPUs, load average {_load()}")
    clusters = {w: Cluster(workers=w, processes=True) for w in (1, 2)}
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    try:
        for w, cluster in clusters.items():
            cluster.scattered(ctx)
            warm = submit_audit(cluster, communities, ctx, codes).result()  # warm the workers
            bench.answer(f"{w} worker(s), first run", warm.to_dict() == want,
                         "the Dask audit differs from the in-process audit")
        for _ in range(args.rounds):
            for w, cluster in clusters.items():
                cpu, begin = _cpu(cluster), time.perf_counter()
                result = submit_audit(cluster, communities, ctx, codes).result()
                walls[w].append(time.perf_counter() - begin)
                cpus[w].append(_cpu(cluster) - cpu)
                bench.answer(f"{w} worker(s)", result.to_dict() == want,
                             "the Dask audit differs from the in-process audit")
    finally:
        for cluster in clusters.values():
            cluster.close()
    one, two = min(walls[1]), min(walls[2])
    ratio = one / two
    each = sorted(a / b for a, b in zip(walls[1], walls[2], strict=True))
    slices = {w: slice_count(n, w) for w in (1, 2)}
    bench.figure("in process (one core), CPU", f"{local:.2f} s = {n / local:,.0f} communities/s")
    for w in (1, 2):
        k = walls[w].index(min(walls[w]))
        bench.figure(f"{w} worker process{'es' if w > 1 else ''}, {slices[w]} slices, wall time",
                     f"best {min(walls[w]):.2f} s, median {statistics.median(walls[w]):.2f} s "
                     f"of {args.rounds} = {n / min(walls[w]):,.0f} communities/s; workers' CPU "
                     f"{cpus[w][k]:.2f} s")
    bench.figure("2 workers / 1, best rounds (wall time)", f"{ratio:.2f}×",
                 f"≥ {TARGET_RATIO}×", ratio >= TARGET_RATIO)
    bench.figure("2 workers / 1, round by round", f"{each[0]:.2f}× to {each[-1]:.2f}×, "
                 f"median {statistics.median(each):.2f}×; load average now {_load()}")
    cpu_one, cpu_two = statistics.median(cpus[1]), statistics.median(cpus[2])
    bench.figure("workers' CPU for one audit, 1 worker / 2 workers (median)",
                 f"{cpu_one:.2f} s / {cpu_two:.2f} s: split over two workers, the work costs "
                 f"{cpu_two / cpu_one:.0%} of its CPU on one (the wall-time ratio is then set "
                 "by the cores free)")
    per_worker = n / one
    here = PROVINCE / (n / two)
    bench.figure(f"province-wide audit ({PROVINCE:,} communities), extrapolated",
                 f"{here / 60:.1f} min on this machine's 2 workers; "
                 f"{math.ceil(PROVINCE / per_worker / 60 / 0.8)} worker-minutes on a cluster at "
                 f"{per_worker:,.0f} communities/s a worker and 80 % efficiency")
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
