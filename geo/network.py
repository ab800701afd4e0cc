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

# shortest-path trees computed in one call (their rows are held in memory together)
_SEARCHES_AT_ONCE = 256


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

    def mean_distances(self, xy: NDArray[np.float64], weights: NDArray[np.float64],
                       origins: NDArray[np.float64], *,
                       placed: tuple[NDArray[np.intp], NDArray[np.float64]] | None = None
                       ) -> NDArray[np.float64]:
        """The ``weights``-weighted mean of :meth:`distance_from` each origin to the points.

        The points are placed on the network once (``placed``: :meth:`access` of ``xy``, when
        the caller already has it), and each distinct junction nearest an origin is searched
        once, so the cost grows with the junctions, not with origins times points.
        """
        total = float(weights.sum()) or 1.0
        if len(origins) == 0:
            return np.empty(0)
        node, off = self.access(xy) if placed is None else placed
        mass = np.bincount(node, weights=weights, minlength=len(self.nodes))
        staffed = mass > 0
        leaving = float((weights * off).sum())
        start, lead = self.access(origins)
        starts, which = np.unique(start, return_inverse=True)
        which = which.ravel()
        result = np.empty(len(origins))
        for first in range(0, len(starts), _SEARCHES_AT_ONCE):
            chunk = starts[first:first + _SEARCHES_AT_ONCE]
            along = dijkstra(self.graph, directed=False, indices=chunk)
            for k in range(len(chunk)):
                reach = along[k]
                mine = np.flatnonzero(which == first + k)
                if np.isfinite(reach[staffed]).all():
                    sums = float(mass[staffed] @ reach[staffed])
                    result[mine] = (lead[mine] * weights.sum() + sums + leaving) / total
                    continue
                for m in mine:  # some points cannot be reached from here: they count straight
                    result[m] = float((self.distance_from(xy, (float(origins[m, 0]),
                                                               float(origins[m, 1])))
                                       * weights).sum() / total)
        return result

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
