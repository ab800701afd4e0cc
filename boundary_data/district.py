"""A synthetic district: a square grid of road blocks, one industrial community per block.

``build_district(side, seed=...)`` lays ``side`` × ``side`` blocks of :data:`BLOCK` metres on a
road grid (EPSG:4549, origin x=600 000, y=3 300 000; every fifth road an arterial), groups
them into villages of 6 × 6 blocks, fills each block with enterprise plots, their buildings
and industrial land, and draws one community per block. Some communities are planted with
flaws, chosen by the seed: reaching into the next block to the east (an overlap between two
communities, and a boundary off the road), a bad name, too many employees, or an edge pulled
back from the road on a village's west side (a gap sliver left in the village west of it). The
same seed draws the same district.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, box

__all__ = ["BLOCK", "CRS", "OVERLAP_M", "District", "build_district"]

CRS = "EPSG:4549"
ORIGIN = (600_000.0, 3_300_000.0)
BLOCK = 250.0  # metres between road centrelines
VILLAGE = 6  # blocks per village side
OVERLAP_M = 30.0  # how far an overlapping community reaches into the block east of it
GAP_M = 3.0  # how far a gapped community's west edge is pulled back from the road
PLOTS = 4  # enterprise plots per block (2 × 2)


@dataclass(frozen=True)
class District:
    """The context layers, the communities, and which communities were planted with what."""

    layers: dict[str, gpd.GeoDataFrame]
    communities: gpd.GeoDataFrame
    overlapping: tuple[tuple[str, str], ...]  # (community, the one east of it it reaches into)
    bad_names: tuple[str, ...]
    oversize: tuple[str, ...]
    gapped: tuple[str, ...]


def _frame(columns: dict[str, list[object]], geoms: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=CRS)


def _roads(side: int) -> gpd.GeoDataFrame:
    x0, y0 = ORIGIN
    extent = side * BLOCK
    lines, classes, names = [], [], []
    for i in range(side + 1):
        arterial = i % 5 == 0
        at = i * BLOCK
        for axis, line in (("x", LineString([(x0 + at, y0), (x0 + at, y0 + extent)])),
                           ("y", LineString([(x0, y0 + at), (x0 + extent, y0 + at)]))):
            lines.append(line)
            classes.append("arterial" if arterial else "branch")
            names.append(f"{'经' if axis == 'x' else '纬'}{i + 1}路")
    return _frame({"name": names, "class": classes,
                   "width_m": [26.0 if c == "arterial" else 9.0 for c in classes]}, lines)


def _villages(side: int) -> gpd.GeoDataFrame:
    x0, y0 = ORIGIN
    count = -(-side // VILLAGE)
    names, codes, geoms = [], [], []
    for row in range(count):
        for col in range(count):
            number = row * count + col + 1
            names.append(f"第{number}村")
            codes.append(f"330211901{number:03d}")
            geoms.append(box(x0 + col * VILLAGE * BLOCK, y0 + row * VILLAGE * BLOCK,
                             x0 + min((col + 1) * VILLAGE, side) * BLOCK,
                             y0 + min((row + 1) * VILLAGE, side) * BLOCK))
    return _frame({"name": names, "code": codes, "kind": ["village"] * len(names)}, geoms)


def build_district(side: int, *, seed: int = 20260630) -> District:
    """A district of ``side`` × ``side`` road blocks, one community per block (see module)."""
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    cells = [(row, col) for row in range(side) for col in range(side)]
    flaw = rng.choice(["", "overlap", "name", "oversize", "gap"], size=len(cells),
                      p=[0.86, 0.03, 0.03, 0.03, 0.05])
    plots: dict[str, list[object]] = {"name": [], "uscc": [], "employees": [], "industry": [],
                                      "kind": []}
    plot_geoms, houses, house_geoms, land = [], {"name": [], "use": [], "floors": [],
                                                  "floor_area_m2": []}, [], []
    names, types, codes, geoms = [], [], [], []
    overlapping: list[int] = []
    bad_names, oversize, gapped = [], [], []
    for k, (row, col) in enumerate(cells):
        west, south = x0 + col * BLOCK, y0 + row * BLOCK
        block = box(west, south, west + BLOCK, south + BLOCK)
        land.append(block.buffer(-8.0, join_style="mitre"))
        staff = rng.integers(500, 900, size=PLOTS) * (3 if flaw[k] == "oversize" else 1)
        half = BLOCK / 2
        for p in range(PLOTS):
            px, py = west + (p % 2) * half, south + (p // 2) * half
            plot = box(px + 15, py + 15, px + half - 15, py + half - 15)
            number = k * PLOTS + p + 1
            plots["name"].append(f"甬川{number}号制造有限公司")
            plots["uscc"].append(None)
            plots["employees"].append(int(staff[p]))
            plots["industry"].append("通用设备制造业")
            plots["kind"].append("enterprise")
            plot_geoms.append(plot)
            houses["name"].append(f"甬川{number}号厂房")
            houses["use"].append("industrial")
            houses["floors"].append(2)
            houses["floor_area_m2"].append(2 * (half - 50) ** 2)
            house_geoms.append(plot.buffer(-10.0, join_style="mitre"))
        name = f"甬川{k + 1}工业社区"
        shape = block
        if flaw[k] == "overlap" and col + 1 < side:
            shape = box(west, south, west + BLOCK + OVERLAP_M, south + BLOCK)
            overlapping.append(k)
        elif flaw[k] == "name":
            name = f"甬川{k + 1}号片区"
            bad_names.append(name)
        elif flaw[k] == "oversize":
            oversize.append(name)
        elif flaw[k] == "gap" and col % VILLAGE == 0 and col > 0:
            shape = box(west + GAP_M, south, west + BLOCK, south + BLOCK)
            gapped.append(name)
        names.append(name)
        types.append("工业社区")
        codes.append(f"330211950{k + 1:04d}")
        geoms.append(shape)
    extent = box(x0, y0, x0 + side * BLOCK, y0 + side * BLOCK)
    villages = _villages(side)
    layers = {
        "jurisdiction": _frame({"name": ["甬川街道"], "code": ["330211950"]}, [extent]),
        "neighbours": villages,
        "roads": _roads(side),
        "parcels": _frame(plots, plot_geoms),
        "buildings": _frame(houses, house_geoms),
        "landuse": _frame({"class": ["industrial"] * len(land)}, land),
    }
    communities = _frame({"name": names, "type": types, "code": codes}, geoms)
    pairs = tuple((names[k], names[k + 1]) for k in overlapping)
    return District(layers=layers, communities=communities, overlapping=pairs,
                    bad_names=tuple(bad_names), oversize=tuple(oversize), gapped=tuple(gapped))
