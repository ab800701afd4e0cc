"""How fast and how well sijie divides units into grids, beside spopt and GerryChain.

Synthetic communities of 500, 2,000 and 5,000 units are built from a seeded, jittered lattice
of road blocks (150 m apart, corners moved by up to ±25 %); a fifth of the blocks are empty
(green, vacant), the rest have log-normally distributed employees (median 70) and about one
enterprise per 40 employees. Every method gets the same units and the same rook adjacency
(blocks sharing an edge, from ``geo.grids.units.adjacency``) and is judged by the same
measures against the default caps (1,300 employees, 39 enterprises, 1.3 km² per grid):

- sijie: ``geo.grids.partition`` (sweep, dissolve, polish);
- spopt ``MaxPHeuristic``: as many regions as possible of at least 650 employees (half a
  grid's cap, so regions can stay under it), compact by the units' coordinates;
  ``max_iterations_construction=10`` (the default 99 is ten times slower);
- spopt ``Skater``: sijie's number of grids, on the units' coordinates;
- GerryChain ``recursive_tree_part``: sijie's number of grids, employees balanced within
  the cap (ε = cap / target − 1); it balances employees only.

Each baseline runs in a child process with a time budget (``BUDGET_S``); a run over budget is
stopped and printed as such, and a method is not tried on a larger size once it ran out of
time on a smaller one. Measures: grids; capacity violations (grids over a cap, not counting a
single unit that alone exceeds it); contiguous share of grids on the adjacency graph; mean
Polsby–Popper of the grids' shapes; CV of grid employees (lower is more even); time, and time
as a multiple of sijie's.

    .venv/bin/python benchmarks/grids.py
"""

from __future__ import annotations

import math
import multiprocessing as mp
import random
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from geo.grids.partition import Capacity, partition
from geo.grids.units import adjacency

SIZES = (500, 2_000, 5_000)
SEED = 20_251_123
SPACING_M = 150.0
CAPACITY = Capacity(employees=1_300, enterprises=39, area_m2=1.3e6)
MAXP_FLOOR = 650
BUDGET_S = 240.0
SIJIE_ROUNDS = 3  # sijie's time is the median of these; each baseline runs once


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
    employees = np.where(rng.random(n) < 0.2, 0.0, rng.lognormal(math.log(70), 0.8, n).round())
    enterprises = rng.poisson(np.maximum(employees, 1.0) / 40 + 0.3).astype(float)
    loads = np.column_stack([employees, enterprises, shapely.area(geometry)])
    xy = shapely.get_coordinates(shapely.point_on_surface(geometry))
    return Town(geometry, loads, xy, adjacency(geometry))


# the methods: each returns a region label per unit -------------------------------------

def run_sijie(town: Town, k: int) -> np.ndarray:
    return partition(town.loads, CAPACITY, town.xy, town.adj)[0]


def _frame(town: Town):
    import geopandas as gpd

    return gpd.GeoDataFrame({"employees": town.loads[:, 0], "x": town.xy[:, 0],
                             "y": town.xy[:, 1]}, geometry=town.geometry)


def _weights(town: Town):
    from libpysal.weights import W

    return W({i: sorted(a) for i, a in enumerate(town.adj)}, silence_warnings=True)


def run_maxp(town: Town, k: int) -> np.ndarray:
    from spopt.region import MaxPHeuristic

    np.random.seed(SEED % 2**32)
    model = MaxPHeuristic(_frame(town), _weights(town), ["x", "y"], "employees", MAXP_FLOOR,
                          top_n=2, max_iterations_construction=10)
    model.solve()
    return np.asarray(model.labels_)


def run_skater(town: Town, k: int) -> np.ndarray:
    from spopt.region import Skater

    model = Skater(_frame(town), _weights(town), ["x", "y"], n_clusters=k, floor=1)
    model.solve()
    return np.asarray(model.labels_)


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
                                     CAPACITY.employees / target - 1, rng=random.Random(SEED))
    return np.array([labels[i] for i in range(len(town.loads))])


METHODS: dict[str, Callable[[Town, int], np.ndarray]] = {
    "spopt MaxPHeuristic": run_maxp, "spopt Skater": run_skater,
    "GerryChain recursive_tree_part": run_gerrychain}


def _child(method: Callable[[Town, int], np.ndarray], town: Town, k: int, conn) -> None:
    warnings.filterwarnings("ignore")
    try:
        start = time.perf_counter()
        labels = method(town, k)
        conn.send((time.perf_counter() - start, labels, ""))
    except Exception as exc:  # a baseline that fails is reported, not fatal
        conn.send((math.nan, None, f"failed: {type(exc).__name__}: {exc}"[:80]))


