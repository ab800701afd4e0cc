"""Distances along the road network, for ranking places by how near they are to the employees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

__all__ = ["RoadNetwork", "road_network"]


@dataclass(frozen=True)
class RoadNetwork:
    """Road junctions and ends as nodes, road stretches as edges weighted by length."""

    nodes: NDArray[np.float64]  # (m, 2)
    graph: csr_matrix[np.float64]
    index: cKDTree

    def access(self, xy: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """For each point, its nearest node and the straight distance to it."""
        distance, node = self.index.query(xy)
        return np.asarray(node, dtype=np.intp), np.asarray(distance, dtype=np.float64)

    def distance_from(
        self, xy: NDArray[np.float64], origin: tuple[float, float]
    ) -> NDArray[np.float64]:
        """Distance from ``origin`` to each point: to the road, along it, and off it again."""
        (start,), (lead,) = self.access(np.asarray([origin]))
        along: NDArray[np.float64] = dijkstra(self.graph, directed=False, indices=[int(start)])[0]
        node, off = self.access(xy)
        result: NDArray[np.float64] = lead + along[node] + off
        # a point the network cannot reach is measured in a straight line
        delta = xy - np.asarray(origin)
        straight = np.hypot(delta[:, 0], delta[:, 1])
        return np.where(np.isfinite(result), result, straight)


def road_network(lines: NDArray[np.object_]) -> RoadNetwork | None:
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
    return RoadNetwork(np.asarray(nodes, dtype=np.float64), graph, cKDTree(nodes))
