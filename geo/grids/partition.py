"""Partition units into contiguous grids within capacity, as few and as compact as possible.

The solver works on the unit adjacency graph. For each connected part it tries the fewest
grids the capacity allows, k = max over the caps of ⌈total / cap⌉: k seeds spread by
farthest-point sampling grow together, the least-loaded grid taking the adjacent unit nearest
its seed that still fits; units left over join an adjacent grid they fit in, or k grows by one.
Local moves then hand boundary units to the neighbouring grid whose centre is nearer, when
both grids stay contiguous and within capacity, which makes the grids compact. A unit that
alone exceeds capacity is its own grid and is reported.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Capacity", "partition"]

ATTEMPTS = 6  # seedings tried for each number of grids before allowing one more


@dataclass(frozen=True)
class Capacity:
    """Per-grid caps; a cap of ``None`` is not applied (e.g. no employees data)."""

    employees: float | None
    enterprises: float | None
    area_m2: float | None

    def caps(self) -> list[tuple[int, float]]:
        return [(i, c) for i, c in enumerate((self.employees, self.enterprises, self.area_m2))
                if c is not None]


def _components(nodes: list[int], adj: list[set[int]]) -> list[list[int]]:
    todo, parts = set(nodes), []
    for start in nodes:
        if start not in todo:
            continue
        todo.discard(start)
        group, stack = [start], [start]
        while stack:
            for n in adj[stack.pop()]:
                if n in todo:
                    todo.discard(n)
                    group.append(n)
                    stack.append(n)
        parts.append(sorted(group))
    return parts


def _connected_without(members: set[int], removed: int, adj: list[set[int]]) -> bool:
    rest = members - {removed}
    if not rest:
        return False
    start = next(iter(rest))
    seen, stack = {start}, [start]
    while stack:
        for n in adj[stack.pop()]:
            if n in rest and n not in seen:
                seen.add(n)
                stack.append(n)
    return len(seen) == len(rest)


class _Solver:
    def __init__(self, loads: np.ndarray, caps: np.ndarray, xy: np.ndarray, adj: list[set[int]]):
        self.loads, self.caps, self.xy, self.adj = loads, caps, xy, adj

    def fits(self, total: np.ndarray, unit: int) -> bool:
        return bool(np.all(total + self.loads[unit] <= self.caps + 1e-9))

    def _seeds(self, nodes: list[int], k: int, attempt: int = 0) -> list[int]:
        pts = self.xy[nodes]
        centre = pts.mean(axis=0)
        # attempt 0 starts from the unit farthest from the centre, later ones from the next
        order = np.argsort(-np.hypot(*(pts - centre).T), kind="stable")
        first = int(order[min(attempt * max(len(nodes) // 7, 1), len(nodes) - 1)])
        seeds = [first]
        dist = np.hypot(*(pts - pts[first]).T)
        while len(seeds) < k:
            nxt = int(np.argmax(dist))
            seeds.append(nxt)
            dist = np.minimum(dist, np.hypot(*(pts - pts[nxt]).T))
        return [nodes[s] for s in seeds]

    def grow(self, nodes: list[int], k: int, attempt: int = 0) -> dict[int, int] | None:
        """Assign every node to one of k contiguous regions within capacity, or None."""
        seeds = self._seeds(nodes, k, attempt)
        owner = {s: r for r, s in enumerate(seeds)}
        totals = [self.loads[s].copy() for s in seeds]
        inside = set(nodes)
        frontier = [{n for n in self.adj[s] if n in inside and n not in owner} for s in seeds]
        heap = [(float(np.max(totals[r] / self.caps, initial=0.0)), r) for r in range(k)]
        heapq.heapify(heap)
        while heap:
            _, r = heapq.heappop(heap)
            frontier[r] = {n for n in frontier[r] if n not in owner}
            fitting = [n for n in frontier[r] if self.fits(totals[r], n)]
            if not fitting:
                continue
            sx, sy = self.xy[seeds[r]]
            take = min(fitting, key=lambda n: (math.hypot(self.xy[n][0] - sx, self.xy[n][1] - sy), n))
            owner[take] = r
            totals[r] = totals[r] + self.loads[take]
            frontier[r] |= {n for n in self.adj[take] if n in inside and n not in owner}
            heapq.heappush(heap, (float(np.max(totals[r] / self.caps, initial=0.0)), r))
        left = [n for n in nodes if n not in owner]
        while left:
            placed = False
            for n in list(left):
                options = sorted({owner[m] for m in self.adj[n] if m in owner
                                  and self.fits(totals[owner[m]], n)})
                if options:
                    r = min(options, key=lambda r: (float(np.max(totals[r] / self.caps, initial=0.0)), r))
                    owner[n] = r
                    totals[r] = totals[r] + self.loads[n]
                    left.remove(n)
                    placed = True
            if not placed:
                return None
        return owner

    def improve(self, owner: dict[int, int], passes: int = 4) -> None:
        """Move boundary units to the adjacent grid with the nearer centre, keeping both valid."""
        for _ in range(passes):
            members: dict[int, set[int]] = {}
            for n, r in owner.items():
                members.setdefault(r, set()).add(n)
            totals = {r: self.loads[sorted(m)].sum(axis=0) for r, m in members.items()}
            centres = {r: self.xy[sorted(m)].mean(axis=0) for r, m in members.items()}
            moved = 0
            for n in sorted(owner):
                r = owner[n]
                here = float(np.hypot(*(self.xy[n] - centres[r])))
                for s in sorted({owner[m] for m in self.adj[n] if m in owner} - {r}):
                    there = float(np.hypot(*(self.xy[n] - centres[s])))
                    if there >= here * 0.9 or not self.fits(totals[s], n):
                        continue
                    if not _connected_without(members[r], n, self.adj):
                        continue
                    owner[n] = s
                    members[r].discard(n)
                    members[s].add(n)
                    totals[r] = totals[r] - self.loads[n]
                    totals[s] = totals[s] + self.loads[n]
                    moved += 1
                    break
            if not moved:
                return


def partition(loads: np.ndarray, capacity: Capacity, xy: np.ndarray,
              adj: list[set[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Grid number of each unit, and which units are oversize grids on their own.

    Parameters
    ----------
    loads
        (n, 3) employees, enterprises and area of each unit.
    capacity
        The caps a grid must keep within.
    xy
        (n, 2) a point inside each unit (for seeds and compactness).
    adj
        Unit adjacency (sharing an edge).
    """
    n = len(loads)
    use = capacity.caps()
    cols = [i for i, _ in use]
    caps = np.array([c for _, c in use], dtype=float)
    trimmed = loads[:, cols].astype(float) if cols else np.zeros((n, 0))
    oversize = np.array([bool(np.any(trimmed[u] > caps + 1e-9)) for u in range(n)], dtype=bool)
    grid = np.full(n, -1, dtype=int)
    next_id = 0
    solver = _Solver(trimmed, caps, xy, [a - set(np.flatnonzero(oversize)) for a in adj])
    for u in np.flatnonzero(oversize):
        grid[u] = next_id
        next_id += 1
    normal = [u for u in range(n) if not oversize[u]]
    for nodes in _components(normal, solver.adj):
        total = trimmed[nodes].sum(axis=0)
        k = max([1, *(math.ceil(t / c - 1e-9) for t, c in zip(total, caps))])
        owner = None
        while owner is None:
            for attempt in range(ATTEMPTS if k < len(nodes) else 1):
                owner = solver.grow(nodes, min(k, len(nodes)), attempt)
                if owner is not None:
                    break
            k += 1
        solver.improve(owner)
        for r in sorted(set(owner.values())):
            for u in sorted(u for u, o in owner.items() if o == r):
                grid[u] = next_id
            next_id += 1
    return grid, oversize
