"""How the district audit scales on Dask distributed: two worker processes against one.

The synthetic district of ``benchmarks/audit.py`` (55 × 55 road blocks, 3,025 communities) is
audited on a LocalCluster of one worker process, then of two, each single-threaded, the
prepared context scattered once to the workers before timing (as the service does), the layer
cut into one slice per worker. Each timing is the best of ``--repeat`` runs. Both answers must
equal the in-process audit's document (exit 1 otherwise); the target is two workers at least
1.6 times as fast as one (exit 1 when missed). The machine's load is printed beside the
figures: on a shared machine two workers may not get two cores.

    .venv/bin/python benchmarks/audit_dask.py [--side 55] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# this folder holds a benchmark named api.py: keep it from hiding the api package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from api.cluster import Cluster, submit_audit  # noqa: E402
from boundary_data.district import build_district  # noqa: E402
from geo.audit import audit, communities_from_frame  # noqa: E402
from geo.context import build_context  # noqa: E402
from geo.rules import Rules  # noqa: E402

TARGET_RATIO = 1.6


def _cpu(cluster: Cluster) -> float:
    """CPU seconds the worker processes have used so far, summed."""
    return sum(cluster.client.run(time.process_time).values())


def _timed(workers: int, communities, ctx, codes, repeat: int, want: dict
           ) -> tuple[float, float, bool]:
    """The best wall time of ``repeat`` audits on ``workers`` worker processes, the workers'
    CPU seconds in that run, and whether every answer was the in-process one."""
    cluster = Cluster(workers=workers, processes=True)
    try:
        cluster.scattered(ctx)
        result = submit_audit(cluster, communities, ctx, codes).result()  # warm the workers
        same = result.to_dict() == want
        best, best_cpu = float("inf"), 0.0
        for _ in range(repeat):
            cpu, start = _cpu(cluster), time.perf_counter()
            result = submit_audit(cluster, communities, ctx, codes).result()
            wall, cpu = time.perf_counter() - start, _cpu(cluster) - cpu
            if wall < best:
                best, best_cpu = wall, cpu
            same = same and result.to_dict() == want
        return best, best_cpu, same
    finally:
        cluster.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=55, help="blocks per side (55: 3,025)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    district = build_district(args.side)
    communities, codes = communities_from_frame(district.communities)
    ctx = build_context(district.layers, Rules(), source="district")
    start = time.perf_counter()
    want = audit(communities, ctx, codes=codes).to_dict()
    local = time.perf_counter() - start
    n = len(communities)
    print(f"synthetic district: {n} communities; {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    one, cpu_one, same_one = _timed(1, communities, ctx, codes, args.repeat, want)
    two, cpu_two, same_two = _timed(2, communities, ctx, codes, args.repeat, want)
    ratio = one / two
    print(f"in process        {local:7.2f} s  {n / local:8.1f} communities/s (first run, "
          f"prepares the context)")
    print(f"dask, 1 worker    {one:7.2f} s  {n / one:8.1f} communities/s  workers' CPU "
          f"{cpu_one:.2f} s ({cpu_one / one:.0%} of one core)")
    print(f"dask, 2 workers   {two:7.2f} s  {n / two:8.1f} communities/s  workers' CPU "
          f"{cpu_two:.2f} s ({cpu_two / (2 * two):.0%} of two cores)")
    print(f"2 workers / 1: {ratio:.2f}x (target >= {TARGET_RATIO}x); load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = False
    if not (same_one and same_two):
        print("WRONG: the Dask audit differs from the in-process audit")
        failed = True
    if ratio < TARGET_RATIO:
        print("MISSED: two workers are short of the target")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
