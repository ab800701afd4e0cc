"""How fast sijie divides a community's units into grids, and whether every grid is valid,
against GerryChain set up fairly.

Set-up. Synthetic communities of 500, 2,000, 5,000 and 20,000 units: a seeded, jittered
lattice of road blocks (150 m apart, corners moved by up to ±25 %); a fifth of the blocks are
empty, the rest have log-normal employees (median 70, at most 900 so that no unit alone
exceeds a grid's cap: every input is solvable) and about one enterprise per 40 employees.
Both methods get the same units and the same rook adjacency (``geo.grids.units.adjacency``).

* sijie: ``geo.grids.partition`` against the default caps (1,300 employees, 39 enterprises,
  1.3 km² per grid). Checked on every size — a failure is a wrong answer: every unit in
  exactly one grid, every grid within every cap and contiguous, and the grids' shapes tile the
  units exactly (their areas add up to the units' area, and so does their union).
* GerryChain ``recursive_tree_part``, set up fairly: k = ⌈employees / 1,000⌉ districts,
  ε = 0.3 around the mean, given employees only and scored only on them (districts within
  (1 ± ε) × target, contiguous). It runs in a child process (stopped after ``BUDGET_S``) on
  the sizes up to 5,000.

Targets: sijie ≥ 20× faster than GerryChain at 5,000 units; sijie's time grows at most as
n^1.15 from 500 to 20,000 units (least squares on all sizes). Times are CPU seconds
(``benchmarks/common.py``); sijie's is the median of 3 runs. Exit 1 on a wrong answer or a
missed target.

    .venv/bin/python -m benchmarks.grids
"""

from __future__ import annotations

import math
import multiprocessing as mp
import random
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
import shapely

from benchmarks.common import Bench, growth, median_seconds
from geo.grids.partition import Capacity, partition
from geo.grids.units import adjacency

SIZES = (500, 2_000, 5_000, 20_000)
GERRYCHAIN_SIZES = (500, 2_000, 5_000)
SEED = 20_251_123
SPACING_M = 150.0
UNIT_EMPLOYEES_MAX = 900
CAPACITY = Capacity(employees=1_300, enterprises=39, area_m2=1.3e6)
EPSILON = 0.3
BUDGET_S = 300.0
ROUNDS = 3
RATIO_AT_5000 = 20.0
GROWTH_MAX = 1.15


@dataclass(frozen=True)
class Town:
    """Units of one synthetic community with their loads, points and adjacency."""

    geometry: np.ndarray
    loads: np.ndarray  # (n, 3) employees, enterprises, area
    xy: np.ndarray
    adj: list[set[int]]


def lattice(n: int, seed: int = SEED) -> Town:
    """``n`` jittered lattice blocks, about 3 : 2 wide, with seeded loads."""
    rng = np.random.default_rng(seed)
    cols = round(math.sqrt(n * 1.5))
    rows = math.ceil(n / cols)
    vx, vy = np.meshgrid(np.arange(cols + 1) * SPACING_M, np.arange(rows + 1) * SPACING_M)
    inner_x = (vx > 0) & (vx < cols * SPACING_M)
    inner_y = (vy > 0) & (vy < rows * SPACING_M)
    vx = vx + rng.uniform(-0.25, 0.25, vx.shape) * SPACING_M * inner_x
    vy = vy + rng.uniform(-0.25, 0.25, vy.shape) * SPACING_M * inner_y
    r, c = np.divmod(np.arange(n), cols)
    rings = np.stack([np.column_stack([vx[a, b], vy[a, b]]) for a, b in
                      ((r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c))], axis=1)
    geometry = shapely.polygons(rings)
    employees = np.where(rng.random(n) < 0.2, 0.0,
                         np.minimum(rng.lognormal(math.log(70), 0.8, n).round(),
                                    UNIT_EMPLOYEES_MAX))
    enterprises = rng.poisson(np.maximum(employees, 1.0) / 40 + 0.3).astype(float)
    loads = np.column_stack([employees, enterprises, shapely.area(geometry)])
    xy = shapely.get_coordinates(shapely.point_on_surface(geometry))
    return Town(geometry, loads, xy, adjacency(geometry))


def _connected(members: np.ndarray, adj: list[set[int]]) -> bool:
    inside = set(members.tolist())
    start = int(members[0])
    seen, stack = {start}, [start]
    while stack:
        for m in adj[stack.pop()]:
            if m in inside and m not in seen:
                seen.add(m)
                stack.append(m)
    return len(seen) == len(inside)


