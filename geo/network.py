"""Distances along the road network, for ranking places by how near they are to the employees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

__all__ = ["RoadNetwork", "road_network"]


@dataclass(frozen=True)
class RoadNetwork:
    """Road junctions and ends as nodes, road stretches as edges weighted by length."""

    nodes: np.ndarray  # (m, 2)
    graph: object  # scipy sparse matrix
    index: cKDTree

    def access(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each point, its nearest node and the straight distance to it."""
        distance, node = self.index.query(xy)
        return node, distance

    def distance_from(self, xy: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
        """Distance from ``origin`` to each point: to the road, along it, and off it again."""
        (start,), (lead,) = self.access(np.asarray([origin]))
        along = dijkstra(self.graph, directed=False, indices=int(start))
        node, off = self.access(xy)
        result = lead + along[node] + off
        # a point the network cannot reach is measured in a straight line
        straight = np.hypot(*(xy - np.asarray(origin)).T)
        return np.where(np.isfinite(result), result, straight)


def road_network(lines: np.ndarray) -> RoadNetwork | None:
    """The network of the given road lines (noded where they cross), or None if empty."""
    if len(lines) == 0:
        return None
    noded = shapely.get_parts(shapely.union_all(lines))
    noded = noded[shapely.get_type_id(noded) == 1]
    starts = shapely.get_coordinates(shapely.get_point(noded, 0))
    ends = shapely.get_coordinates(shapely.get_point(noded, -1))
    nodes, inverse = np.unique(np.round(np.vstack([starts, ends]), 2), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    a, b = inverse[: len(noded)], inverse[len(noded):]
    length = shapely.length(noded)
    # of two roads between the same junctions, the shorter counts (a sparse matrix would add them)
    pairs = np.column_stack([np.minimum(a, b), np.maximum(a, b)])
    order = np.lexsort((length, pairs[:, 1], pairs[:, 0]))
    _, first = np.unique(pairs[order], axis=0, return_index=True)
    keep = order[first]
    graph = coo_matrix((length[keep], (pairs[keep, 0], pairs[keep, 1])),
                       shape=(len(nodes), len(nodes))).tocsr()
    return RoadNetwork(nodes, graph, cKDTree(nodes))
