"""The neighbours' adjustment (周边村<社区>边界调整, 001 § 二(一)4(1)).

The proposal is snapped to the roads, rivers and neighbour edges near it, kept inside the town
(whose outer border never moves), and carved out of its neighbours; slivers narrower than the
snap tolerance go to the side they belong to. The result — the community and every neighbour's
new boundary — is a clean coverage of the town, so the areas the neighbours give up add up to
the community's area.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.conform import snapped, strips
from geo.context import Context
from geo.errors import InputError
from geo.proposal import Proposal
from geo.revision import revision_context
from geo.validate.validity import valid_geometry

__all__ = ["Adjustment", "adjust"]


@dataclass(frozen=True)
class Adjustment:
    """The adjusted community and its neighbours, all in ``crs``."""

    proposal: BaseGeometry
    neighbours: gpd.GeoDataFrame  # every neighbour after, with areas before/after/given
    given: gpd.GeoDataFrame  # the land each neighbour gives up
    crs: pyproj.CRS

    @property
    def area_m2(self) -> float:
        return float(self.proposal.area)

    @property
    def given_m2(self) -> float:
        return float(self.neighbours["area_given_m2"].sum())

    def layers(self, proposal: Proposal) -> dict[str, gpd.GeoDataFrame]:
        """The result as layers: ``proposal`` (the community as adjusted, with the name and
        type submitted), ``neighbours`` and ``given``."""
        community = gpd.GeoDataFrame({"name": [proposal.name], "type": [proposal.raw_type],
                                      "area_m2": [self.area_m2]}, geometry=[self.proposal],
                                     crs=self.crs)
        return {"proposal": community, "neighbours": self.neighbours, "given": self.given}


def adjust(proposal: Proposal, ctx: Context) -> Adjustment:
    """Carve ``proposal`` out of its neighbours and return everyone's new boundary.

    Raises
    ------
    InputError
        The proposal is empty, not a polygon or invalid (rule B1); nothing is repaired.

    A proposal revising a registered community is carved out of the context without the old
    boundary (:func:`geo.revision.revision_context`): the neighbours returned are the others.
    """
    ctx = revision_context(proposal, ctx)
    geom = valid_geometry(proposal, ctx, refused="adjust_invalid")
    tolerance = ctx.rules.boundary.snap_tolerance_m
    geom = shapely.intersection(snapped(geom, ctx, tolerance), ctx.town)
    if geom.area < 1.0:
        raise InputError(message_key="adjust_outside_town", layer=proposal.name)
    neighbours = ctx.require("neighbours")
    before = neighbours.geometry.values
    # strips left to a neighbour along the new edge join the community; strips taken give back
    gaps, overlaps = strips(geom, ctx, tolerance)
    if gaps:
        geom = shapely.union(geom, shapely.union_all(gaps))
    if overlaps:
        geom = shapely.difference(geom, shapely.union_all(overlaps))
    after = shapely.difference(before, geom)
    coverage = np.array([geom, *after], dtype=object)
    # new in shapely 2.2; types-shapely does not declare it yet
    cleaned = shapely.coverage_clean(coverage, snapping_distance=0.01)  # type: ignore[attr-defined]
    geom, after = cleaned[0], cleaned[1:]
    taken = shapely.intersection(before, geom)
    table = neighbours.drop(columns="geometry").copy()
    table["area_before_m2"] = shapely.area(before)
    table["area_after_m2"] = shapely.area(after)
    table["area_given_m2"] = table["area_before_m2"] - table["area_after_m2"]
    table["valid"] = shapely.is_valid(after)
    table["contiguous"] = [len([p for p in shapely.get_parts(a) if p.area >= 1.0]) <= 1
                           for a in after]
    result = gpd.GeoDataFrame(table, geometry=list(after), crs=ctx.crs)
    gave = table["area_given_m2"].to_numpy() > 0.01
    given = gpd.GeoDataFrame(table.loc[gave, ["name", "code", "area_given_m2"]],
                             geometry=list(taken[gave]), crs=ctx.crs)
    return Adjustment(geom, result.reset_index(drop=True), given.reset_index(drop=True), ctx.crs)
