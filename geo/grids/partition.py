"""Partition units into contiguous grids within capacity, as few and as compact as possible.

The solver works on the unit adjacency graph, one connected part at a time, with every load
scaled so that each cap is 1:

1. **Sweep.** A grid starts from the free unit with the fewest free neighbours (a corner or a
   pocket left behind, so no island of stranded units is made), the farthest from the part's
   centre on ties, and takes the adjacent free unit nearest its own centre while it fits; once
   90 % full it stops at the first unit that does not fit rather than reach past it for
   smaller, farther ones. Every unit is placed; every grid is contiguous.
2. **Dissolve.** The emptiest grids are handed out unit by unit, the heaviest first (the
   small ones left for last fit in the gaps), to adjacent grids with room, or to a full
   neighbour that passes one of its own units on to a third grid with room; a grid is
   dissolved only if all its units find a place (otherwise every move is undone), so the
   count falls towards the lower bound ⌈total / cap⌉ without breaking a cap.
3. **Polish.** Boundary units move to the adjacent grid whose centre is nearer, when both
   grids stay contiguous and within capacity, which makes the grids compact and evens them out.
   Dissolve and polish repeat while the count falls, each time looking again only where
   something changed: a grid that could not be handed out is tried again once a grid within
   two steps of it has changed (and within one hand-out, a unit that found no place once a
   grid its try read has), a unit is looked at again once its own or an adjacent grid has.

A unit that alone exceeds capacity is its own grid and is reported. Ties are broken by unit
number, so the result depends on the input alone. Each step is near-linear in the units.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Capacity", "partition"]

EPS = 1e-9
POLISH_PASSES = 6
FULL = 0.9  # a grid this full stops at the first unit that does not fit
NEARER = 0.9  # polish moves a unit only to a grid whose centre is this much nearer
LIMIT = 1.0 + EPS  # a scaled total fits while within this
RECHECK = 1.2  # a unit whose distance to the moving centre grew by this factor is looked at again
DIMS = range(3)  # employees, enterprises, area

Adjacency = list[tuple[int, ...]]  # each unit's neighbours (tuples: small and quick to read)
Total = tuple[float, float, float]  # a grid's loads; a new tuple on every move, kept by the log


@dataclass(frozen=True)
class Capacity:
    """Per-grid caps; a cap of ``None`` is not applied (e.g. no employees data)."""

    employees: float | None
    enterprises: float | None
    area_m2: float | None

    def caps(self) -> list[tuple[int, float]]:
        return [(i, c) for i, c in enumerate((self.employees, self.enterprises, self.area_m2))
                if c is not None]


def _components(nodes: list[int], adj: Adjacency) -> list[list[int]]:
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


def _connected_without(members: set[int], removed: int, adj: Adjacency) -> bool:
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

class _Solver:
    """The three steps on one connected part; loads are scaled so that every cap is 1."""

    def __init__(self, loads: list[tuple[float, float, float]], xy: np.ndarray,
                 adj: Adjacency):
        self.loads, self.adj = loads, adj
        self.x, self.y = xy[:, 0].tolist(), xy[:, 1].tolist()

    def _fits(self, total: Sequence[float], unit: int) -> bool:
        # written out for the three loads: this runs for every move tried
        a, b, c = self.loads[unit]
        return total[0] + a <= LIMIT and total[1] + b <= LIMIT and total[2] + c <= LIMIT

    def _add(self, total: list[float], unit: int) -> None:
        a, b, c = self.loads[unit]
        total[0] += a
        total[1] += b
        total[2] += c

    def _total(self, members: Iterable[int]) -> Total:
        total = [0.0, 0.0, 0.0]
        for u in members:
            self._add(total, u)
        return total[0], total[1], total[2]

    def solve(self, nodes: list[int]) -> list[list[int]]:
        """Sweep, then dissolve and polish while the count falls."""
        grids = _Grids(self, self.sweep(nodes))
        while True:
            before = grids.alive
            self.dissolve(grids)
            self.polish(grids)
            if grids.alive == before:
                return [sorted(m) for m in grids.members if m]

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
            total = [0.0, 0.0, 0.0]
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
                    if max(total) >= FULL:
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


    def dissolve(self, grids: _Grids) -> None:
        """Hand out the emptiest grids to their neighbours where every unit finds room.

        An attempt that failed is made again only once a grid it read has changed since (their
        versions tell): the same attempt on the same grids fails the same way.
        """
        members, totals, version = grids.members, grids.totals, grids.version
        order = sorted((r for r in range(len(members)) if members[r]),
                       key=lambda r: (max(totals[r]), r))
        for r in order:
            if grids.alive <= 1:
                break
            failed = grids.failed.get(r)
            if failed is not None and [version[t] for t in failed[0]] == failed[1]:
                continue
            ring = self._ring(grids, r)
            if not self._room(grids, r, ring):
                grids.failed[r] = grids.stamp((r, *ring))
                continue
            grids.read = {r}
            if self._hand_out(grids, r):
                grids.commit()
            else:
                grids.undo()  # back to the very totals and versions it read
                grids.read.discard(-1)
                grids.failed[r] = grids.stamp(grids.read)

    def _hand_out(self, grids: _Grids, r: int) -> bool:
        """Give every unit of grid r, the heaviest first, to an adjacent grid, directly or by
        pushing one of that grid's units on to a third grid with room; False if some unit finds
        no place.

        A unit that found no place is tried again only once its adjacent grids or a grid its
        try read has changed since (their versions tell): the same try would fail the same way.
        """
        members, version, loads = grids.members[r], grids.version, self.loads
        # the heaviest first, so that the last to be placed are the small ones that fit in gaps
        order = sorted(members, key=lambda w: (-max(loads[w]), w))
        stuck: dict[int, tuple[list[int], tuple[int, ...], list[int]]] = {}
        while members:
            placed = False
            order = [u for u in order if u in members]  # r only loses units
            for u in order:
                around = grids.around(u, r)
                if not around:
                    continue
                last = stuck.get(u)
                if last is not None and last[0] == around and \
                        [version[g] for g in last[1]] == last[2]:
                    continue
                if self._give(grids, u, around):
                    placed = True
                    continue
                looked = set(around)
                if self._give_pushing(grids, r, u, around, looked):
                    placed = True
                else:
                    ids = tuple(looked)
                    stuck[u] = (around, ids, [version[g] for g in ids])
            if not placed:
                return False
        return True

    def _give(self, grids: _Grids, u: int, around: list[int]) -> bool:
        """Give unit u to the emptiest grid of ``around`` with room for it."""
        to = self._emptiest(grids.totals, u, around)
        if to < 0:
            return False
        grids.move(u, to)
        return True

    def _give_pushing(self, grids: _Grids, r: int, u: int, around: list[int],
                      looked: set[int]) -> bool:
        """Give unit u to a grid of ``around`` that passes one of its units on to a third grid
        (not r) with room, staying contiguous; the third grids considered are added to
        ``looked``."""
        loads, totals, owner, adj, read = self.loads, grids.totals, grids.owner, self.adj, \
            grids.read
        a, b, c = loads[u]
        for s in around:
            t0, t1, t2 = totals[s]
            # what taking a unit v out of s must free for u to fit: v's load at least the
            # excess in every dimension where u does not fit (no bound where it fits)
            e0, e1, e2 = (e if e > 0 else -math.inf
                          for e in (t0 + a - LIMIT, t1 + b - LIMIT, t2 + c - LIMIT))
            for v in sorted(grids.members[s]):
                load = loads[v]
                if load[0] < e0 or load[1] < e1 or load[2] < e2:
                    continue
                grids_v = {owner[m] for m in adj[v]}
                looked |= grids_v  # their units next to v, and so grids_v, stay while they do
                if len(grids_v) == 1:
                    continue  # no grid but s or r next to v
                read |= grids_v
                to = self._emptiest(totals, v, grids_v, r, s)
                if to < 0:
                    continue
                grids.move(u, s)
                if _connected_without(grids.members[s], v, adj):
                    grids.move(v, to)
                    return True
                grids.undo(len(grids.log) - 1)
        return False

    def _emptiest(self, totals: list[Total], unit: int, options: Iterable[int],
                  *other: int) -> int:
        """The emptiest grid of ``options`` (the lowest number on ties) with room for
        ``unit``, not -1 nor one of ``other``; -1 if there is none."""
        a, b, c = self.loads[unit]
        best, best_key = -1, (math.inf, -1)
        for t in options:
            if t < 0 or t in other:
                continue
            t0, t1, t2 = totals[t]
            if t0 + a <= LIMIT and t1 + b <= LIMIT and t2 + c <= LIMIT:
                key = (max(t0, t1, t2), t)
                if key < best_key:
                    best, best_key = t, key
        return best

    def _ring(self, grids: _Grids, r: int) -> set[int]:
        """The grids within two steps of grid r: all that handing it out can touch."""
        owner, adj = grids.owner, self.adj
        ring = {owner[m] for u in grids.members[r] for m in adj[u]}
        for s in list(ring):
            ring |= {owner[m] for v in grids.members[s] for m in adj[v]}
        ring.discard(r)
        ring.discard(-1)
        return ring

    def _room(self, grids: _Grids, r: int, ring: set[int]) -> bool:
        """Whether the ring has room for all of grid r (a cheap necessary condition for
        dissolving r)."""
        return all(sum(1.0 - grids.totals[t][d] for t in ring) >= grids.totals[r][d] - EPS
                   for d in DIMS)

    def polish(self, grids: _Grids) -> None:
        """Move boundary units to the adjacent grid with the nearer centre, keeping both valid.

        A pass looks, in unit order, at the units whose own or neighbouring grids changed since
        they were last looked at (every unit the first time); the others would stay put.
        """
        x, y, adj, owner, members, totals = (self.x, self.y, self.adj, grids.owner,
                                             grids.members, grids.totals)
        for _ in range(POLISH_PASSES):
            if not grids.stale:
                break
            centres = grids.centres()
            todo = sorted(grids.stale)  # a sorted list is a heap
            queued = set(todo)
            grids.stale = set()
            while todo:
                u = heapq.heappop(todo)
                r = owner[u]
                near = {owner[m] for m in adj[u]}
                near.discard(r)
                if not near or len(members[r]) == 1:
                    continue
                here = math.hypot(x[u] - centres[r][0], y[u] - centres[r][1])
                best, best_d = -1, here * NEARER
                for s in sorted(near):
                    d = math.hypot(x[u] - centres[s][0], y[u] - centres[s][1])
                    if d < best_d and self._fits(totals[s], u):
                        best, best_d = s, d
                if best < 0 or not _connected_without(members[r], u, adj):
                    continue
                grids.move(u, best)
                grids.log.clear()
                # the units reading r or best: looked at next pass, and in this one if to come
                for w in grids.readers(r) | grids.readers(best):
                    grids.stale.add(w)
                    if w > u and w not in queued:
                        queued.add(w)
                        heapq.heappush(todo, w)


class _Grids:
    """The grids of one part as member sets with their totals, kept from step to step.

    Every change of a grid gives it a new version; moves are logged so that a failed attempt
    is undone to the very same totals and versions. ``failed`` holds each grid's last failed
    dissolve with the versions of the grids it read, ``stale`` the units polish is to look at.
    """

    def __init__(self, solver: _Solver, regions: list[list[int]]):
        self.solver = solver
        self.members = [set(m) for m in regions]
        # each unit's grid, -1 for units of other parts (a list: read for every neighbour)
        self.owner = [-1] * len(solver.loads)
        for r, region in enumerate(regions):
            for u in region:
                self.owner[u] = r
        self.totals = [solver._total(m) for m in regions]
        self.alive = sum(1 for m in self.members if m)  # grids with units, kept as they move
        self.version = [0] * len(regions)
        self.clock = 0
        self.log: list[tuple[int, int, int, Total, Total, int, int]] = []
        self.failed: dict[int, tuple[tuple[int, ...], list[int]]] = {}
        self.read: set[int] = set()  # the grids the attempt under way has read
        self.stale = {u for m in regions for u in m}
        self._centres = [(0.0, 0.0)] * len(regions)
        self._centred = [-1] * len(regions)  # the version each centre was taken at

    def stamp(self, grids: Iterable[int]) -> tuple[tuple[int, ...], list[int]]:
        """These grids and their versions (a few objects: one is kept for most grids)."""
        ids = tuple(grids)
        return ids, [self.version[g] for g in ids]

    def around(self, u: int, r: int) -> list[int]:
        """The grids other than r next to unit u (read by the attempt under way)."""
        owner = self.owner
        grids = {owner[m] for m in self.solver.adj[u]}
        grids.discard(r)
        grids.discard(-1)
        self.read |= grids
        return sorted(grids)

    def move(self, u: int, to: int) -> None:
        came, totals, version, load = self.owner[u], self.totals, self.version, \
            self.solver.loads[u]
        self.log.append((u, came, to, totals[came], totals[to], version[came], version[to]))
        self.owner[u] = to
        self.members[came].discard(u)
        self.alive += (not self.members[to]) - (not self.members[came])
        self.members[to].add(u)
        a, b, c = load
        t = totals[came]
        totals[came] = (t[0] - a, t[1] - b, t[2] - c)
        t = totals[to]
        totals[to] = (t[0] + a, t[1] + b, t[2] + c)
        self.clock += 1
        version[came] = version[to] = self.clock

    def undo(self, mark: int = 0) -> None:
        """Undo the logged moves after ``mark``, back to the totals and versions before them."""
        while len(self.log) > mark:
            u, came, to, total_came, total_to, version_came, version_to = self.log.pop()
            self.owner[u] = came
            self.members[to].discard(u)
            self.alive += (not self.members[came]) - (not self.members[to])
            self.members[came].add(u)
            self.totals[came], self.totals[to] = total_came, total_to
            self.version[came], self.version[to] = version_came, version_to

    def commit(self) -> None:
        """Keep the logged moves; the units reading the grids they changed go stale."""
        for g in {g for _, came, to, *_ in self.log for g in (came, to)}:
            self.stale |= self.readers(g)
        self.log.clear()

    def readers(self, g: int) -> set[int]:
        """The units whose polish move reads grid g: its own and their neighbours."""
        adj = self.solver.adj
        out = set(self.members[g])
        for u in self.members[g]:
            out.update(adj[u])
        return out

    def centres(self) -> list[tuple[float, float]]:
        """Each grid's centre (the mean of its units' points), taken again where it changed."""
        x, y = self.solver.x, self.solver.y
        for g, m in enumerate(self.members):
            if m and self._centred[g] != self.version[g]:
                self._centres[g] = (sum(x[u] for u in m) / len(m), sum(y[u] for u in m) / len(m))
                self._centred[g] = self.version[g]
        return self._centres


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
    scaled = np.zeros((n, 3))  # a load without a cap stays 0: it always fits
    for i, cap in capacity.caps():
        scaled[:, i] = loads[:, i] / cap
    oversize = np.any(scaled > 1.0 + EPS, axis=1)
    grid = np.full(n, -1, dtype=int)
    next_id = 0
    for u in np.flatnonzero(oversize):
        grid[u] = next_id
        next_id += 1
    big = set(np.flatnonzero(oversize).tolist())
    solver = _Solver([(e, f, a) for e, f, a in scaled.tolist()], np.asarray(xy, dtype=float),
                     [tuple(set(a) - big) for a in adj])
    normal = [u for u in range(n) if not oversize[u]]
    for nodes in _components(normal, solver.adj):
        for members in sorted(solver.solve(nodes), key=min):
            grid[members] = next_id
            next_id += 1
    return grid, oversize
