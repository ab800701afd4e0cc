"""Build the demo town near Zhenhai, Ningbo, deterministically, and write it as GeoPackages."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon

from boundary_data.demo_town.blocks import adjacency, corridors, union_of, zone_blocks
from boundary_data.demo_town.frame import build_frame
from boundary_data.demo_town.holdings import (
    Parcel,
    buildings_of_parcel,
    houses_of_block,
    parcels_of_block,
)
from boundary_data.demo_town.names import NamePool
from boundary_data.demo_town.proposals import BlockPlan, draw_proposals, plan_block_sets
from boundary_data.demo_town.villages import grow_villages, keep_remnants_whole, stranded

__all__ = ["CENTRE_LONLAT", "CONTEXT_LAYERS", "CRS", "SEED", "DemoTown", "build_demo_town"]

log = logging.getLogger(__name__)

SEED = 20221215  # the day the Zhenhai guideline (001) was issued
CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E (zone 40)
CENTRE_LONLAT = (121.6, 29.95)
TOWN_NAME, TOWN_CODE = "澥川街道", "330211102"
VILLAGES = 16
REMNANT_MIN_M2 = 20_000.0
CONTEXT_LAYERS = ("jurisdiction", "neighbours", "roads", "water", "terrain", "landuse",
                  "parcels", "buildings")
# employees of the enterprises each proposal is drawn around; the town has about 20,500
EMPLOYEES = {"good_industrial": 3_150, "oversize_extra": 4_200, "good_building": 3_400,
             "irregular": 2_600, "town": 20_500}


@dataclass(frozen=True)
class DemoTown:
    """The context layers and the proposals, each a GeoDataFrame in EPSG:4549."""

    layers: dict[str, gpd.GeoDataFrame]
    proposals: dict[str, gpd.GeoDataFrame]


def _calibrate(parcels: list[Parcel], plan: BlockPlan) -> None:
    """Scale drawn employee counts so each proposal's enterprises add up to its design figure."""
    staffed = [p for p in parcels if p.kind in ("enterprise", "park")]
    groups = [
        (plan.good_industrial, EMPLOYEES["good_industrial"]),
        (plan.oversize - plan.good_industrial, EMPLOYEES["oversize_extra"]),
        (plan.good_building, EMPLOYEES["good_building"]),
        (plan.irregular, EMPLOYEES["irregular"]),
    ]
    done: set[int] = set()
    for blocks, total in groups:
        members = [p for p in staffed if p.block in blocks and id(p) not in done]
        _scale(members, total)
        done |= {id(p) for p in members}
    rest = [p for p in staffed if id(p) not in done]
    _scale(rest, EMPLOYEES["town"] - sum(p.employees for p in staffed if id(p) in done))


def _scale(members: list[Parcel], total: int) -> None:
    raw = np.array([p.raw_employees for p in members])
    counts = np.maximum(np.floor(raw * total / raw.sum()), 3).astype(int)
    # hand the rounding remainder to the largest employers, so the sum is exact
    for i in np.argsort(-raw, kind="stable")[: max(total - counts.sum(), 0)]:
        counts[i] += 1
    for parcel, count in zip(members, counts, strict=True):
        parcel.employees = int(count)


def _ratios(rng: np.random.Generator, n: int, lo: float, hi: float) -> list[float]:
    return [round(float(v), 3) for v in rng.uniform(lo, hi, n)]


