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
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.facility.candidates import Candidate, available_land, cut_to_size, other_land
from geo.facility.checks import check_site, programme_floor_m2
from geo.facility.explain import explain, headline
from geo.measure import STAFFED, polsby_popper
from geo.network import RoadNetwork, road_network
from geo.proposal import Proposal
from geo.validate.validity import valid_geometry

__all__ = [
    "FacilityResult",
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
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    parcels = ctx.layer("parcels")
    if parcels is None:
        return np.empty((0, 2)), np.empty(0)
    index = ctx.query("parcels", geom)
    index = index[np.isin(parcels["kind"].to_numpy()[index], STAFFED)]
    points = shapely.point_on_surface(parcels.geometry.values[index])
    inside = shapely.within(points, geom)
    weights = np.nan_to_num(parcels["employees"].to_numpy()[index][inside].astype(np.float64))
    return shapely.get_coordinates(points[inside]), weights


def rank_sites(frame: gpd.GeoDataFrame, xy: NDArray[np.float64], weights: NDArray[np.float64],
               network: RoadNetwork | None, *, top_n: int) -> gpd.GeoDataFrame:
    """Order qualifying sites by employee-weighted distance, then compactness.

    The straight-line distance ranks every site; the network distance (where there are roads)
    re-ranks the best few, which is where it can change the order.
    """
    if len(frame) == 0:
        return frame.assign(distance_m=[], distance_kind=[])
    origins = shapely.get_coordinates(shapely.point_on_surface(frame.geometry.values))
    total = weights.sum() if weights.sum() > 0 else 1.0
    if len(xy):
        straight = np.array([(np.hypot(*(xy - o).T) * weights).sum() / total for o in origins])
    else:
        straight = np.zeros(len(frame))
    frame = frame.assign(distance_m=straight, distance_kind="straight")
    frame = frame.sort_values(["distance_m", "polsby_popper"], ascending=[True, False],
                              kind="stable")
    if network is not None and len(xy):
        head = frame.index[: 3 * top_n]
        along = [(network.distance_from(xy, tuple(origins[frame.index.get_loc(i)])) * weights).sum()
                 / total for i in head]
        frame.loc[head, "distance_m"] = along
        frame.loc[head, "distance_kind"] = "network"
        frame = pd.concat([frame.loc[head].sort_values(["distance_m", "polsby_popper"],
                                                       ascending=[True, False], kind="stable"),
                           frame.drop(index=head)])
    return frame


def find_sites(proposal: Proposal, ctx: Context) -> FacilityResult:
    """Candidate facility sites of the community, ranked; near misses when none qualifies.

    Raises
    ------
    InputError
        The proposal is not a valid polygon (rule B1).
    """
    geom = valid_geometry(proposal, ctx, refused="facility_invalid")
    rules = ctx.rules.facility
    plots = available_land(ctx, geom)
    candidates = cut_to_size(plots, ctx)
    # the size is the cheapest check: only plots of the right size are measured in full
    sized = [c for c in candidates if rules.land_min_m2 <= c.geometry.area <= rules.land_max_m2]
    frame = _measure(sized, ctx)
    xy, weights = _employees(geom, ctx)
    roads = ctx.require("roads")
    near = ctx.query("roads", geom.buffer(NETWORK_MARGIN_M))
    network = road_network(roads.geometry.to_numpy()[near])
    good = frame[frame["failed"] == ""]
    if len(good):
        ranked = rank_sites(good, xy, weights, network, top_n=rules.top_n).head(rules.top_n)
        qualified = True
    else:
        ranked = _near_misses(candidates, geom, ctx, xy, weights)
        qualified = False
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    largest = max((c.geometry.area for c in plots), default=0.0)
    return FacilityResult(ranked, qualified, float(largest))


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
    # available land that misses a number beats any land that is not available at all
    near = frame.assign(taken=frame["failed"].str.contains("available"),
                        misses=frame["failed"].str.count(",") + (frame["failed"] != ""),
                        off_size=(frame["area_m2"] - target).abs())
    order = ["taken", "misses", "off_size"]
    head = near.sort_values(order, kind="stable").head(rules.top_n)
    ranked = rank_sites(head.drop(columns=order), xy, weights, None, top_n=rules.top_n)
    return ranked.loc[head.index]


_COLUMNS = ["source", "name", "landuse", "area_m2", "available_share", "inscribed_width_m",
            "frontage_m", "frontage_road", "floor_needed_m2", "floor_allowed_m2",
            "footprint_needed_m2", "footprint_allowed_m2", "open_land_m2", "failed",
            "polsby_popper"]


def _measure(candidates: list[Candidate], ctx: Context) -> gpd.GeoDataFrame:
    """One row per candidate: what it measures and the checks it fails."""
    rows = []
    for c in candidates:
        check = check_site(c, ctx)
        rows.append({"source": c.source, "name": c.name, "landuse": c.landuse,
                     **{k: v for k, v in check.__dict__.items() if k != "failed"},
                     "failed": ",".join(check.failed), "polsby_popper": polsby_popper(c.geometry)})
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=_COLUMNS),
                            geometry=[c.geometry for c in candidates], crs=ctx.crs)
