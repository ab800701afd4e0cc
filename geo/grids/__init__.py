"""Grids (网格) and micro-grids (微网格) of a community, 001 § 二(三)2.

Grids of about 1,000 employees, or about 1 km², or about 30 enterprises tile the community
exactly along its roads, rivers and ridges; no grid edge cuts an enterprise plot; each grid is
contiguous and within the rules' capacity; micro-grids are one enterprise, park or building each.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from geo.context import Context
from geo.employment import VERIFIED
from geo.grids.codes import grid_codes
from geo.grids.microgrids import make_microgrids
from geo.grids.partition import Capacity, partition
from geo.grids.units import Units, adjacency, cut_units, split_by_parcels
from geo.i18n import N_
from geo.measure import polsby_popper
from geo.proposal import Proposal
from geo.validate.validity import valid_geometry

__all__ = ["Capacity", "GridPlan", "capacity_of", "make_grids", "partition",
           "provisional_community_code"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GridPlan:
    """Grids and micro-grids of one community, in the context's CRS."""

    grids: gpd.GeoDataFrame
    microgrids: gpd.GeoDataFrame
    units: int
    notes: list[str] = field(default_factory=list)  # message ids (geo.i18n.t)



def capacity_of(ctx: Context, *, employees_known: bool) -> Capacity:
    """The caps of one grid: each target times the rules' capacity factor."""
    g = ctx.rules.grid
    return Capacity(employees=g.employees_target * g.capacity_factor if employees_known else None,
                    enterprises=g.enterprises_target * g.capacity_factor,
                    area_m2=g.area_target_km2 * 1e6 * g.capacity_factor)


def _loads(units: Units) -> np.ndarray:
    return np.column_stack([units.employees, units.enterprises, units.area])


def _split_oversize(units: Units, ctx: Context, capacity: Capacity) -> Units:
    """Split each unit over capacity that holds several parcels into one piece per parcel."""
    loads = _loads(units)
    caps = np.array([c if c is not None else np.inf for c in
                     (capacity.employees, capacity.enterprises, capacity.area_m2)])
    pieces = []
    changed = False
    for u in range(len(units)):
        if np.any(loads[u] > caps) and len(units.parcels[u]) >= 2:
            # a unit holds parcels only when the context has them
            shapes = ctx.require("parcels").geometry.to_numpy()[units.parcels[u]]
            pieces.extend(split_by_parcels(units.geometry[u], shapes))
            changed = True
        else:
            pieces.append(units.geometry[u])
    if not changed:
        return units
    from geo.grids.units import _tally  # the same tally as for road blocks

    return _tally(pieces, ctx)


def make_grids(proposal: Proposal, ctx: Context, *, community_code: str | None = None) -> GridPlan:
    """Divide the community into grids and micro-grids.

    Raises
    ------
    InputError
        The proposal is not a valid polygon (rule B1); it is refused with that finding.
    """
    geom = valid_geometry(proposal, ctx, refused="grids_invalid")
    parcels = ctx.layer("parcels")
    employees_known = parcels is not None and bool(parcels["employees"].fillna(0).gt(0).any())
    notes = [] if employees_known else [N_("no_employees")]
    capacity = capacity_of(ctx, employees_known=employees_known)
    units = _split_oversize(cut_units(geom, ctx), ctx, capacity)
    points = shapely.point_on_surface(units.geometry)
    grid_of, oversize = partition(_loads(units), capacity, shapely.get_coordinates(points),
                                  adjacency(units.geometry))
    if oversize.any():
        notes.append(N_("oversize_unit"))
    rows, shapes = [], []
    for g in range(int(grid_of.max()) + 1 if len(grid_of) else 0):
        members = np.flatnonzero(grid_of == g)
        shape = shapely.union_all(units.geometry[members])
        shapes.append(shape)
        rows.append({"employees": round(units.employees[members].sum()),
                     "enterprises": int(units.enterprises[members].sum()),
                     "area_m2": float(shape.area), "units": len(members),
                     "polsby_popper": polsby_popper(shape),
                     "capacity_use": _use(units, members, capacity),
                     "oversize": bool(oversize[members].any())})
    grids = gpd.GeoDataFrame(rows, geometry=shapes, crs=ctx.crs)
    if ctx.has_verified:  # only said when verified figures were imported (001 § 三(一))
        grids.insert(1, "employees_verified", _verified(units, grid_of, ctx))
    code = community_code or provisional_community_code(ctx)
    grids.insert(0, "code", grid_codes(code, shapely.point_on_surface(grids.geometry.values)))
    grids = grids.sort_values("code").reset_index(drop=True)
    for role in ctx.rules.grid.roles:
        grids[role] = None  # 1+3+N: filled in by the API when people are appointed
    micro = make_microgrids(geom, ctx, proposal.type, grids)
    log.info("%s: %d units, %d grids, %d micro-grids", proposal.name, len(units), len(grids),
             len(micro))
    return GridPlan(grids, micro, len(units), notes)


def _verified(units: Units, grid_of: np.ndarray, ctx: Context) -> list[int]:
    """Each grid's employees counted from verified figures."""
    parcels = ctx.require("parcels")
    verified = parcels[VERIFIED].to_numpy(bool)
    staff = np.nan_to_num(parcels["employees"].to_numpy(float, na_value=np.nan))
    totals = []
    for g in range(int(grid_of.max()) + 1 if len(grid_of) else 0):
        rows = [units.parcels[u] for u in np.flatnonzero(grid_of == g)]
        members = np.concatenate(rows) if rows else np.empty(0, dtype=np.intp)
        totals.append(round(float(staff[members][verified[members]].sum())))
    return totals


def _use(units: Units, members: np.ndarray, capacity: Capacity) -> float:
    totals = (units.employees[members].sum(), units.enterprises[members].sum(),
              units.area[members].sum())
    caps = (capacity.employees, capacity.enterprises, capacity.area_m2)
    return float(max(t / c for t, c in zip(totals, caps, strict=True) if c))


def provisional_community_code(ctx: Context) -> str:
    """A provisional community code: the town's code and 900 (until one is assigned)."""
    jurisdiction = ctx.layer("jurisdiction")
    town = str(jurisdiction["code"].iloc[0]) if jurisdiction is not None and \
        jurisdiction["code"].notna().any() else "000000000"
    return f"{town}900"