def timed_in_child(method: Callable[[Town, int], np.ndarray], town: Town, k: int,
                   budget_s: float = BUDGET_S) -> tuple[float, np.ndarray | None, str]:
    """(seconds, labels, note) of one run in a child process, stopped after ``budget_s``."""
    receive, send = mp.Pipe(duplex=False)
    child = mp.get_context("fork").Process(target=_child, args=(method, town, k, send))
    child.start()
    if receive.poll(budget_s):
        result = receive.recv()
        child.join()
        return result
    child.terminate()
    child.join()
    return math.inf, None, f"stopped after {budget_s:.0f} s"


# the measures ---------------------------------------------------------------------------

def _connected(members: np.ndarray, adj: list[set[int]]) -> bool:
    inside = set(members.tolist())
    start = members[0]
    seen, stack = {start}, [start]
    while stack:
        for m in adj[stack.pop()]:
            if m in inside and m not in seen:
                seen.add(m)
                stack.append(m)
    return len(seen) == len(inside)


def quality(labels: np.ndarray, town: Town) -> dict[str, float]:
    """Grids, capacity violations, contiguous share, mean Polsby–Popper, CV of employees."""
    caps = np.array([CAPACITY.employees, CAPACITY.enterprises, CAPACITY.area_m2])
    groups = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    totals = np.array([town.loads[m].sum(axis=0) for m in groups])
    alone_over = np.array([len(m) == 1 and bool(np.any(town.loads[m[0]] > caps)) for m in groups])
    violations = int((np.any(totals > caps + 1e-6, axis=1) & ~alone_over).sum())
    contiguous = sum(_connected(m, town.adj) for m in groups) / len(groups)
    shapes = np.array([shapely.coverage_union_all(town.geometry[m]) for m in groups])
    pp = 4 * math.pi * shapely.area(shapes) / shapely.length(shapes) ** 2
    employees = totals[:, 0]
    return {"grids": len(groups), "violations": violations, "contiguous": 100 * contiguous,
            "pp": float(pp.mean()), "cv": float(employees.std() / employees.mean())}


def lower_bound(town: Town) -> int:
    """The fewest grids any partition within the caps can have (each cap counted alone)."""
    caps = np.array([CAPACITY.employees, CAPACITY.enterprises, CAPACITY.area_m2])
    alone = np.any(town.loads > caps, axis=1)
    return int(alone.sum() + max(math.ceil(t) for t in town.loads[~alone].sum(axis=0) / caps))


def main() -> None:
    header = (f"{'units':>6}  {'method':<31}{'time s':>9}{'× sijie':>9}{'grids':>7}"
              f"{'cap. viol.':>11}{'contig. %':>10}{'mean PP':>9}{'CV empl.':>9}  note")
    print(header)
    print("-" * len(header))
    gave_up: set[str] = set()
    for n in SIZES:
        start = time.perf_counter()
        town = lattice(n)
        adj_s = time.perf_counter() - start
        runs = []
        for _ in range(SIJIE_ROUNDS):
            start = time.perf_counter()
            labels = run_sijie(town, 0)
            runs.append(time.perf_counter() - start)
        sijie_s = statistics.median(runs)
        q = quality(labels, town)
        k = q["grids"]
        rows = [("sijie partition", sijie_s, q, f"lower bound {lower_bound(town)} grids; "
                 f"units + adjacency built in {adj_s:.2f} s")]
        for name, method in METHODS.items():
            if name in gave_up:
                rows.append((name, math.nan, None, "not run: over budget on a smaller size"))
                continue
            seconds, found, note = timed_in_child(method, town, k)
            if found is None:
                if math.isinf(seconds):
                    gave_up.add(name)
                rows.append((name, seconds, None, note))
                continue
            rows.append((name, seconds, quality(found, town), note))
        for name, seconds, q, note in rows:
            ratio = seconds / sijie_s if math.isfinite(seconds) else math.nan
            shown = "—" if math.isnan(seconds) else (f">{BUDGET_S:.0f}" if math.isinf(seconds)
                                                      else f"{seconds:.2f}")
            shown_ratio = "—" if math.isnan(ratio) else f"{ratio:,.0f}×" if ratio >= 10 \
                else f"{ratio:.1f}×"
            if math.isinf(seconds):
                shown_ratio = f">{BUDGET_S / sijie_s:,.0f}×"
            cells = (f"{q['grids']:>7}{q['violations']:>11}{q['contiguous']:>10.1f}"
                     f"{q['pp']:>9.3f}{q['cv']:>9.3f}" if q else f"{'—':>7}{'—':>11}{'—':>10}"
                     f"{'—':>9}{'—':>9}")
            print(f"{n:>6}  {name:<31}{shown:>9}{shown_ratio:>9}{cells}  {note}", flush=True)
        print()
    print("CV empl.: standard deviation / mean of grid employees. Baselines run in a child "
          f"process stopped after {BUDGET_S:.0f} s; sijie's time is the median of "
          f"{SIJIE_ROUNDS} runs. MaxP: floor {MAXP_FLOOR} employees, "
          "10 construction iterations; Skater and GerryChain: sijie's number of grids.")


if __name__ == "__main__":
    main()
