"""Road blocks of the demo town: adjacency, zoning into land-use classes, net land."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry import Polygon

from boundary_data.demo_town.frame import CANAL_X, Frame, river_y

__all__ = ["adjacency", "connected", "corridors", "fill_holes", "union_of", "zone_blocks"]


def adjacency(blocks: list[Polygon], min_shared_m: float = 1.0) -> list[set[int]]:
    """For each block, the blocks it shares at least ``min_shared_m`` of edge with."""
    arr = np.array(blocks, dtype=object)
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(arr[left], arr[right]))
    neighbours: list[set[int]] = [set() for _ in blocks]
    for i, j, length in zip(left, right, shared, strict=True):
        if length >= min_shared_m:
            neighbours[i].add(int(j))
            neighbours[j].add(int(i))
    return neighbours


def connected(members: Iterable[int], adj: list[set[int]]) -> list[set[int]]:
    """The connected groups of ``members`` on the block adjacency graph, largest first."""
    todo = set(members)
    groups = []
    while todo:
        start = min(todo)
        group, stack = {start}, [start]
        while stack:
            for nxt in adj[stack.pop()] & todo:
                if nxt not in group:
                    group.add(nxt)
                    stack.append(nxt)
        todo -= group
        groups.append(group)
    return sorted(groups, key=lambda g: (-len(g), min(g)))


def union_of(blocks: list[Polygon], members: Iterable[int]) -> Polygon:
    """The dissolved union of some blocks."""
    return shapely.union_all([blocks[i] for i in sorted(members)])


def fill_holes(blocks: list[Polygon], members: Iterable[int]) -> set[int]:
    """``members`` plus every block enclosed by them, so their union has no holes."""
    members = set(members)
    union = union_of(blocks, members)
    holes = [Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    if not holes:
        return members
    enclosed = shapely.union_all(holes)
    return members | {b for b, block in enumerate(blocks)
                      if enclosed.contains(block.representative_point())}


def zone_blocks(frame: Frame, rng: np.random.Generator) -> list[str]:
    """A land-use class for every block, by where it lies in the town."""
    classes = []
    for block in frame.blocks:
        p = block.representative_point()
        x, y = p.x, p.y
        draw = rng.random()
        if frame.hill.contains(p):
            cls = "ecological_redline"
        elif block.area < 4_000:
            cls = "green"
        elif y < river_y(x):
            near_river = abs(y - river_y(x)) < 140
            cls = ("green" if near_river
                   else "residential" if draw < 0.12 else "farmland_protected")
        elif x >= 1080 or (x > CANAL_X and y < -340):
            cls = "industrial" if draw < 0.9 else ("public" if draw < 0.95 else "green")
        elif y < 760 and x > -1000:
            cls = ("office" if draw < 0.55 else "commercial" if draw < 0.8
                   else "public" if draw < 0.92 else "residential")
        elif x > CANAL_X:
            cls = "industrial" if draw < 0.8 else "vacant" if draw < 0.9 else "public"
        else:
            cls = ("residential" if draw < 0.25 else "farmland_protected" if draw < 0.6
                   else "green" if draw < 0.8 else "public" if draw < 0.9 else "commercial")
        classes.append(cls)
    return classes


def corridors(frame: Frame) -> tuple[Polygon, Polygon]:
    """The land under roads and under water, each clipped to the town."""
    water = shapely.union_all([frame.river.buffer(30.0, cap_style="flat"),
                               frame.canal.buffer(8.0, cap_style="flat")])
    roads = shapely.union_all([r.geometry.buffer(r.width_m / 2, cap_style="flat")
                               for r in frame.roads])
    water = shapely.intersection(water, frame.jurisdiction)
    roads = shapely.difference(shapely.intersection(roads, frame.jurisdiction), water)
    return roads, water
