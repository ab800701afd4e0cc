"""Fitting a boundary to the town's edges: each vertex within the snap tolerance of a
neighbour's edge moved onto it (else onto a road or river), then the strips narrower than the
tolerance left to a neighbour joined and those taken from one given back, so an edge drawn along
a village's edge is that edge (rule B5 finds no sliver) while every other edge stays as drawn.

:func:`geo.adjust.adjust` fits the proposal this way before carving; the workspace editor fits
a drawn boundary before validating it and says what moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.carve import slivers
from geo.context import Context, exclusive

__all__ = ["Conformed", "conform", "snapped", "strips"]

# a vertex this close to an edge is on it already, and a move this short is none (metres)
_ON_EDGE_M = 0.01
_GRID_M = 1e-4


@dataclass(frozen=True)
class Conformed:
    """A boundary fitted to the town's edges (work CRS) and what fitting it changed."""

    geometry: BaseGeometry
    moved: int  # vertices moved onto a neighbour's edge, a road or a river
    max_move_m: float
    joined_m2: float  # strips left to a neighbour (or the town's edge), now inside
    returned_m2: float  # strips taken from a neighbour (or outside the town), given back

    @property
    def changed(self) -> bool:
        return self.moved > 0 or self.joined_m2 > 0 or self.returned_m2 > 0


def _snap_targets(
    geom: BaseGeometry, ctx: Context, tolerance: float
) -> tuple[BaseGeometry, BaseGeometry]:
    """Neighbour edges near the boundary, and the roads and waters near it."""
    window = shapely.boundary(geom).buffer(tolerance)
    neighbours = ctx.require("neighbours")
    edges = shapely.union_all(
        shapely.boundary(neighbours.geometry.values[ctx.query("neighbours", window)]))
    features: list[BaseGeometry] = []
    for layer in ("roads", "water"):
        frame = ctx.layer(layer)
        if frame is not None:
            features.extend(frame.geometry.values[ctx.query(layer, window)])
    return edges, shapely.union_all(np.array(features, dtype=object))


def _onto(
    points: NDArray[np.object_], target: BaseGeometry
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Distance from each point to ``target`` and the nearest point on it."""
    if target.is_empty:
        return np.full(len(points), np.inf), shapely.get_coordinates(points)
    nearest = shapely.get_point(shapely.shortest_line(points, target), 1)
    return shapely.distance(points, target), shapely.get_coordinates(nearest)


def _snap(geom: BaseGeometry, ctx: Context, tolerance: float) -> tuple[BaseGeometry, int, float]:
    """``geom`` with its vertices snapped (see :func:`snapped`), the number moved and the
    longest move; ``geom`` itself when snapping would leave it invalid or change its area by
    more than 5 %."""
    edges, features = _snap_targets(geom, ctx, tolerance)
    moves: list[NDArray[np.float64]] = []

    def move(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        points = cast(NDArray[np.object_], shapely.points(xy))  # (n, 2) in: n points out
        to_edge, on_edge = _onto(points, edges)
        to_feature, on_feature = _onto(points, features)
        moved = xy.copy()
        near_feature = (to_feature <= tolerance) & (to_edge > tolerance)
        moved[near_feature] = on_feature[near_feature]
        near_edge = (to_edge <= tolerance) & (to_edge > _ON_EDGE_M)
        moved[near_edge] = on_edge[near_edge]
        moves.append(np.hypot(*(moved - xy).T))
        return moved

    out = shapely.transform(geom, move)
    if not shapely.is_valid(out) or abs(out.area - geom.area) > 0.05 * geom.area:
        return geom, 0, 0.0
    # a ring's closing vertex repeats its first: count each vertex once
    distances = np.concatenate([d[:-1] for d in moves]) if moves else np.zeros(0)
    moved = distances > _ON_EDGE_M
    return out, int(moved.sum()), float(distances.max(initial=0.0))


def snapped(geom: BaseGeometry, ctx: Context, tolerance: float) -> BaseGeometry:
    """``geom`` with each vertex within ``tolerance`` of a neighbour edge moved onto it, else
    onto a road or river within ``tolerance``; vertices already on an edge stay put."""
    return _snap(geom, ctx, tolerance)[0]


def strips(geom: BaseGeometry, ctx: Context, tolerance: float
           ) -> tuple[list[BaseGeometry], list[BaseGeometry]]:
    """The strips narrower than ``tolerance`` along ``geom``'s edge that a neighbour keeps
    (to join) and that ``geom`` takes from a neighbour (to give back)."""
    neighbours = ctx.require("neighbours")
    touched = neighbours.geometry.values[ctx.query("neighbours", geom)]
    gaps = [p for left in shapely.difference(touched, geom)
            for p in slivers(left, tolerance, along=geom)]
    overlaps = [p for taken in shapely.intersection(touched, geom)
                for p in slivers(taken, tolerance, along=geom)]
    return gaps, overlaps


@exclusive
def conform(geom: BaseGeometry, ctx: Context) -> Conformed:
    """``geom`` (a valid polygon in the work CRS) fitted to the town's edges within the snap
    tolerance (``boundary.snap_tolerance_m``): vertices snapped, strips along the neighbours'
    edges and outside the town's border settled; ``geom`` unchanged when the fitted shape would
    not be a valid polygon of as many parts."""
    tolerance = ctx.rules.boundary.snap_tolerance_m
    out, moved, longest = _snap(geom, ctx, tolerance)
    gaps, overlaps = strips(out, ctx, tolerance)
    overlaps += slivers(shapely.difference(out, ctx.town), tolerance, along=out)
    fitted = out
    if gaps:
        fitted = shapely.union(fitted, shapely.union_all(gaps))
    if overlaps:
        fitted = shapely.difference(fitted, shapely.union_all(overlaps))
    if gaps or overlaps:
        # strips joined and taken along one edge leave zero-width spikes where the drawn edge
        # crossed the village's: a 0.1 mm grid closes them
        fitted = shapely.set_precision(fitted, _GRID_M)
    parts = len(shapely.get_parts(geom))
    if (not shapely.is_valid(fitted) or fitted.is_empty
            or len([p for p in shapely.get_parts(fitted) if p.area >= 1.0]) != parts):
        fitted, gaps, overlaps = out, [], []
    return Conformed(fitted, moved, longest, float(sum(p.area for p in gaps)),
                     float(sum(p.area for p in overlaps)))
