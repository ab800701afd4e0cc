"""What makes a candidate a good site: available, big enough, buildable, on a road, fits the
programme of 004 第三十二条 under the bureau's plot ratio and site coverage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.facility.candidates import Candidate

__all__ = ["SiteCheck", "check_site", "check_sites", "programme_floor_m2"]


@dataclass(frozen=True)
class SiteCheck:
    """Measured values of one candidate and the checks it fails (empty when it qualifies)."""

    area_m2: float
    available_share: float
    inscribed_width_m: float
    frontage_m: float
    frontage_road: str | None
    floor_needed_m2: float
    floor_allowed_m2: float
    footprint_needed_m2: float
    footprint_allowed_m2: float
    open_land_m2: float
    failed: tuple[str, ...]


def programme_floor_m2(ctx: Context) -> float:
    """Floor area the facility programme needs, and never less than the centre's minimum."""
    rules = ctx.rules.facility
    return max(sum(rules.programme_m2.values()), rules.centre_floor_min_m2)


def _available_shares(sites: NDArray[np.object_], ctx: Context
                      ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shares of each site on available land and on land it may never take (one query of the
    land-use layer for all the sites)."""
    landuse, tree = ctx.layer("landuse"), ctx.tree("landuse")
    if landuse is None or tree is None:
        return np.ones(len(sites)), np.zeros(len(sites))
    rules = ctx.rules.facility
    site, index = tree.query(sites, predicate="intersects")
    areas = shapely.area(shapely.intersection(landuse.geometry.to_numpy()[index], sites[site]))
    classes = landuse["class"].to_numpy()[index]
    allowed = set(rules.available_landuse) | ({"public"} if rules.allow_public else set()) | \
        ({"industrial", "office", "commercial"} if rules.allow_enterprise else set())
    whole = shapely.area(sites)
    good = np.bincount(site, weights=np.where(np.isin(classes, list(allowed)), areas, 0.0),
                       minlength=len(sites))
    bad = np.bincount(site, weights=np.where(np.isin(classes, rules.excluded_landuse), areas, 0.0),
                      minlength=len(sites))
    return good / whole, bad / whole


# roads farther than this from a site cannot give it frontage, whatever their width
_FRONTAGE_SEARCH_M = 60.0


def _road_reach(ctx: Context) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
    """Indexes of the roads a site may front, and each one's zone within tolerance (cached)."""

    def build() -> tuple[NDArray[np.intp], NDArray[np.object_]]:
        fronting = np.flatnonzero(np.isin(ctx.require("roads")["class"].to_numpy(),
                                          ctx.rules.facility.frontage_road_classes))
        return fronting, ctx.road_zones()[fronting]

    return ctx.cached("facility_roads", build)


def _frontage(site: BaseGeometry, roads: NDArray[np.intp], ctx: Context
              ) -> tuple[float, str | None]:
    """Length of the site's edge along a road of a frontage class, and that road's name
    (``roads``: the roads within reach of the site)."""
    fronting, zones = _road_reach(ctx)
    near = np.isin(fronting, roads)
    if not near.any():
        return 0.0, None
    edge = shapely.boundary(site)
    along = shapely.length(shapely.intersection(edge, zones[near]))
    if along.max() <= 0.0:
        return 0.0, None
    total = shapely.length(shapely.intersection(edge, shapely.union_all(zones[near])))
    name = ctx.require("roads")["name"].values[fronting[near][int(np.argmax(along))]]
    return float(total), (str(name) if name is not None else None)


def _roads_near(sites: NDArray[np.object_], ctx: Context) -> list[NDArray[np.intp]]:
    """The roads within reach of each site, from one query for all of them."""
    tree = ctx.tree("roads")
    if tree is None:
        return [np.empty(0, dtype=np.intp) for _ in sites]
    site, road = tree.query(shapely.buffer(sites, _FRONTAGE_SEARCH_M), predicate="intersects")
    order = np.lexsort((road, site))
    site, road = site[order], road[order]
    bounds = np.searchsorted(site, np.arange(len(sites) + 1))
    return [road[bounds[i]:bounds[i + 1]] for i in range(len(sites))]


def check_site(candidate: Candidate, ctx: Context) -> SiteCheck:
    """Measure a candidate against every requirement of a facility site."""
    return check_sites([candidate], ctx)[0]


def check_sites(candidates: list[Candidate], ctx: Context) -> list[SiteCheck]:
    """:func:`check_site` of each candidate, the land use and the widths measured for all of
    them at once; a whole parcel and its cuts (a candidate with a ``key``) are measured once
    per context, since they depend on the layers and the rules alone."""
    kept: dict[tuple[int, int], SiteCheck] = ctx.cached("facility:checks", dict)
    todo = [c for c in candidates if c.key is None or c.key not in kept]
    fresh = iter(_check_each(todo, ctx))
    checks = []
    for c in candidates:
        if c.key is not None and c.key in kept:
            checks.append(kept[c.key])
            continue
        check = next(fresh)
        if c.key is not None:
            kept[c.key] = check
        checks.append(check)
    return checks


def _check_each(candidates: list[Candidate], ctx: Context) -> list[SiteCheck]:
    rules = ctx.rules.facility
    if not candidates:
        return []
    sites = np.array([c.geometry for c in candidates], dtype=object)
    areas = shapely.area(sites)
    available, excluded = _available_shares(sites, ctx)
    # a candidate is a piece of a plot with an area, so polygonal
    widths = 2 * shapely.length(shapely.maximum_inscribed_circle(sites, 0.5))
    needed = programme_floor_m2(ctx)
    footprint = needed / rules.max_floors
    checks = []
    reach = _roads_near(sites, ctx)
    for site, area, share, bad, width, roads in zip(sites, areas, available, excluded, widths,
                                                    reach, strict=True):
        area = float(area)
        frontage, road = _frontage(site, roads, ctx)
        failed = []
        if not rules.land_min_m2 <= area <= rules.land_max_m2:
            failed.append("area")
        if share < rules.available_share_min or bad > rules.excluded_share_max:
            failed.append("available")
        if width < rules.min_width_m:
            failed.append("width")
        if frontage < rules.frontage_min_m:
            failed.append("frontage")
        if needed > rules.plot_ratio_max * area or footprint > rules.site_coverage_max * area \
                or area - footprint < rules.plaza_min_m2:
            failed.append("programme")
        checks.append(SiteCheck(float(area), float(share), float(width), frontage, road, needed,
                                rules.plot_ratio_max * area, footprint,
                                rules.site_coverage_max * area, area - footprint,
                                tuple(failed)))
    return checks
