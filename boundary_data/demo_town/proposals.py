"""The demo proposals: two good communities and one flawed variant per rule.

Each proposal is drawn the way a town would draw it: a set of whole road blocks, then, for
the flawed variants, exactly one thing done wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box
from shapely.ops import linemerge, substring

from boundary_data.demo_town import mathfn as fm
from boundary_data.demo_town.blocks import connected, fill_holes, union_of
from boundary_data.demo_town.frame import river_y

__all__ = ["SLIVER_M", "BlockPlan", "ProposalSpec", "draw_proposals", "plan_block_sets"]

GOOD_INDUSTRIAL_CENTRE = (1750.0, 250.0)
GOOD_BUILDING_BOX = (-990.0, -330.0, -290.0, 760.0)  # between arterials and the canal
SLIVER_M = 3.0  # width of the B5 gap and overlap slivers, below the 5 m snap tolerance


@dataclass
class BlockPlan:
    """Which road blocks each proposal is drawn from."""

    good_industrial: set[int]
    good_building: set[int]
    oversize: set[int]
    irregular: set[int]
    detached: int
    tract: set[int]
    pocket: int
    parks: list[int] = field(default_factory=list)

    def all_sets(self) -> list[set[int]]:
        """Every block set a proposal takes whole (its neighbours must stay whole)."""
        return [self.good_industrial, self.good_building, self.oversize, self.irregular,
                self.good_industrial | {self.detached}, self.good_industrial | {self.pocket},
                self.good_industrial | self.tract]


def _grow(blocks: list[Polygon], adj: list[set[int]], allowed: set[int],
          centre: tuple[float, float], area_m2: float) -> list[int]:
    """Blocks taken nearest-first from ``centre`` through adjacency, until ``area_m2``."""
    cxy = np.asarray(centre)
    dist = {b: float(fm.hypot(*(np.asarray(blocks[b].centroid.coords[0]) - cxy))) for b in allowed}
    start = min(allowed, key=lambda b: (dist[b], b))
    taken, total = [start], blocks[start].area
    while total < area_m2:
        frontier = {n for b in taken for n in adj[b] if n in allowed} - set(taken)
        if not frontier:
            break
        nxt = min(frontier, key=lambda b: (dist[b], b))
        taken.append(nxt)
        total += blocks[nxt].area
    return taken


def plan_block_sets(blocks: list[Polygon], adj: list[set[int]], classes: list[str],
                    river: LineString, jurisdiction: Polygon) -> BlockPlan:
    """Choose the block sets and mark the to-be-consolidated tract and the residential pocket.

    ``classes`` is updated in place: the tract becomes to_consolidate, the pocket residential,
    and the blocks of the good building community office or commercial.
    """
    industrial = {b for b, c in enumerate(classes) if c == "industrial"}
    good = fill_holes(blocks, _grow(blocks, adj, industrial, GOOD_INDUSTRIAL_CENTRE, 2.0e6))
    good_poly = union_of(blocks, good)

    # a strip of works along the north bank of the river: long, thin, irregular
    bank = river.buffer(60.0)
    strip = {b for b in industrial - good if shapely.intersects(blocks[b], bank)
             and blocks[b].representative_point().y > river_y(blocks[b].representative_point().x)}
    irregular = connected(strip, adj)[0]

    # land to be consolidated just north of the good community
    gx0, _, gx1, gy1 = good_poly.bounds
    north = box(gx0, gy1 - 250, gx1, gy1 + 600)
    candidates = {b for b in range(len(blocks)) if b not in good | irregular
                  and classes[b] in ("industrial", "vacant", "public", "green")
                  and north.contains(blocks[b].representative_point())}
    tract = next(g for g in connected(candidates, adj) if any(adj[b] & good for b in g))
    for b in tract:
        classes[b] = "to_consolidate"

    spare = industrial - good - irregular - tract
    far = [b for b in spare if 60_000 < blocks[b].area < 200_000
           and 60 < shapely.distance(blocks[b], good_poly) < 700]
    detached = min(far, key=lambda b: (shapely.distance(blocks[b], good_poly), b))
    allowed = (spare - {detached}) | good | tract
    oversize = fill_holes(blocks, _grow(blocks, adj, allowed, GOOD_INDUSTRIAL_CENTRE, 3.6e6))

    # a pocket of village houses beside the good community, outside the oversize variant and
    # joined to the rest of its village by land outside both
    ring = {n for b in good for n in adj[b]} - oversize - tract - irregular
    pocket = min((b for b in ring if 15_000 < blocks[b].area < 120_000),
                 key=lambda b: (not (adj[b] - oversize - tract), blocks[b].area, b))
    classes[pocket] = "residential"

    mask = box(*GOOD_BUILDING_BOX)
    building = {b for b, blk in enumerate(blocks) if mask.contains(blk.representative_point())}
    building = fill_holes(blocks, connected(building, adj)[0])
    for b in building:
        if classes[b] not in ("office", "commercial", "public"):
            classes[b] = "commercial"

    parks_in = sorted((b for b in good if 50_000 < blocks[b].area < 160_000),
                      key=lambda b: (shapely.distance(blocks[b].centroid, good_poly.centroid), b))
    parks_out = sorted(b for b in spare - oversize if 50_000 < blocks[b].area < 160_000)
    return BlockPlan(good, building, oversize, irregular, detached, tract, pocket,
                     parks=[parks_in[0], parks_out[len(parks_out) // 2]])


@dataclass(frozen=True)
class ProposalSpec:
    """One demo proposal as written to ``proposals/<key>.gpkg``."""

    key: str
    name: str
    type: str  # industrial (工业社区) or building (楼宇社区)
    geometry: Polygon | MultiPolygon
    flaw: str  # what is wrong with it, in the reviewer's words, or "" for a good one
    custodial_parts: str | None = None


def _shared_stretch(good: Polygon, village_borders, length_m: float) -> LineString:
    """The middle ``length_m`` of the longest stretch of the proposal on a village border."""
    shared = shapely.intersection(good.boundary, village_borders)
    lines = [p for p in shapely.get_parts(linemerge(shapely.get_parts(shared)))
             if isinstance(p, LineString)]
    longest = max(lines, key=lambda line: (round(line.length, 3), line.wkb))
    start = (longest.length - length_m) / 2
    return substring(longest, start, start + length_m)


def _half_of(poly: Polygon, good: Polygon) -> Polygon:
    """The part of ``poly`` on ``good``'s side of a straight line across its bounding box."""
    x0, y0, x1, y1 = poly.bounds
    cut = Polygon([(x0 - 1, y1 + 1e4), (x0 - 1, y1), (x1 + 1, y0), (x1 + 1, y1 + 1e4)])
    pieces = [shapely.intersection(poly, cut), shapely.difference(poly, cut)]
    return max(pieces,
               key=lambda p: shapely.length(shapely.intersection(p.boundary, good.boundary)))


