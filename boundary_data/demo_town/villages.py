"""The villages and communities (村/社区) that tile the demo town, grown from road blocks."""

from __future__ import annotations

import heapq

import numpy as np
from shapely.geometry import Polygon

from boundary_data.demo_town import mathfn as fm
from boundary_data.demo_town.blocks import connected

__all__ = ["grow_villages", "keep_remnants_whole", "stranded"]


def grow_villages(blocks: list[Polygon], adj: list[set[int]], count: int) -> list[int]:
    """Assign each block to one of ``count`` villages, each a connected group of blocks.

    Seeds are spread by farthest-point sampling; the village with the least area takes its
    next adjacent block (the one nearest its seed) until every block is taken.
    """
    centres = np.array([b.representative_point().coords[0] for b in blocks])
    areas = np.array([b.area for b in blocks])
    seeds = [int(np.argmax(areas))]
    dist = fm.hypot(*(centres - centres[seeds[0]]).T)
    while len(seeds) < count:
        seeds.append(int(np.argmax(dist)))
        dist = np.minimum(dist, fm.hypot(*(centres - centres[seeds[-1]]).T))
    owner = [-1] * len(blocks)
    for v, s in enumerate(seeds):
        owner[s] = v
    size = {v: areas[s] for v, s in enumerate(seeds)}
    heap = [(size[v], v) for v in range(count)]
    heapq.heapify(heap)
    stuck: set[int] = set()
    while heap:
        _, v = heapq.heappop(heap)
        frontier = {n for b, o in enumerate(owner) if o == v for n in adj[b] if owner[n] == -1}
        if not frontier:
            stuck.add(v)
            continue
        seed_xy = centres[seeds[v]]
        take = min(frontier, key=lambda b: (fm.hypot(*(centres[b] - seed_xy)), b))
        owner[take] = v
        size[v] += areas[take]
        heapq.heappush(heap, (size[v], v))
    # blocks no seed reached (cut off by the border) join a village they touch
    for b in range(len(blocks)):
        if owner[b] == -1:
            owner[b] = min(owner[n] for n in adj[b] if owner[n] != -1)
    return owner


def keep_remnants_whole(owner: list[int], adj: list[set[int]], areas: list[float],
                        proposal: set[int], min_area: float) -> bool:
    """Move stray pieces so that carving ``proposal`` leaves each village whole and large enough.

    A village's land outside the proposal must form one connected piece of at least
    ``min_area`` (or be nothing); pieces that break this move to the adjacent village whose
    remaining land they touch most. Returns whether anything moved.
    """
    moved = False
    for v in sorted(set(owner)):
        outside = {b for b, o in enumerate(owner) if o == v and b not in proposal}
        if not outside:
            continue
        pieces = connected(outside, adj)
        keep_first = sum(areas[b] for b in pieces[0]) >= min_area
        for piece in pieces[1 if keep_first else 0:]:
            touching: dict[int, int] = {}
            for b in piece:
                for n in adj[b]:
                    if owner[n] != v and n not in proposal:
                        touching[owner[n]] = touching.get(owner[n], 0) + 1
            if not touching:
                continue
            target = max(sorted(touching), key=touching.get)
            rest = {b for b, o in enumerate(owner) if o == v} - piece
            if rest and len(connected(rest, adj)) > 1:
                continue
            for b in piece:
                owner[b] = target
            moved = True
    return moved


def stranded(owner: list[int], adj: list[set[int]], areas: list[float], proposal: set[int],
             min_area: float) -> set[int]:
    """Blocks that carving ``proposal`` would leave cut off from their village or too small."""
    lost: set[int] = set()
    for v in sorted(set(owner)):
        outside = {b for b, o in enumerate(owner) if o == v and b not in proposal}
        if not outside:
            continue
        pieces = connected(outside, adj)
        keep_first = sum(areas[b] for b in pieces[0]) >= min_area
        for piece in pieces[1 if keep_first else 0:]:
            lost |= piece
    return lost