def sijie_faults(labels: np.ndarray, town: Town) -> list[str]:
    """What is wrong with sijie's grids: units left out, caps broken, parts, gaps, overlaps."""
    faults = []
    if len(labels) != len(town.loads) or (labels < 0).any():
        return ["some unit is in no grid"]
    caps = np.array([CAPACITY.employees, CAPACITY.enterprises, CAPACITY.area_m2])
    groups = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    totals = np.array([town.loads[m].sum(axis=0) for m in groups])
    over = int(np.any(totals > caps + 1e-6, axis=1).sum())
    if over:
        faults.append(f"{over} grids over a cap")
    parts = sum(not _connected(m, town.adj) for m in groups)
    if parts:
        faults.append(f"{parts} grids in several parts")
    shapes = np.array([shapely.coverage_union_all(town.geometry[m]) for m in groups])
    units = float(shapely.area(town.geometry).sum())
    summed = float(shapely.area(shapes).sum())
    union = float(shapely.area(shapely.coverage_union_all(shapes)))
    if abs(summed - units) > 1e-6 * units or abs(union - units) > 1e-6 * units:
        faults.append(f"grids do not tile the units: {summed:.0f} / {union:.0f} / {units:.0f} m²")
    return faults


def run_gerrychain(town: Town, k: int) -> np.ndarray:
    import networkx as nx
    from gerrychain import Graph
    from gerrychain.partition import recursive_tree_part

    graph = nx.Graph()
    graph.add_nodes_from((i, {"employees": float(e)}) for i, e in enumerate(town.loads[:, 0]))
    graph.add_edges_from((i, j) for i, a in enumerate(town.adj) for j in a if i < j)
    target = float(town.loads[:, 0].sum()) / k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns on every failed attempt at a balanced cut
        labels = recursive_tree_part(Graph.from_networkx(graph), range(k), target, "employees",
                                     EPSILON, rng=random.Random(SEED))
    return np.array([labels[i] for i in range(len(town.loads))])


def _child(town: Town, k: int, conn) -> None:
    warnings.filterwarnings("ignore")
    try:
        start = time.process_time()
        labels = run_gerrychain(town, k)
        conn.send((time.process_time() - start, labels, ""))
    except Exception as exc:  # a baseline that fails is reported, not fatal
        conn.send((math.nan, None, f"failed: {type(exc).__name__}: {exc}"[:80]))


def gerrychain_in_child(town: Town, k: int) -> tuple[float, np.ndarray | None, str]:
    """(CPU seconds, labels, note) of one GerryChain run, stopped after ``BUDGET_S``."""
    receive, send = mp.Pipe(duplex=False)
    child = mp.get_context("fork").Process(target=_child, args=(town, k, send))
    child.start()
    if receive.poll(BUDGET_S):
        result = receive.recv()
        child.join()
        return result
    child.terminate()
    child.join()
    return math.inf, None, f"stopped after {BUDGET_S:.0f} s"


def gerrychain_score(labels: np.ndarray, town: Town, k: int) -> str:
    """GerryChain's plan judged by what it was given: employees within ε, contiguity."""
    target = town.loads[:, 0].sum() / k
    groups = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    within = sum(abs(town.loads[m, 0].sum() - target) <= EPSILON * target for m in groups)
    contiguous = sum(_connected(m, town.adj) for m in groups)
    return (f"{len(groups)} districts, {within} within ε, {contiguous} contiguous")


def main() -> int:
    bench = Bench("grids", __doc__.split("\n\n")[1])
    times = []
    for n in SIZES:
        town = lattice(n)
        labels: list[np.ndarray] = []
        ours = median_seconds(lambda town=town, labels=labels: labels.append(
            partition(town.loads, CAPACITY, town.xy, town.adj)[0]), ROUNDS)
        times.append(ours)
        faults = sijie_faults(labels[-1], town)
        print(f"{n:,} units:")
        bench.answer(f"{n:,} units: sijie's grids", not faults, "; ".join(faults))
        bench.figure(f"{n:,} units: sijie", f"{ours:.3f} s, {labels[-1].max() + 1} grids, "
                     "all within caps, contiguous, tiling" if not faults else f"{ours:.3f} s")
        if n not in GERRYCHAIN_SIZES:
            continue
        k = math.ceil(town.loads[:, 0].sum() / 1_000)
        seconds, found, note = gerrychain_in_child(town, k)
        target = n == 5_000
        if found is None:
            bench.figure(f"{n:,} units: GerryChain (k = {k}, ε = {EPSILON})", note,
                         f"≥ {RATIO_AT_5000:.0f}×" if target else "",
                         (math.isinf(seconds) and BUDGET_S / ours >= RATIO_AT_5000) if target
                         else None)
            continue
        bench.figure(f"{n:,} units: GerryChain (k = {k}, ε = {EPSILON}) / sijie",
                     f"{seconds:.2f} s / {ours:.3f} s = {seconds / ours:.0f}× faster; "
                     f"GerryChain: {gerrychain_score(found, town, k)}",
                     f"≥ {RATIO_AT_5000:.0f}×" if target else "",
                     seconds / ours >= RATIO_AT_5000 if target else None)
    k = growth(SIZES, times)
    bench.figure(f"sijie growth {SIZES[0]:,} → {SIZES[-1]:,} units", f"n^{k:.2f}",
                 f"≤ n^{GROWTH_MAX}", k <= GROWTH_MAX)
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
