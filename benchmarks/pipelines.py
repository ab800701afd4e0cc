"""Validation written without sijie, as baselines for ``benchmarks/validate.py``.

The same checks as rules B1–B10 with the same default numbers (sijie's ``Rules()``), written
with geopandas and shapely as a GIS engineer would, each returning the set of rules a proposal
breaks (error or warning):

* **naive**: everything from scratch for each proposal: the roads buffered by width/2 + 5 m,
  rivers, ridges and the town border buffered, all dissolved into one zone; the proposal
  overlaid with every neighbour; the parcels, buildings and land use overlaid with it.
* **competent**: the town-wide work done once (:func:`prepare`: the buffers merged into one
  prepared zone, the jurisdiction dissolved, every layer's spatial index built), then for each
  proposal only the features its spatial index finds are overlaid, and the merged zone is
  clipped to the proposal's box before the boundary is differenced with it.

Run as a fresh process (what a scripted pipeline costs from the shell, imports and reading
included): ``python benchmarks/pipelines.py naive|competent CONTEXT.gpkg PROPOSAL.gpkg`` prints
the broken rules as a JSON list.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.rules import Rules

__all__ = ["Prepared", "competent_validate", "naive_validate", "prepare", "read_layers"]

RULES = Rules()
STAFFED = ["enterprise", "park"]
LAYERS = ("jurisdiction", "neighbours", "roads", "water", "terrain", "parcels", "buildings",
          "landuse")


def read_layers(path: str) -> dict[str, gpd.GeoDataFrame]:
    """The context layers as ``geopandas.read_file`` gives them."""
    return {name: gpd.read_file(path, layer=name, engine="pyogrio") for name in LAYERS}


def _slivers(frame: gpd.GeoDataFrame, width: float) -> gpd.GeoSeries:
    """Strips narrower than ``width`` in each geometry: what an opening by width/2 removes."""
    opened = frame.buffer(-width / 2, join_style="mitre").buffer(width / 2, join_style="mitre")
    rest = frame.geometry.difference(opened).explode(index_parts=False)
    rest = rest[rest.geom_type == "Polygon"]
    return rest[(rest.area >= width * width) & (2 * rest.area / rest.length < width)]


def _zones(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoSeries:
    b = RULES.boundary
    roads = layers["roads"]
    width = roads["width_m"].fillna(roads["class"].map(b.road_width_default_m))
    return pd.concat([roads.buffer(width / 2 + b.road_tolerance_margin_m),
                      layers["water"].buffer(b.water_tolerance_m),
                      layers["terrain"].buffer(b.terrain_tolerance_m),
                      layers["jurisdiction"].boundary.buffer(b.border_tolerance_m)])


def _head(proposal: gpd.GeoDataFrame) -> tuple[set[str], str, BaseGeometry | None]:
    """B9 and B1/B2 facts: the flags so far, the community kind and its geometry."""
    b = RULES.boundary
    row, geom = proposal.iloc[0], proposal.geometry.iloc[0]
    kind = "building" if row["type"] in ("building", "楼宇社区") else "industrial"
    suffix = RULES.naming.building_suffix if kind == "building" else RULES.naming.industrial_suffix
    flags = set() if str(row["name"]).endswith(suffix) else {"B9"}
    if geom is None or geom.is_empty or not geom.is_valid:
        return flags | {"B1"}, kind, None
    custodial = row.get("custodial_parts")
    declared = len(json.loads(custodial)) if isinstance(custodial, str) and custodial else 0
    if len(proposal.explode(index_parts=False)) > 1 + declared:
        flags.add("B2")
    if (4 * math.pi * geom.area / geom.length**2 < b.polsby_popper_min
            or geom.area / geom.convex_hull.area < b.hull_ratio_min):
        flags.add("B4")
    return flags, kind, geom


def _loose_flag(loose: BaseGeometry, geom: BaseGeometry) -> bool:
    b = RULES.boundary
    parts = shapely.get_parts(shapely.line_merge(loose)) if not loose.is_empty else []
    return (loose.length / geom.length > 1 - b.edge_share_min
            or any(p.length >= b.uncovered_stretch_min_m for p in parts))


def _scale_flag(employees: float) -> bool:
    s = RULES.scale
    employees = round(employees)
    return employees > s.employees_max or abs(employees - s.employees_target) > \
        s.target_tolerance * s.employees_target


def _character_flag(area: pd.Series, kind: str) -> bool:
    wanted = ["office", "commercial"] if kind == "building" else ["industrial"]
    total = area.drop(["road", "water"], errors="ignore").sum()
    return bool(total == 0 or area.reindex(wanted).fillna(0).sum() / total
                < RULES.boundary.industrial_share_min)


def _cut_shares(holdings: gpd.GeoDataFrame, proposal: gpd.GeoDataFrame) -> pd.Series:
    """Share of each holding meeting the proposal that lies inside it (overlay)."""
    holdings = holdings.assign(whole_m2=holdings.area, hid=range(len(holdings)))
    near = gpd.sjoin(holdings, proposal[["geometry"]], predicate="intersects").drop(
        columns="index_right")
    inside = gpd.overlay(near, proposal[["geometry"]], how="intersection", keep_geom_type=True)
    return inside.area.groupby(inside["hid"]).sum() / inside.groupby("hid")["whole_m2"].first()


def naive_validate(frame: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]) -> set[str]:
    """The rules (B1–B10) a proposal breaks, error or warning, computed from scratch."""
    b = RULES.boundary
    proposal = frame.to_crs(layers["neighbours"].crs)
    flags, kind, geom = _head(proposal)
    if geom is None:
        return flags
    followed = gpd.GeoDataFrame(geometry=_zones(layers)).dissolve().geometry.iloc[0]
    if _loose_flag(proposal.boundary.iloc[0].difference(followed), geom):
        flags.add("B3")
    neighbours = layers["neighbours"]
    taken = gpd.overlay(neighbours, proposal[["geometry"]], how="intersection")
    touched = neighbours[neighbours["name"].isin(taken.loc[taken.area > 0.01, "name"])]
    left = gpd.overlay(touched, proposal[["geometry"]], how="difference")
    outside = proposal.difference(layers["jurisdiction"].dissolve().geometry.iloc[0]).area.sum()
    if (len(_slivers(taken, b.snap_tolerance_m)) or len(_slivers(left, b.snap_tolerance_m))
            or outside >= 1.0):
        flags.add("B5")
    parcels = layers["parcels"]
    staffed = parcels[parcels["kind"].isin(STAFFED)]
    for holdings in (staffed, layers["buildings"]):
        share = _cut_shares(holdings, proposal)
        if ((share > b.cut_share_min) & (share < 1 - b.cut_share_min)).any():
            flags.add("B6")
    land = gpd.overlay(layers["landuse"], proposal[["geometry"]], how="intersection")
    area = land.assign(m2=land.area).groupby("class")["m2"].sum()
    if _character_flag(area, kind):
        flags.add("B7")
    share = _cut_shares(staffed, proposal)
    if _scale_flag(float((staffed["employees"].iloc[share.index] * share.values).sum())):
        flags.add("B8")
    homes = layers["buildings"][layers["buildings"]["use"] == "residential"]
    if area.get("residential", 0.0) >= 1.0 or homes.representative_point().within(geom).any():
        flags.add("B10")
    return flags


@dataclass(frozen=True)
class Prepared:
    """The town-wide work of the competent pipeline, done once."""

    layers: dict[str, gpd.GeoDataFrame]
    followed: BaseGeometry  # every zone merged, prepared
    town: BaseGeometry  # the jurisdiction dissolved, prepared
    staffed: gpd.GeoDataFrame


def prepare(layers: dict[str, gpd.GeoDataFrame]) -> Prepared:
    """Merge the buffers once, dissolve the town once, build every layer's spatial index."""
    followed = shapely.union_all(_zones(layers).values)
    town = layers["jurisdiction"].union_all()
    shapely.prepare(followed)
    shapely.prepare(town)
    parcels = layers["parcels"]
    staffed = parcels[parcels["kind"].isin(STAFFED)].reset_index(drop=True)
    for frame in (*layers.values(), staffed):
        _ = frame.sindex
    return Prepared(layers, followed, town, staffed)