def build_demo_town(seed: int = SEED) -> DemoTown:
    """Generate the whole demo town from ``seed``; the same seed gives the same town."""
    rng = np.random.default_rng(seed)
    names = NamePool(rng)
    frame = build_frame(rng, names)
    blocks = frame.blocks
    adj = adjacency(blocks)
    classes = zone_blocks(frame, rng)
    plan = plan_block_sets(blocks, adj, classes, frame.river, frame.jurisdiction)

    owner = grow_villages(blocks, adj, VILLAGES)
    areas = [b.area for b in blocks]
    for _ in range(12):
        moved = [keep_remnants_whole(owner, adj, areas, s, REMNANT_MIN_M2) for s in plan.all_sets()]
        if not any(moved):
            break
    # the oversize and irregular variants take in what would be stranded, as a town would
    for blocks_of in (plan.oversize, plan.irregular):
        blocks_of |= stranded(owner, adj, areas, blocks_of, REMNANT_MIN_M2)

    road_land, water_land = corridors(frame)
    occupied = shapely.union(road_land, water_land)
    village_names = _village_names(owner, classes, areas, names)
    parcels: list[Parcel] = []
    landuse_rows: list[tuple[str, Polygon]] = []
    houses = []
    for b, block in enumerate(blocks):
        net = shapely.difference(block, occupied)
        pieces = [p for p in shapely.get_parts(net) if p.area >= 800]
        for piece in pieces:
            held = parcels_of_block(piece, b, classes[b], rng, names, park=b in plan.parks)
            parcels.extend(held)
            for parcel in held:
                landuse_rows.append((parcel.landuse, parcel.geometry))
            rest = shapely.difference(piece, shapely.union_all([p.geometry for p in held])) \
                if held else piece
            for part in shapely.get_parts(rest):
                if part.area > 1.0:
                    landuse_rows.append((classes[b], part))
            if classes[b] == "residential":
                houses.extend(houses_of_block(piece, rng, village_names[owner[b]][0]))
        for part in shapely.get_parts(shapely.difference(net, shapely.union_all(pieces))):
            if part.area > 1.0:
                landuse_rows.append(("green", part))
    landuse_rows += [("road", p) for p in shapely.get_parts(road_land)]
    landuse_rows += [("water", p) for p in shapely.get_parts(water_land)]
    _calibrate(parcels, plan)
    for parcel in parcels:
        parcel.buildings = buildings_of_parcel(parcel, rng)

    cut = _parcel_to_cut(parcels, blocks, plan)
    villages = {v: union_of(blocks, [b for b, o in enumerate(owner) if o == v])
                for v in sorted(set(owner))}
    borders = shapely.difference(shapely.union_all([v.boundary for v in villages.values()]),
                                 frame.jurisdiction.exterior.buffer(0.01))
    specs = draw_proposals(blocks, plan, cut.geometry, blocks[cut.block], borders)
    shift = _shift()
    layers = {
        "jurisdiction": _frame([{"name": TOWN_NAME, "code": TOWN_CODE}], [frame.jurisdiction],
                               shift),
        "neighbours": _neighbours(villages, village_names, shift),
        "roads": _roads(frame, shift),
        "water": _frame([{"name": "甬江", "kind": "river", "width_m": 60.0},
                         {"name": "中大河", "kind": "canal", "width_m": 16.0}],
                        [frame.river, frame.canal], shift),
        "terrain": _frame([{"name": "招宝山西脊", "kind": "ridge"},
                           {"name": "招宝山北脊", "kind": "ridge"},
                           {"name": "招宝山山脚线", "kind": "mountain_foot"}],
                          [*frame.ridges, frame.hill.exterior], shift),
        "landuse": _frame([{"class": c} for c, _ in landuse_rows], [g for _, g in landuse_rows],
                          shift, coverage=True),
        "parcels": _parcels(parcels, shift),
        "buildings": _buildings(parcels, houses, rng, shift),
    }
    proposals = {
        s.key: _frame([{"name": s.name, "type": s.type, "custodial_parts": s.custodial_parts,
                        "flaw": s.flaw}], [s.geometry], shift)
        for s in specs
    }
    return DemoTown(layers, proposals)


def _village_names(owner: list[int], classes: list[str], areas: list[float],
                   names: NamePool) -> dict[int, tuple[str, str]]:
    rural = {"farmland_protected", "residential", "ecological_redline", "green"}
    result = {}
    for v in sorted(set(owner)):
        share = Counter()
        for b, o in enumerate(owner):
            if o == v:
                share["rural" if classes[b] in rural else "urban"] += areas[b]
        kind = "village" if share["rural"] > share["urban"] else "community"
        result[v] = (names.place("村" if kind == "village" else "社区"), kind)
    return result


