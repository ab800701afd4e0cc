"""Facility land: 3,000–5,000 m² for the community's service facilities (004 第三十条).

``find_sites`` ranks candidate sites inside a community: only qualifying sites (available land,
the rules' size, buildable width, road frontage, room for the programme of 004 第三十二条) are
ranked, nearest to the employees first (employee-weighted distance along the roads), then most
compact. When none qualifies, the best near misses are returned with the checks they fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial.distance import cdist
from shapely.geometry.base import BaseGeometry

from geo.context import Context, exclusive
from geo.facility.candidates import (
    Candidate,
    areas_of,
    available_land,
    cut_to_size,
    other_land,
)
from geo.facility.checks import check_sites, programme_floor_m2
from geo.facility.explain import explain, headline
from geo.measure import STAFFED, polsby_popper_each
from geo.network import RoadNetwork, road_network
from geo.proposal import Proposal
from geo.validate.validity import valid_geometry

__all__ = [
    "FacilityResult",
    "distinct_sites",
    "explain",
    "find_sites",
    "headline",
    "programme_floor_m2",
    "rank_sites",
]


# roads this far outside the community still carry employees to a site inside it
NETWORK_MARGIN_M = 500.0
# near misses: this many times the sites reported are measured in full from each pool
SHORTLIST_FACTOR = 8
# two ranked sites sharing this much land are one alternative, not two
OVERLAP_M2 = 1.0
# straight distances ranked in one array of at most this many site–employee pairs
_PAIRS_AT_ONCE = 4_000_000
# road junctions are placed to the centimetre: a bound is trusted to this margin
_ROUNDING_M = 0.05
# road networks (of the roads near a community) a context keeps
_NETWORKS_KEPT = 8


@dataclass(frozen=True)
class FacilityResult:
    """Ranked qualifying sites, or (when there are none) the nearest misses."""

    sites: gpd.GeoDataFrame
    qualified: bool
    largest_available_m2: float  # the largest whole plot of available land, 0 if there is none

    @property
    def best(self) -> pd.Series | None:
        return self.sites.iloc[0] if len(self.sites) and self.qualified else None


def _employees(
    geom: BaseGeometry, ctx: Context
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """The employees' places inside ``geom``, their numbers and their parcels' positions."""
    parcels = ctx.layer("parcels")
    if parcels is None:
        return np.empty((0, 2)), np.empty(0), np.empty(0, dtype=np.intp)
    points = ctx.cached("points:parcels",
                        lambda: shapely.point_on_surface(parcels.geometry.values))

    def staffed() -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64],
                           shapely.STRtree, BaseGeometry]:
        # the staffed parcels' places, indexed once: a search asks which ``geom`` contains
        positions = np.flatnonzero(np.isin(ctx.column("parcels", "kind"), STAFFED))
        positions = positions[~shapely.is_empty(points[positions])]
        weights = np.nan_to_num(ctx.column("parcels", "employees")[positions]
                                .astype(np.float64))
        return (positions, shapely.get_coordinates(points[positions]), weights,
                shapely.STRtree(points[positions]),
                shapely.box(*shapely.total_bounds(points[positions])))

    positions, places, weights, tree, extent = ctx.cached("facility:staffed_places", staffed)
    if len(places) and shapely.area(extent) > 0 and shapely.contains_properly(geom, extent):
        return places, weights, positions  # every place inside ``geom``: none is asked
    # by the box around ``geom``, then by ``geom`` itself
    near = np.sort(tree.query(geom))
    near = near[shapely.contains_xy(geom, places[near, 0], places[near, 1])]
    return places[near], weights[near], positions[near]


@dataclass(frozen=True)
class _Network:
    """A road network a context keeps, and where each parcel's place joins it (node -1: not
    asked yet), filled in as the parcels are asked for."""

    network: RoadNetwork | None
    node: NDArray[np.intp]
    off: NDArray[np.float64]

    def placed(self, where: NDArray[np.intp], xy: NDArray[np.float64]
               ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """:meth:`RoadNetwork.access` of the places ``xy`` of the parcels at ``where``."""
        missing = self.node[where] < 0
        if self.network is not None and missing.any():
            self.node[where[missing]], self.off[where[missing]] = \
                self.network.access(xy[missing])
        return self.node[where], self.off[where]


def _network(ctx: Context, near: NDArray[np.intp]) -> _Network:
    """The network of the roads at ``near``: the same roads make the same network, so a
    context keeps the last few it made (:data:`_NETWORKS_KEPT`), by their roads."""
    kept: dict[bytes, _Network] = ctx.cached("facility:networks", dict)
    key = np.asarray(near, dtype=np.intp).tobytes()
    if key not in kept:
        while len(kept) >= _NETWORKS_KEPT:
            del kept[next(iter(kept))]
        parcels = ctx.layer("parcels")
        count = 0 if parcels is None else len(parcels)
        kept[key] = _Network(road_network(ctx.shapes("roads")[near]),
                             np.full(count, -1, dtype=np.intp), np.zeros(count))
    return kept[key]


def _straight_means(origins: NDArray[np.float64], xy: NDArray[np.float64],
                    weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """The weighted mean straight distance from each origin to the points."""
    total = weights.sum() if weights.sum() > 0 else 1.0
    result = np.zeros(len(origins))
    if len(xy) == 0:
        return result
    step = max(1, _PAIRS_AT_ONCE // len(xy))
    for first in range(0, len(origins), step):
        apart = cdist(origins[first:first + step], xy)
        result[first:first + step] = apart @ weights / total
    return result


def distinct_sites(frame: gpd.GeoDataFrame, top_n: int) -> gpd.GeoDataFrame:
    """The first ``top_n`` sites of ``frame`` in its order that overlap no site before them
    (two cuts of one plot are one alternative, not two)."""
    shapes = frame.geometry.to_numpy()
    kept: list[int] = []
    for i in range(len(frame)):
        if len(kept) == top_n:
            break
        if not kept or shapely.area(shapely.intersection(shapes[kept], shapes[i])).max() \
                < OVERLAP_M2:
            kept.append(i)
    return frame.iloc[kept]


def rank_sites(frame: gpd.GeoDataFrame, xy: NDArray[np.float64], weights: NDArray[np.float64],
               network: RoadNetwork | None, *, top_n: int,
               placed: tuple[NDArray[np.intp], NDArray[np.float64]] | None = None
               ) -> gpd.GeoDataFrame:
    """Order sites by employee-weighted distance, then compactness.

    Without roads the straight-line distance ranks every site. With roads the first ``top_n``
    distinct sites (:func:`distinct_sites`) are those with the least distance along the
    roads, exactly: the straight distance is never more than the distance along the roads,
    so sites are measured along the roads in order of their straight distance until no site
    left unmeasured can come among them. Measured sites come first, by their distance along
    the roads; the rest follow by their straight distance. ``placed``:
    :meth:`RoadNetwork.access` of ``xy``, when the caller already has it.
    """
    if len(frame) == 0:
        return frame.assign(distance_m=[], distance_kind=[])
    origins = shapely.get_coordinates(shapely.point_on_surface(frame.geometry.values))
    compact = frame["polsby_popper"].to_numpy(float)
    distance = _straight_means(origins, xy, weights)
    order = np.lexsort((-compact, distance))  # nearest first, then most compact
    frame, origins, compact, bound = (frame.iloc[order], origins[order], compact[order],
                                      distance[order])
    if network is None or not len(xy):
        return frame.assign(distance_m=bound, distance_kind="straight")
    along = bound.copy()
    placed = network.access(xy) if placed is None else placed
    measured = 0
    step = max(3 * top_n, 16)
    while measured < len(frame):
        along[measured:measured + step] = network.mean_distances(
            xy, weights, origins[measured:measured + step], placed=placed)
        measured = min(measured + step, len(frame))
        if measured == len(frame):
            break
        first = np.lexsort((-compact[:measured], along[:measured]))
        picked = distinct_sites(frame.iloc[first].assign(distance_m=along[first]), top_n)
        if len(picked) == top_n and bound[measured] > picked["distance_m"].iloc[-1] + _ROUNDING_M:
            break
    first = np.lexsort((-compact[:measured], along[:measured]))
    kinds = np.where(np.arange(len(frame)) < measured, "network", "straight")
    frame = frame.assign(distance_m=along, distance_kind=kinds)
    return pd.concat([frame.iloc[first], frame.iloc[measured:]])


@exclusive  # what the context keeps for later searches is filled in as they go
def find_sites(proposal: Proposal, ctx: Context) -> FacilityResult:
    """Candidate facility sites of the community, ranked; near misses when none qualifies.

    Raises
    ------
    InputError
        The proposal is not a valid polygon (rule B1).
    """
    geom = valid_geometry(proposal, ctx, refused="facility_invalid")
    shapely.prepare(geom)  # asked of every plot and every employee's place
    rules = ctx.rules.facility
    # only plots that can hold a site, or be cut into one, are sites; every plot is looked at
    # again (below) only when there is no site, for the near misses
    plots = available_land(ctx, geom, min_area=rules.land_min_m2)
    candidates = cut_to_size(plots, ctx)
    # the size is the cheapest check: only plots of the right size are measured in full
    areas = areas_of(candidates)
    sized = [c for c, area in zip(candidates, areas, strict=True)
             if rules.land_min_m2 <= area <= rules.land_max_m2]
    frame = _measure(sized, ctx)
    xy, weights, where = _employees(geom, ctx)
    ctx.require("roads")
    near = ctx.query("roads", geom.buffer(NETWORK_MARGIN_M))
    good = frame[frame["failed"] == ""]
    if len(good):
        roads = _network(ctx, near)
        ranked = distinct_sites(rank_sites(good, xy, weights, roads.network, top_n=rules.top_n,
                                           placed=roads.placed(where, xy)),
                                rules.top_n)
        qualified = True
    else:
        plots = available_land(ctx, geom)
        ranked = _near_misses(cut_to_size(plots, ctx), geom, ctx, xy, weights)
        qualified = False
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    largest = float(areas_of(plots).max(initial=0.0))
    return FacilityResult(ranked, qualified, largest)


def _near_misses(candidates: list[Candidate], geom: BaseGeometry, ctx: Context,
                 xy: np.ndarray, weights: np.ndarray) -> gpd.GeoDataFrame:
    """The best sites that fail: available land of about the right size first, then other
    land; only a shortlist by size is measured in full."""
    rules = ctx.rules.facility
    target = (rules.land_min_m2 + rules.land_max_m2) / 2
    shortlist = SHORTLIST_FACTOR * rules.top_n
    others = sorted(other_land(ctx, geom), key=lambda c: abs(c.geometry.area - target))
    pool = sorted(candidates, key=lambda c: abs(c.geometry.area - target))[:shortlist]
    pool += cut_to_size(others[:shortlist], ctx)
    frame = _measure(pool, ctx)
    # available land that misses a number beats any land that is not available at all; among
    # equals (cuts of one target size differ only by rounding) the nearest to the employees
    near = frame.assign(taken=frame["failed"].str.contains("available"),
                        misses=frame["failed"].str.count(",") + (frame["failed"] != ""),
                        off_size=(frame["area_m2"] - target).abs().round(1))
    order = ["taken", "misses", "off_size"]
    ranked = rank_sites(near, xy, weights, None, top_n=rules.top_n)
    ranked = ranked.sort_values(order, kind="stable")
    return distinct_sites(ranked, rules.top_n).drop(columns=order)


_COLUMNS = ["source", "name", "landuse", "area_m2", "available_share", "inscribed_width_m",
            "frontage_m", "frontage_road", "floor_needed_m2", "floor_allowed_m2",
            "footprint_needed_m2", "footprint_allowed_m2", "open_land_m2", "failed",
            "polsby_popper"]


def _measure(candidates: list[Candidate], ctx: Context) -> gpd.GeoDataFrame:
    """One row per candidate: what it measures and the checks it fails."""
    rows = []
    compact = polsby_popper_each(np.array([c.geometry for c in candidates], dtype=object))
    for c, check, pp in zip(candidates, check_sites(candidates, ctx), compact, strict=True):
        name = c.name if isinstance(c.name, str) and c.name else None  # text, or no name
        rows.append({"source": c.source, "name": name, "landuse": c.landuse,
                     **{k: v for k, v in check.__dict__.items() if k != "failed"},
                     "failed": ",".join(check.failed), "polsby_popper": float(pp)})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=_COLUMNS).astype({"name": object}),
                            geometry=[c.geometry for c in candidates], crs=ctx.crs)
