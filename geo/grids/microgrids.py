"""Micro-grids (微网格): "一企一格、一园一格、一楼一格" (001 § 二(三)2).

One micro-grid per enterprise parcel and per park; one per building of at least the registry's
floor area (002 § 二(七)2) — for a 楼宇社区 its buildings are its micro-grids. Each carries the
building registry fields (occupancy, registration, tax share); the plan's targets are
city-wide rates, checked on town or street aggregates (:mod:`geo.buildings`), never here.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.grids.codes import nw_to_se_order
from geo.measure import STAFFED

__all__ = ["REGISTRY", "make_microgrids"]

REGISTRY = ("occupancy", "registration", "tax_share")


def _weighted(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna() & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else None


def _parcel_rows(
    geom: BaseGeometry, ctx: Context, large: gpd.GeoDataFrame
) -> list[dict[str, Any]]:
    parcels = ctx.layer("parcels")
    if parcels is None:
        return []
    index = ctx.inside("parcels", geom)
    rows: list[dict[str, Any]] = []
    for i in index[np.isin(parcels["kind"].to_numpy()[index], STAFFED)]:
        shape = parcels.geometry.values[i]
        on_it = large[shapely.within(shapely.point_on_surface(large.geometry.values), shape)]
        row = {"kind": str(parcels["kind"].values[i]), "name": parcels["name"].values[i],
               "uscc": parcels["uscc"].values[i], "employees": parcels["employees"].values[i],
               "floor_area_m2": float(on_it["floor_area_m2"].sum()) if len(on_it) else None,
               "geometry": shape}
        for field in REGISTRY:
            row[field] = _weighted(on_it[field], on_it["floor_area_m2"]) if len(on_it) else None
        rows.append(row)
    return rows


def _polygonal(shapes: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (an intersection may add stray lines or points)."""
    out = shapes.copy()
    for i in np.flatnonzero(shapely.get_type_id(shapes) == 7):  # GeometryCollection
        parts = shapely.get_parts(shapes[i])
        out[i] = shapely.union_all(parts[np.isin(shapely.get_type_id(parts), (3, 6))])
    return out


def make_microgrids(geom: BaseGeometry, ctx: Context, community_type: str,
                    grids: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Micro-grids inside ``geom``, each coded within the grid that holds it."""
    rules = ctx.rules.microgrid
    buildings = ctx.layer("buildings")
    large = gpd.GeoDataFrame(geometry=[], crs=ctx.crs)
    if buildings is not None:
        chosen = buildings.iloc[ctx.inside("buildings", geom)]
        large = chosen[chosen["floor_area_m2"] >= rules.building_floor_area_min_m2]
    rows = _parcel_rows(geom, ctx, large)
    if community_type == "building":
        # a 楼宇社区's micro-grids are its buildings: a plot holding registered buildings is
        # covered by them and is not a second micro-grid over the same floor space
        rows = [r for r in rows if r["floor_area_m2"] is None]
    if len(large):
        held = shapely.union_all([r["geometry"] for r in rows]) if rows else None
        for _, b in large.iterrows():
            # in an industrial community a building on an enterprise's plot is part of that
            # enterprise's micro-grid; in a building community each building is one
            if community_type != "building" and held is not None and held.contains(
                    shapely.point_on_surface(b.geometry)):
                continue
            rows.append({"kind": "building", "name": b["name"], "uscc": None, "employees": None,
                         "floor_area_m2": b["floor_area_m2"], "geometry": b.geometry,
                         **{f: b[f] for f in REGISTRY}})
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["kind", "name", "uscc", "employees",
                                                         "floor_area_m2", *REGISTRY, "geometry"]),
                             geometry="geometry", crs=ctx.crs)
    # a plot or building reaching past the community's edge is its micro-grid only inside it
    frame = frame.set_geometry(_polygonal(shapely.intersection(frame.geometry.values, geom)),
                               crs=ctx.crs)
    points = shapely.point_on_surface(frame.geometry.values)
    owner = np.full(len(frame), -1)
    pos, grid_pos = shapely.STRtree(grids.geometry.values).query(points, predicate="within")
    owner[pos] = grid_pos
    frame["grid"] = [grids["code"].values[g] if g >= 0 else None for g in owner]
    codes: list[str | None] = [None] * len(frame)
    for g in sorted(set(owner[owner >= 0])):
        members = np.flatnonzero(owner == g)
        for seq, m in enumerate(nw_to_se_order(points[members]), start=1):
            codes[members[m]] = f"{grids['code'].values[g]}{seq:03d}"
    frame.insert(0, "code", codes)
    return frame
