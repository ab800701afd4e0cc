"""Partition units into contiguous grids within capacity, as few and as compact as possible.

The solver works on the unit adjacency graph, one connected part at a time, with every load
scaled so that each cap is 1:

1. **Sweep.** A grid starts from the free unit with the fewest free neighbours (a corner or a
   pocket left behind, so no island of stranded units is made), the farthest from the part's
   centre on ties, and takes the adjacent free unit nearest its own centre while it fits; once
   90 % full it stops at the first unit that does not fit rather than reach past it for
   smaller, farther ones. Every unit is placed; every grid is contiguous.
2. **Dissolve.** The emptiest grids are handed out unit by unit to adjacent grids with room,
   or to a full neighbour that passes one of its own units on to a third grid with room; a
   grid is dissolved only if all its units find a place (otherwise every move is undone), so
   the count falls towards the lower bound ⌈total / cap⌉ without breaking a cap.
3. **Polish.** Boundary units move to the adjacent grid whose centre is nearer, when both
   grids stay contiguous and within capacity, which makes the grids compact and evens them out.
   Dissolve and polish repeat while the count falls.

A unit that alone exceeds capacity is its own grid and is reported. Ties are broken by unit
number, so the result depends on the input alone. Each step is near-linear in the units.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Capacity", "partition"]

EPS = 1e-9
POLISH_PASSES = 6
FULL = 0.9  # a grid this full stops at the first unit that does not fit
NEARER = 0.9  # polish moves a unit only to a grid whose centre is this much nearer
LIMIT = 1.0 + EPS  # a scaled total fits while within this
RECHECK = 1.2  # a unit whose distance to the moving centre grew by this factor is looked at again


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
    """Whether ``members`` minus ``removed`` is non-empty and connected."""
    rest = members - {removed}
    if not rest:
        return False
    start = min(rest)
    seen, stack = {start}, [start]
    while stack:
        for n in adj[stack.pop()]:
            if n in rest and n not in seen:
                seen.add(n)
                stack.append(n)
    return len(seen) == len(rest)


# a dissolve attempt as it found things: grid r's units, and each ring grid's units and totals
_Attempt = tuple[frozenset[int], frozenset[tuple[frozenset[int], tuple[float, ...]]]]


class _Solver:
    """The three steps on one connected part; loads are scaled so that every cap is 1."""

    def __init__(self, loads: list[tuple[float, ...]], xy: np.ndarray, adj: list[set[int]]):
        self.loads, self.adj = loads, adj
        self.x, self.y = xy[:, 0].tolist(), xy[:, 1].tolist()
        self.dims = range(len(loads[0])) if loads else range(0)
        # grids that could not be handed out, with the grids around them as they were: the
        # same attempt on the same grids fails the same way, so a later round skips it
        self.failed: set[_Attempt] = set()

    def _fits(self, total: list[float], unit: int) -> bool:
        # a loop, not all() over a generator: this runs for every move tried
        for t, load in zip(total, self.loads[unit], strict=True):  # noqa: SIM110
            if not t + load <= LIMIT:
                return False
        return True

    def _add(self, total: list[float], unit: int, sign: float = 1.0) -> None:
        load = self.loads[unit]
        for d in self.dims:
            total[d] += sign * load[d]

    def sweep(self, nodes: list[int]) -> list[list[int]]:
        """Grids grown one after another from the most hemmed-in free unit."""
        adj, x, y = self.adj, self.x, self.y
        inside = set(nodes)
        cx = sum(x[n] for n in nodes) / len(nodes)
        cy = sum(y[n] for n in nodes) / len(nodes)
        far = {n: -math.hypot(x[n] - cx, y[n] - cy) for n in nodes}
        free_count = {n: sum(1 for m in adj[n] if m in inside) for n in nodes}
        seeds = [(free_count[n], far[n], n) for n in nodes]
        heapq.heapify(seeds)
        free = set(nodes)
        regions: list[list[int]] = []
        while free:
            count, _, seed = heapq.heappop(seeds)
            if seed not in free or count != free_count[seed]:
                continue
            members: list[int] = []
            total = [0.0 for _ in self.dims]
            sum_x = sum_y = 0.0
            tried: set[int] = set()
            heap = [(0.0, seed)]
            while heap:
                key, u = heapq.heappop(heap)
                if u not in free or u in tried:
                    continue
                if members:
                    # the key was the distance to the grid's centre when u was met; the
                    # centre has moved since, so look again before taking u
                    mx, my = sum_x / len(members), sum_y / len(members)
                    now = (x[u] - mx) ** 2 + (y[u] - my) ** 2
                    if heap and now > key * RECHECK + EPS and now > heap[0][0]:
                        heapq.heappush(heap, (now, u))
                        continue
                tried.add(u)
                if members and not self._fits(total, u):
                    if max(total, default=0.0) >= FULL:
                        break  # rather than reach past it for smaller, farther units
                    continue
                members.append(u)
                sum_x += x[u]
                sum_y += y[u]
                self._add(total, u)
                free.discard(u)
                mx, my = sum_x / len(members), sum_y / len(members)
                for m in adj[u]:
                    if m in free:
                        free_count[m] -= 1
                        heapq.heappush(seeds, (free_count[m], far[m], m))
                        if m not in tried:
                            heapq.heappush(heap, ((x[m] - mx) ** 2 + (y[m] - my) ** 2, m))
            regions.append(members)
        return regions

    def dissolve(self, regions: list[list[int]]) -> list[list[int]]:
        """Hand out the emptiest grids to their neighbours where every unit finds room."""
        state = _State(self, regions)
        order = sorted(range(len(regions)), key=lambda r: (max(state.totals[r], default=0.0), r))
        for r in order:
            if state.alive <= 1:
                break
            ring = self._ring(state, r)
            if not self._room(state, r, ring):
                continue
            # an attempt reads and moves only grid r and its ring (by their relative order,
            # which later rounds keep), so it is known by their units and their totals (as
            # summed, to the last bit)
            seen = (frozenset(state.members[r]),
                    frozenset((frozenset(state.members[t]), tuple(state.totals[t]))
                              for t in ring))
            if seen in self.failed:
                continue
            mark = len(state.log)
            if not self._hand_out(state, r):
                state.undo(mark)
                self.failed.add(seen)
        return [sorted(m) for m in state.members if m]

    def _hand_out(self, state: _State, r: int) -> bool:
        """Give every unit of grid r to an adjacent grid, directly or by pushing one of that
        grid's units on to a third grid with room; False if some unit finds no place."""
        while state.members[r]:
            placed = False
            for u in sorted(state.members[r]):
                if self._give(state, r, u) or self._give_pushing(state, r, u):
                    placed = True
            if not placed:
                return False
        return True

    def _give(self, state: _State, r: int, u: int) -> bool:
        best, best_key = -1, None
        for s in state.around(u, r):
            if self._fits(state.totals[s], u):
                key = (max(state.totals[s], default=0.0), s)
                if best_key is None or key < best_key:
                    best, best_key = s, key
        if best < 0:
            return False
        state.move(u, best)
        return True

    def _give_pushing(self, state: _State, r: int, u: int) -> bool:
        load_u, loads, totals, owner, adj = self.loads[u], self.loads, state.totals, state.owner, \
            self.adj
        for s in state.around(u, r):
            total_s = totals[s]
            # what taking a unit v out of s must free for u to fit: v's load at least the
            # excess in every dimension where u does not fit
            need = [(d, e) for d in self.dims
                    if (e := total_s[d] + load_u[d] - 1.0 - EPS) > 0]
            if len(need) == 1:  # the usual case, filtered in one pass
                d, e = need[0]
                candidates = [v for v in sorted(state.members[s]) if not loads[v][d] < e]
            else:
                candidates = [v for v in sorted(state.members[s])
                              if not any(loads[v][d] < e for d, e in need)]
            for v in candidates:
                # the grid v would go to: the emptiest adjacent one (other than r) with room
                best, best_key = -1, None
                for t in sorted({owner[m] for m in adj[v]}):
                    if t < 0 or t in (s, r) or not self._fits(totals[t], v):
                        continue
                    key = (max(totals[t]), t)
                    if best_key is None or key < best_key:
                        best, best_key = t, key
                if best < 0:
                    continue
                state.move(u, s)
                if _connected_without(state.members[s], v, adj):
                    state.move(v, best)
                    return True
                state.undo(len(state.log) - 1)
        return False

    def _ring(self, state: _State, r: int) -> set[int]:
        """The grids within two steps of grid r: all that handing it out can touch."""
        owner, adj = state.owner, self.adj
        ring = {owner[m] for u in state.members[r] for m in adj[u]}
        for s in list(ring):
            ring |= {owner[m] for v in state.members[s] for m in adj[v]}
        ring.discard(r)
        ring.discard(-1)
        return ring

    def _room(self, state: _State, r: int, ring: set[int]) -> bool:
        """Whether the ring has room for all of grid r (a cheap necessary condition for
        dissolving r)."""
        return all(sum(1.0 - state.totals[t][d] for t in ring) >= state.totals[r][d] - EPS
                   for d in self.dims)

    def _total(self, members: list[int]) -> list[float]:
        total = [0.0 for _ in self.dims]
        for u in members:
            self._add(total, u)
        return total

    def polish(self, regions: list[list[int]]) -> list[list[int]]:
        """Move boundary units to the adjacent grid with the nearer centre, keeping both valid."""
        x, y, adj = self.x, self.y, self.adj
        # each unit's grid, -1 for units of other parts (a list: read for every neighbour)
        owner = [-1] * len(self.loads)
        for r, region in enumerate(regions):
            for u in region:
                owner[u] = r
        units = sorted(u for region in regions for u in region)
        members = [set(m) for m in regions]
        totals = [self._total(m) for m in regions]
        for _ in range(POLISH_PASSES):
            centres = [(sum(x[u] for u in m) / len(m), sum(y[u] for u in m) / len(m))
                       for m in members]
            moved = 0
            for u in units:
                r = owner[u]
                near = {owner[m] for m in adj[u]}
                near.discard(r)
                near.discard(-1)
                if not near or len(members[r]) == 1:
                    continue
                others = sorted(near)
                here = math.hypot(x[u] - centres[r][0], y[u] - centres[r][1])
                best, best_d = -1, here * NEARER
                for s in others:
                    d = math.hypot(x[u] - centres[s][0], y[u] - centres[s][1])
                    if d < best_d and self._fits(totals[s], u):
                        best, best_d = s, d
                if best < 0 or not _connected_without(members[r], u, adj):
                    continue
                owner[u] = best
                members[r].discard(u)
                members[best].add(u)
                self._add(totals[r], u, -1.0)
                self._add(totals[best], u)
                moved += 1
            if not moved:
                break
        return [sorted(m) for m in members]


