"""Suggested boundaries: the union of road-bounded blocks closest to a sketch or a proposal.

The town is cut into blocks along its roads, rivers, ridges and border, and blocks that share
an enterprise plot or a building are merged (the grid units of :mod:`geo.grids.units`, cut
over the whole town). A union of edge-adjacent blocks is therefore one part (B2), its edge
follows roads, rivers, ridges or the border (B3) and it cuts no holding (B6), by
construction. Of those unions, :func:`suggest` picks the one with the largest overlap with
the given boundary (intersection over union), by a local search from the blocks mostly inside.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.context import Context, exclusive
from geo.crs.reprojection import reproject
from geo.errors import InputError
from geo.grids.units import adjacency, cut_units
from geo.proposal import Proposal
from geo.validate import CHECKS, ERROR, Finding

__all__ = ["KEPT_RULES", "Blocks", "Suggestion", "choose_blocks", "compose", "suggest",
           "town_blocks"]

# the rules a union of blocks passes by construction (checked again on every suggestion)
KEPT_RULES = ("B2", "B3", "B6")
# a move must raise the overlap by more than this to be taken (guards against float ties)
_GAIN = 1e-9


@dataclass(frozen=True)
class Blocks:
    """The town's road-bounded blocks in the context's CRS and which share an edge."""

    geometry: NDArray[np.object_]  # of Polygon
    neighbours: list[set[int]]

    @property
    def area(self) -> NDArray[np.float64]:
        return shapely.area(self.geometry)

    def __len__(self) -> int:
        return len(self.geometry)


@dataclass(frozen=True)
class Suggestion:
    """The suggested boundary beside the original, both in the context's CRS."""

    proposal: Proposal  # the suggestion: the original's name and type, in the original's CRS
    original: BaseGeometry
    geometry: BaseGeometry
    blocks: tuple[int, ...]
    crs: pyproj.CRS  # of ``original`` and ``geometry``: the context's
    errors: tuple[Finding, ...]  # the suggestion's errors under KEPT_RULES (none expected)

    @property
    def ok(self) -> bool:
        """Whether the suggestion passes every rule of :data:`KEPT_RULES`."""
        return not self.errors

    @property
    def added(self) -> BaseGeometry:
        """Land the suggestion takes in that the original left out."""
        return shapely.difference(self.geometry, self.original)

    @property
    def removed(self) -> BaseGeometry:
        """Land of the original the suggestion leaves out."""
        return shapely.difference(self.original, self.geometry)

    @property
    def overlap_iou(self) -> float:
        """Area of the intersection over area of the union (1 = the same shape)."""
        union = shapely.union(self.geometry, self.original).area
        if not union:
            return 0.0
        return float(shapely.intersection(self.geometry, self.original).area / union)

    def to_dict(self) -> dict[str, object]:
        """The summary of DESIGN.md's ``suggest --format json`` (areas in m², to 0.1 m²)."""
        return {"proposal": self.proposal.name, "overlap_iou": round(self.overlap_iou, 4),
                "area_m2": round(float(self.geometry.area), 1),
                "added_m2": round(float(self.added.area), 1),
                "removed_m2": round(float(self.removed.area), 1),
                "blocks": len(self.blocks),
                "passes": {rule: not any(f.rule == rule for f in self.errors)
                           for rule in KEPT_RULES}}


def town_blocks(ctx: Context) -> Blocks:
    """The town's blocks (built once per context and kept)."""
    return ctx.cached("suggest:blocks", lambda: _build_blocks(ctx))


def _build_blocks(ctx: Context) -> Blocks:
    units = cut_units(ctx.town, ctx)
    geometry = _merge_cut_buildings(np.asarray(units.geometry, dtype=object), ctx)
    return Blocks(geometry, adjacency(geometry))