def _parcel_to_cut(parcels: list[Parcel], blocks: list[Polygon], plan: BlockPlan) -> Parcel:
    """The enterprise parcel across a road from the good proposal that the B6 variant cuts."""
    good = union_of(blocks, plan.good_industrial)
    facing = [p for p in parcels if p.kind == "enterprise" and p.block not in plan.good_industrial
              and p.block not in plan.tract and shapely.distance(p.geometry, good) < 20
              and 8_000 < p.geometry.area < 30_000
              and shapely.length(shapely.intersection(blocks[p.block].boundary,
                                                      good.boundary)) > 80]
    return min(facing, key=lambda p: (shapely.distance(p.geometry, good), p.geometry.area))


def _shift():
    x0, y0 = Transformer.from_crs("EPSG:4490", CRS, always_xy=True).transform(*CENTRE_LONLAT)
    offset = np.array([round(x0), round(y0)], dtype=float)
    # millimetre coordinates: what the bureau's survey data holds, and stable byte for byte
    return lambda geoms: shapely.transform(geoms, lambda xy: np.round(xy + offset, 3))


def _frame(rows: list[dict], geoms: list, shift, *, coverage: bool = False) -> gpd.GeoDataFrame:
    local = np.array(geoms, dtype=object)
    shifted = shift(local)
    # rounding to millimetres can fold a needle-thin corner: snap just those to the
    # millimetre grid with GEOS, which keeps them valid (the shift is whole metres)
    bad = ~shapely.is_valid(shifted)
    shifted[bad] = shift(shapely.set_precision(local[bad], 0.001))
    if coverage:
        # pieces cut one by one meet only to within floating-point noise; make their
        # shared edges identical so the layer is a clean coverage (no gap, no overlap)
        shifted = shapely.coverage_clean(shifted, snapping_distance=0.01)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=shifted, crs=CRS)


def _neighbours(villages: dict[int, Polygon], village_names, shift) -> gpd.GeoDataFrame:
    """The villages, numbered north to south then west to east, as the bureau codes them."""
    order = sorted(villages, key=lambda v: (-villages[v].centroid.y, villages[v].centroid.x))
    rows = [{"name": village_names[v][0], "code": f"{TOWN_CODE}{201 + n:03d}",
             "kind": village_names[v][1]} for n, v in enumerate(order)]
    return _frame(rows, [villages[v] for v in order], shift)


def _roads(frame, shift) -> gpd.GeoDataFrame:
    sources = np.array([r.geometry for r in frame.roads], dtype=object)
    noded = shapely.get_parts(shapely.union_all(sources))
    tree = shapely.STRtree(sources)
    mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    nearest = tree.query_nearest(mids, return_distance=False)[1]
    rows = [{"name": frame.roads[i].name, "class": frame.roads[i].road_class,
             "width_m": frame.roads[i].width_m} for i in nearest]
    return _frame(rows, list(noded), shift)


def _parcels(parcels: list[Parcel], shift) -> gpd.GeoDataFrame:
    rows = [{"name": p.name, "uscc": p.uscc,
             "employees": p.employees if p.kind in ("enterprise", "park") else 0,
             "industry": p.industry, "kind": p.kind} for p in parcels]
    return _frame(rows, [p.geometry for p in parcels], shift, coverage=True)


def _buildings(parcels: list[Parcel], houses, rng, shift) -> gpd.GeoDataFrame:
    everything = [b for p in parcels for b in p.buildings] + houses
    registered = [b.floor_area_m2 >= 1_000 and b.use != "residential" for b in everything]
    occupancy = _ratios(rng, len(everything), 0.6, 1.0)
    registration = _ratios(rng, len(everything), 0.7, 1.0)
    tax = _ratios(rng, len(everything), 0.0, 0.3)
    rows = [{"name": b.name, "floors": b.floors, "floor_area_m2": b.floor_area_m2, "use": b.use,
             "occupancy": occupancy[i] if registered[i] else None,
             "registration": registration[i] if registered[i] else None,
             "tax_share": tax[i] if registered[i] else None}
            for i, b in enumerate(everything)]
    return _frame(rows, [b.geometry for b in everything], shift)