def draw_proposals(blocks: list[Polygon], plan: BlockPlan, cut_parcel: Polygon,
                   block_of_cut_parcel: Polygon, village_borders) -> list[ProposalSpec]:
    """The demo proposals.

    ``cut_parcel`` is the enterprise parcel the B6 variant cuts; ``village_borders`` are the
    lines between villages (not the town's border), along which the B5 variants miss by 3 m.
    """
    good = union_of(blocks, plan.good_industrial)
    building = union_of(blocks, plan.good_building)
    stretch = _shared_stretch(good, village_borders, 360.0)
    strip = stretch.buffer(SLIVER_M, cap_style="flat")
    tract = union_of(blocks, plan.tract)
    depth = shapely.distance(cut_parcel, good) + 0.5 * np.sqrt(cut_parcel.area)
    # one overlay, so the edges the proposal shares with the block stay exactly shared
    bitten = shapely.intersection(good.buffer(depth, join_style="mitre"),
                                  shapely.union(good, block_of_cut_parcel))
    detached = blocks[plan.detached]
    industrial, office = "industrial", "building"
    return [
        ProposalSpec("good_industrial", "澥川新材料工业社区", industrial, good, ""),
        ProposalSpec("good_building", "澥川商务楼宇社区", office, building, ""),
        ProposalSpec("good_custodial_enclave", "澥川新材料工业社区", industrial,
                     shapely.union(good, detached), "",
                     custodial_parts='[{"part": 2, "reason": "飞地企业暂由本社区托管"}]'),
        ProposalSpec("flaw_b2_disjoint", "澥川新材料工业社区", industrial,
                     shapely.union(good, detached), "B2: a detached block, not declared custodial"),
        ProposalSpec("flaw_b3_offroad_edge", "澥川新材料工业社区", industrial,
                     _largest(shapely.union(good, _half_of(tract, good))),
                     "B3: the north edge cuts straight across land to be consolidated"),
        ProposalSpec("flaw_b4_irregular", "澥川北岸工业社区", industrial,
                     union_of(blocks, plan.irregular), "B4: an L-shaped strip along the border"),
        ProposalSpec("flaw_b5_gap", "澥川新材料工业社区", industrial,
                     shapely.difference(good, strip), f"B5: a {SLIVER_M:g} m gap along a road"),
        ProposalSpec("flaw_b5_overlap", "澥川新材料工业社区", industrial,
                     shapely.union(good, strip), f"B5: a {SLIVER_M:g} m overlap across a road"),
        ProposalSpec("flaw_b6_cut_parcel", "澥川新材料工业社区", industrial,
                     _largest(bitten), "B6: the edge cuts an enterprise's plot"),
        ProposalSpec("flaw_b7_not_industrial", "澥川商务工业社区", industrial, building,
                     "B7: an industrial community drawn over offices and shops"),
        ProposalSpec("flaw_b8_oversize", "澥川新材料工业社区", industrial,
                     union_of(blocks, plan.oversize), "B8: more employees than the maximum M"),
        ProposalSpec("flaw_b9_bad_name", "澥川新材料产业园", industrial, good,
                     "B9: the name does not end in 工业社区"),
        ProposalSpec("flaw_b10_residents", "澥川新材料工业社区", industrial,
                     shapely.union(good, blocks[plan.pocket]),
                     "B10: takes in a residential pocket"),
    ]


def _largest(geom) -> Polygon:
    return max(shapely.get_parts(geom), key=lambda p: p.area)