def _near(frame: gpd.GeoDataFrame, geom: BaseGeometry) -> gpd.GeoDataFrame:
    return frame.iloc[np.sort(frame.sindex.query(geom, predicate="intersects"))]


def _shares(holdings: gpd.GeoDataFrame, geom: BaseGeometry) -> np.ndarray:
    return (holdings.geometry.intersection(geom).area / holdings.geometry.area).to_numpy()


def competent_validate(frame: gpd.GeoDataFrame, prep: Prepared) -> set[str]:
    """The rules (B1–B10) a proposal breaks, with the town-wide work of :func:`prepare`."""
    b = RULES.boundary
    layers = prep.layers
    proposal = frame.to_crs(layers["neighbours"].crs)
    flags, kind, geom = _head(proposal)
    if geom is None:
        return flags
    boundary = geom.boundary
    x0, y0, x1, y1 = boundary.bounds
    near = shapely.clip_by_rect(prep.followed, x0 - 1, y0 - 1, x1 + 1, y1 + 1)
    if _loose_flag(boundary.difference(near), geom):
        flags.add("B3")
    neighbours = _near(layers["neighbours"], geom)
    taken = neighbours.assign(geometry=neighbours.geometry.intersection(geom))
    touched = taken.area > 0.01
    left = neighbours[touched].assign(geometry=neighbours[touched].geometry.difference(geom))
    outside = 0.0 if prep.town.covers(geom) else geom.difference(prep.town).area
    if (len(_slivers(taken[touched], b.snap_tolerance_m))
            or len(_slivers(left, b.snap_tolerance_m)) or outside >= 1.0):
        flags.add("B5")
    staffed = _near(prep.staffed, geom)
    for holdings in (staffed, _near(layers["buildings"], boundary)):
        share = _shares(holdings, geom)
        if ((share > b.cut_share_min) & (share < 1 - b.cut_share_min)).any():
            flags.add("B6")
    land = _near(layers["landuse"], geom)
    area = land.geometry.intersection(geom).area.groupby(land["class"]).sum()
    if _character_flag(area, kind):
        flags.add("B7")
    if _scale_flag(float((staffed["employees"] * _shares(staffed, geom)).sum())):
        flags.add("B8")
    homes = _near(layers["buildings"], geom)
    homes = homes[homes["use"] == "residential"]
    if area.get("residential", 0.0) >= 1.0 or homes.representative_point().within(geom).any():
        flags.add("B10")
    return flags


def main(argv: list[str]) -> int:
    """``naive|competent CONTEXT PROPOSAL``: print the broken rules as JSON."""
    warnings.filterwarnings("ignore", message="`keep_geom_type=True` in overlay")
    how, context, proposal = argv
    layers = read_layers(context)
    frame = gpd.read_file(proposal, layer="proposal", engine="pyogrio")
    flags = (naive_validate(frame, layers) if how == "naive"
             else competent_validate(frame, prepare(layers)))
    print(json.dumps(sorted(flags, key=lambda r: int(r[1:]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
