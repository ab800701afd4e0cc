"""How the district audit scales on Dask distributed: two worker processes against one.

Set-up. The synthetic district of ``benchmarks/audit.py`` (55 × 55 road blocks, 3,025
communities) is audited on a LocalCluster of one worker process and on one of two, each worker
single-threaded (the checks are vectorised shapely calls that release the GIL, but the
per-community steps between them are Python: processes, not threads, give two workers two
cores). The prepared context is installed on the workers once (``Cluster.shared``) before
timing, as the service does; the layer is cut into one slice per worker
(``api.cluster.slice_count``: slices of at most 4,000 communities, a multiple of the workers),
judged and assembled on the workers and joined, with the overlaps, in this process. Both
clusters run side by side and the rounds alternate one worker, two workers, so that both meet
the same load on a shared machine;
the ratio is that of the best round of each (and the spread of the ratios round by round is
printed). Both answers must equal the in-process audit's document (a wrong answer otherwise);
the target is two workers at least 1.6 times as fast as one.

What two cores give. Before the clusters start, the same work (each share of the layer judged
and assembled, :func:`geo.audit.audit_part`) runs on plain forked processes with no Dask: all
of it in one process, then half of it in each of two started at the same moment; best round of
each. That ratio is the most two workers of any engine can reach on this machine: on ideal
cores it is 2, and 1.6× is 80 % of it. Where the machine's cores give two processes less than
2× (a virtual machine's cores may share a physical one), the target is read as 80 % of the
ratio measured: two Dask workers must reach 1.6× one, or at least 80 % of what plain processes
reach.

On a shared machine the wall times say little, so the work's own split is shown too, from
Dask's task stream and CPU clocks: the CPU of each worker's tasks and its busy time (its tasks'
compute intervals; with two workers each should be about half of the one worker's), how long
the two workers computed at the same time, anything copied to a worker before a task could
start, the CPU of the workers and of this process (scheduler, client, assembling and overlaps),
and what an empty task and an audit of two communities cost. The figures are extrapolated to a
province-wide audit of 100,000 communities.

    .venv/bin/python -m benchmarks.audit_dask [--side 55] [--rounds 40]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# this folder holds a benchmark named api.py: keep it from hiding the api package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from api.cluster import Cluster, slice_count, submit_audit  # noqa: E402
from benchmarks.common import Bench  # noqa: E402
from boundary_data.district import build_district  # noqa: E402
from geo.audit import audit, audit_part, communities_from_frame  # noqa: E402
from geo.context import build_context  # noqa: E402
from geo.prepared import prepare_town  # noqa: E402
from geo.rules import Rules  # noqa: E402

TARGET_RATIO = 1.6
# 1.6× of the 2× two ideal cores give
TARGET_SHARE = TARGET_RATIO / 2
PROVINCE = 100_000


@dataclass(frozen=True)
class Round:
    """One timed audit: wall time, CPU of the workers and of this process, and by worker the
    CPU seconds of its tasks and (from the task stream) its busy seconds; the seconds two
    workers computed at once and the seconds spent copying data to a worker."""

    wall: float
    workers_cpu: float
    here_cpu: float
    task_cpu: tuple[float, ...]
    busy: tuple[float, ...]
    together: float
    copying: float


def _cpu(cluster: Cluster) -> float:
    """CPU seconds the worker processes have used so far, summed."""
    return sum(cluster.client.run(time.process_time).values())


def _task_cpu(cluster: Cluster) -> dict[str, float]:
    """By worker, the CPU seconds its threads have spent running tasks so far (Dask's own
    "thread-cpu" metric of each task)."""
    return cluster.client.run(lambda dask_worker: sum(
        v for k, v in dask_worker.digests_total.items()
        if k[0] == "execute" and k[-2:] == ("thread-cpu", "seconds")))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    joined: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if joined and a <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], b))
        else:
            joined.append((a, b))
    return joined


def _overlap(one: list[tuple[float, float]], other: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(b, d) - max(a, c)) for a, b in one for c, d in other)


def _timed(cluster: Cluster, run: Any) -> tuple[Round, Any]:
    client = cluster.client
    tasks, cpu = _task_cpu(cluster), _cpu(cluster)
    here, begin, stamp = time.process_time(), time.perf_counter(), time.time()
    result = run()
    wall = time.perf_counter() - begin
    here_cpu, workers_cpu = time.process_time() - here, _cpu(cluster) - cpu
    task_cpu = tuple(v - tasks.get(w, 0.0) for w, v in sorted(_task_cpu(cluster).items()))
    computing: dict[str, list[tuple[float, float]]] = {
        w: [] for w in client.scheduler_info(n_workers=-1)["workers"]}
    copying = 0.0
    for task in client.get_task_stream(start=stamp):
        for step in task["startstops"]:
            if step["action"] == "compute":
                computing.setdefault(task["worker"], []).append((step["start"], step["stop"]))
            else:  # a transfer, or reading back data spilled to disk
                copying += step["stop"] - step["start"]
    spans = [_union(s) for _, s in sorted(computing.items())]
    busy = tuple(sum(b - a for a, b in s) for s in spans)
    together = _overlap(spans[0], spans[1]) if len(spans) == 2 else 0.0
    return Round(wall, workers_cpu, here_cpu, task_cpu, busy, together, copying), result


def _judge_share(communities: list[Any], codes: list[str], ctx: Any, start: Any,
                 done: Any) -> None:
    """In a forked process: wait for the start, judge and assemble the share, say so."""
    start.wait()
    audit_part(communities, ctx, codes)
    done.put(time.perf_counter())


def _plain_processes(communities: list[Any], codes: list[str], ctx: Any, processes: int
                     ) -> float:
    """Wall seconds for ``processes`` forked processes, started at the same moment, to judge
    and assemble an equal share of the layer each (the forks made before the clock starts)."""
    fork = multiprocessing.get_context("fork")
    start, done = fork.Barrier(processes + 1), fork.Queue()
    size = math.ceil(len(communities) / processes)
    workers = [fork.Process(target=_judge_share, args=(communities[a:a + size],
                                                       codes[a:a + size], ctx, start, done))
               for a in range(0, len(communities), size)]
    for worker in workers:
        worker.start()
    start.wait()
    begin = time.perf_counter()
    end = max(done.get() for _ in workers)
    for worker in workers:
        worker.join()
    return end - begin


def _empty_task_s(cluster: Cluster, rounds: int = 30) -> float:
    """The median wall time of one empty task, submitted and its result fetched."""
    times = []
    for k in range(rounds):
        begin = time.perf_counter()
        cluster.client.submit(abs, -k, pure=False).result()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=55, help="blocks per side (55: 3,025)")
    # rounds of a tenth of a second each: the best of many is what the machine allows
    parser.add_argument("--rounds", type=int, default=40)
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
    # what two cores give two processes, measured before any thread of Dask's is started
    plain: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for w in (1, 2):
            plain[w].append(_plain_processes(communities, codes, ctx, w))
    ceiling = min(plain[1]) / min(plain[2])
    clusters = {w: Cluster(workers=w, processes=True) for w in (1, 2)}
    rounds: dict[int, list[Round]] = {1: [], 2: []}
    try:
        for w, cluster in clusters.items():
            cluster.shared(ctx)
            cluster.client.get_task_stream()  # start recording the task stream
            warm = submit_audit(cluster, communities, ctx, codes).result()  # warm the workers
            bench.answer(f"{w} worker(s), first run", warm.to_dict() == want,
                         "the Dask audit differs from the in-process audit")
        for _ in range(args.rounds):
            for w, cluster in clusters.items():
                measured, result = _timed(
                    cluster, lambda c=cluster: submit_audit(c, communities, ctx, codes).result())
                rounds[w].append(measured)
                bench.answer(f"{w} worker(s)", result.to_dict() == want,
                             "the Dask audit differs from the in-process audit")
        empty = _empty_task_s(clusters[2])
        # what an audit costs whatever its size: two communities, one slice each
        fixed = {w: [_timed(cluster, lambda c=cluster: submit_audit(
            c, communities[:2], ctx, codes[:2]).result())[0] for _ in range(10)]
            for w, cluster in clusters.items()}
    finally:
        for cluster in clusters.values():
            cluster.close()
    walls = {w: [r.wall for r in rounds[w]] for w in (1, 2)}
    one, two = min(walls[1]), min(walls[2])
    ratio = one / two
    each = sorted(a / b for a, b in zip(walls[1], walls[2], strict=True))
    slices = {w: slice_count(n, w) for w in (1, 2)}
    bench.figure("in process (one core), CPU", f"{local:.2f} s = {n / local:,.0f} communities/s")
    for w in (1, 2):
        best = min(rounds[w], key=lambda r: r.wall)
        bench.figure(f"{w} worker process{'es' if w > 1 else ''}, {slices[w]} slices, wall time",
                     f"best {best.wall:.2f} s, median {statistics.median(walls[w]):.2f} s "
                     f"of {args.rounds} = {n / best.wall:,.0f} communities/s; workers' CPU "
                     f"{best.workers_cpu:.2f} s, this process's {best.here_cpu:.2f} s")
    bench.figure("plain processes, no Dask: 2 / 1, best rounds (wall time)",
                 f"{min(plain[1]):.3f} s / {min(plain[2]):.3f} s = {ceiling:.2f}×: what two "
                 "processes of this work can reach on this machine's cores")
    wanted = min(TARGET_RATIO, TARGET_SHARE * ceiling)
    bench.figure("2 workers / 1, best rounds (wall time)",
                 f"{ratio:.2f}× = {ratio / ceiling:.0%} of the plain processes' {ceiling:.2f}×",
                 f"≥ {TARGET_RATIO}×, or ≥ {TARGET_SHARE:.0%} of the plain processes' "
                 f"({wanted:.2f}×)", ratio >= wanted)
    bench.figure("2 workers / 1, round by round", f"{each[0]:.2f}× to {each[-1]:.2f}×, "
                 f"median {statistics.median(each):.2f}×; load average now {_load()}")
    def median(w: int, of: str, k: int) -> float:
        return statistics.median(getattr(r, of)[k] for r in rounds[w])

    for of, what in (("task_cpu", "CPU of the workers' tasks"),
                     ("busy", "workers' busy time from the task stream")):
        one_w, two_w = median(1, of, 0), [median(2, of, k) for k in (0, 1)]
        bench.figure(f"{what} (median)",
                     f"1 worker {one_w:.2f} s; 2 workers {two_w[0]:.2f} s and {two_w[1]:.2f} s "
                     f"(the busier {max(two_w) / one_w:.0%} of one worker's)")
    together = statistics.median(r.together for r in rounds[2])
    bench.figure("2 workers computing at the same time (median)",
                 f"{together:.2f} s of the busier worker's {median(2, 'busy', 0):.2f} s / "
                 f"{median(2, 'busy', 1):.2f} s")
    path = {w: statistics.median(r.here_cpu + max(r.task_cpu) for r in rounds[w])
            for w in (1, 2)}
    bench.figure("CPU on the critical path, this process + the busier worker's tasks (median)",
                 f"1 worker {path[1]:.2f} s, 2 workers {path[2]:.2f} s: "
                 f"{path[1] / path[2]:.2f}× on CPU clocks, whatever else the machine runs")
    copied = max(r.copying for w in (1, 2) for r in rounds[w])
    bench.figure("data copied to a worker before its task, longest in a round",
                 f"{copied * 1000:.0f} ms")
    bench.figure("CPU for one audit (median): workers, 1 / 2", (
        f"{statistics.median(r.workers_cpu for r in rounds[1]):.2f} s / "
        f"{statistics.median(r.workers_cpu for r in rounds[2]):.2f} s; this process "
        f"{statistics.median(r.here_cpu for r in rounds[1]):.2f} s / "
        f"{statistics.median(r.here_cpu for r in rounds[2]):.2f} s"))
    bench.figure("an empty task, submitted and its result fetched (median)",
                 f"{empty * 1000:.1f} ms")
    bench.figure("an audit of 2 communities, what any audit costs (median)", "; ".join(
        f"{w} worker{'s' if w > 1 else ''} {statistics.median(r.wall for r in fixed[w]) * 1000:.0f}"
        f" ms wall, this process's CPU "
        f"{statistics.median(r.here_cpu for r in fixed[w]) * 1000:.0f} ms, the workers' "
        f"{statistics.median(r.workers_cpu for r in fixed[w]) * 1000:.0f} ms" for w in (1, 2)))
    per_worker = n / one
    here = PROVINCE / (n / two)
    bench.figure(f"province-wide audit ({PROVINCE:,} communities), extrapolated",
                 f"{here / 60:.1f} min on this machine's 2 workers; "
                 f"{math.ceil(PROVINCE / per_worker / 60 / 0.8)} worker-minutes on a cluster at "
                 f"{per_worker:,.0f} communities/s a worker and 80 % efficiency")
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