class _State:
    """Grids as member sets with their totals; moves are logged so a failed attempt undoes."""

    def __init__(self, solver: _Solver, regions: list[list[int]]):
        self.solver = solver
        self.members = [set(m) for m in regions]
        # each unit's grid, -1 for units of other parts (a list: read for every neighbour)
        self.owner = [-1] * len(solver.loads)
        for r, region in enumerate(regions):
            for u in region:
                self.owner[u] = r
        self.totals = [solver._total(m) for m in regions]
        self.log: list[tuple[int, int]] = []
        self.alive = sum(1 for m in self.members if m)  # grids with units, kept as they move

    def around(self, u: int, r: int) -> list[int]:
        """The grids other than r next to unit u."""
        owner = self.owner
        grids = {owner[m] for m in self.solver.adj[u]}
        grids.discard(r)
        grids.discard(-1)
        return sorted(grids)

    def move(self, u: int, to: int) -> None:
        came = self.owner[u]
        self.log.append((u, came))
        self.owner[u] = to
        self.members[came].discard(u)
        self.alive += (not self.members[to]) - (not self.members[came])
        self.members[to].add(u)
        self.solver._add(self.totals[came], u, -1.0)
        self.solver._add(self.totals[to], u)

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            u, came = self.log.pop()
            self.move(u, came)
            self.log.pop()


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
    scaled = loads[:, cols].astype(float) / caps if cols else np.zeros((n, 0))
    oversize = np.any(scaled > 1.0 + EPS, axis=1) if cols else np.zeros(n, dtype=bool)
    grid = np.full(n, -1, dtype=int)
    next_id = 0
    for u in np.flatnonzero(oversize):
        grid[u] = next_id
        next_id += 1
    big = set(np.flatnonzero(oversize).tolist())
    solver = _Solver([tuple(row) for row in scaled.tolist()], np.asarray(xy, dtype=float),
                     [set(a) - big for a in adj])
    normal = [u for u in range(n) if not oversize[u]]
    for nodes in _components(normal, solver.adj):
        regions = solver.sweep(nodes)
        while True:
            before = len(regions)
            regions = solver.polish(solver.dissolve(regions))
            if len(regions) == before:
                break
        for members in sorted(regions, key=min):
            grid[members] = next_id
            next_id += 1
    return grid, oversize