def _merge_cut_buildings(geometry: NDArray[np.object_], ctx: Context) -> NDArray[np.object_]:
    """Merge the blocks a building stands across (units are merged over parcels only)."""
    buildings = ctx.layer("buildings")
    if buildings is None or not len(geometry):
        return geometry
    shapes = buildings.geometry.to_numpy()
    block_of, building_of = shapely.STRtree(geometry).query(shapes, predicate="intersects")[::-1]
    shared = shapely.area(shapely.intersection(shapes[building_of], geometry[block_of]))
    parent = list(range(len(geometry)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}
    for b, g, a in zip(building_of, block_of, shared, strict=True):
        if a <= 1.0:
            continue
        if int(b) in first:
            parent[find(int(g))] = find(first[int(b)])
        else:
            first[int(b)] = int(g)
    groups: dict[int, list[int]] = {}
    for i in range(len(geometry)):
        groups.setdefault(find(i), []).append(i)
    if len(groups) == len(geometry):
        return geometry
    return np.array([shapely.union_all(geometry[m]) for m in sorted(groups.values(), key=min)],
                    dtype=object)


def _iou(inside: float, total: float, target: float) -> float:
    union = target + total - inside
    return inside / union if union > 0 else 0.0


def _connected(chosen: set[int], neighbours: list[set[int]]) -> bool:
    if not chosen:
        return False
    start = next(iter(chosen))
    seen, todo = {start}, [start]
    while todo:
        for n in neighbours[todo.pop()] & chosen:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return len(seen) == len(chosen)


def _components(chosen: set[int], neighbours: list[set[int]]) -> list[set[int]]:
    left, found = set(chosen), []
    while left:
        start = left.pop()
        part, todo = {start}, [start]
        while todo:
            for n in neighbours[todo.pop()] & left:
                left.discard(n)
                part.add(n)
                todo.append(n)
        found.append(part)
    return found


def _bridge(chosen: set[int], goal: set[int], cost: NDArray[np.float64],
            neighbours: list[set[int]]) -> list[int] | None:
    """The blocks outside both sets joining ``chosen`` to ``goal`` that add the least area
    outside the target (Dijkstra over blocks), or None when nothing joins them."""
    best: dict[int, float] = {}
    came: dict[int, int] = {}
    heap: list[tuple[float, int]] = []
    for s in chosen:
        for n in neighbours[s] - chosen:
            step = 0.0 if n in goal else float(cost[n])
            if step < best.get(n, np.inf):
                best[n] = step
                came[n] = -1
                heapq.heappush(heap, (step, n))
    while heap:
        d, node = heapq.heappop(heap)
        if d > best.get(node, np.inf):
            continue
        if node in goal:
            path = []
            while came[node] != -1:
                node = came[node]
                path.append(node)
            return path
        for n in neighbours[node] - chosen:
            step = d + (0.0 if n in goal else float(cost[n]))
            if step < best.get(n, np.inf):
                best[n] = step
                came[n] = node
                heapq.heappush(heap, (step, n))
    return None


def choose_blocks(inside: NDArray[np.float64], area: NDArray[np.float64],
                  neighbours: list[set[int]], target: float) -> set[int]:
    """The edge-connected set of blocks whose union overlaps a target of area ``target`` best.

    ``inside[i]`` is block i's area within the target, ``area[i]`` its whole area. Start from
    the blocks mostly inside (or the one most inside), join the other groups of such blocks
    through the blocks that add least outside when that raises the overlap, then add or drop
    one block at a time, keeping the set connected, while the overlap rises.
    """
    if not len(inside) or inside.max() <= 0:
        return set()
    majority = {int(i) for i in np.flatnonzero(inside > 0.5 * area)}
    if not majority:
        majority = {int(np.argmax(inside))}
    parts = sorted(_components(majority, neighbours), key=lambda p: -sum(inside[i] for i in p))
    chosen = set(parts[0])
    cost = area - inside

    def score(blocks: Iterable[int]) -> float:
        members = list(blocks)
        return _iou(float(inside[members].sum()), float(area[members].sum()), target)

    for part in parts[1:]:
        path = _bridge(chosen, part, cost, neighbours)
        if path is not None and score(chosen | part | set(path)) > score(chosen) + _GAIN:
            chosen |= part | set(path)
    current = score(chosen)
    while True:
        moves: list[tuple[float, int, bool]] = []
        total_in, total = float(inside[list(chosen)].sum()), float(area[list(chosen)].sum())
        frontier = {n for c in chosen for n in neighbours[c]} - chosen
        for n in frontier:
            moves.append((_iou(total_in + inside[n], total + area[n], target), n, True))
        if len(chosen) > 1:
            for c in chosen:
                moves.append((_iou(total_in - inside[c], total - area[c], target), c, False))
        moves.sort(key=lambda m: (-m[0], m[1]))
        improved = False
        for value, block, add in moves:
            if value <= current + _GAIN:
                break
            if add or _connected(chosen - {block}, neighbours):
                chosen = chosen | {block} if add else chosen - {block}
                current, improved = value, True
                break
        if not improved:
            return chosen


def compose(blocks: Blocks, chosen: Iterable[int]) -> BaseGeometry:
    """The union of the chosen blocks (by position in :func:`town_blocks`)."""
    members = sorted(set(chosen))
    return shapely.union_all(blocks.geometry[members]) if members else shapely.Polygon()


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of ``geom``, made valid (a failing proposal may be self-crossing)."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    fixed = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
    for part in shapely.get_parts(fixed):
        if part.geom_type == "GeometryCollection":
            parts.extend(p for p in shapely.get_parts(part) if p.geom_type == "Polygon")
    return shapely.union_all(parts) if parts else shapely.Polygon()


@exclusive
def suggest(proposal: Proposal, ctx: Context) -> Suggestion:
    """The union of blocks closest to ``proposal`` that passes B2, B3 and B6.

    Raises
    ------
    InputError
        The proposal covers no area of the town's blocks, so there is nothing to suggest.
    """
    original = _polygonal(proposal.to_crs(ctx.crs))
    blocks = town_blocks(ctx)
    inside = np.zeros(len(blocks))
    if not original.is_empty and len(blocks):
        tree = ctx.cached("suggest:tree", lambda: shapely.STRtree(blocks.geometry))
        near = tree.query(original, predicate="intersects")
        inside[near] = shapely.area(shapely.intersection(blocks.geometry[near], original))
    chosen = choose_blocks(inside, blocks.area, blocks.neighbours, float(original.area))
    if not chosen:
        raise InputError(message_key="suggest_outside_town", params={"name": proposal.name})
    geometry = compose(blocks, chosen)
    back = geometry
    if proposal.crs != ctx.crs:
        back = reproject(geometry, ctx.crs, proposal.crs)
    suggested = Proposal(name=proposal.name, type=proposal.type, geometry=back, crs=proposal.crs,
                         raw_type=proposal.raw_type)
    errors = tuple(f for rule in KEPT_RULES for f in CHECKS[rule].check(suggested, ctx).findings
                   if f.severity == ERROR)
    return Suggestion(proposal=suggested, original=original, geometry=geometry,
                      blocks=tuple(sorted(chosen)), crs=ctx.crs, errors=errors)
