"""Indivisible units of a community: road blocks, with no enterprise plot split between two.

The community is cut along its roads, rivers and ridges; blocks that share an enterprise or
park parcel are merged, so a unit never splits a holding ("一企一格"). Each unit carries its
employees, enterprises and area. A unit larger than a grid may be split further by its
parcels ("较大的单位可继续细分", 001 § 二(三)2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.context import Context
from geo.measure import STAFFED

__all__ = ["Units", "adjacency", "cut_units", "split_by_parcels"]


@dataclass(frozen=True)
class Units:
    """Units as parallel arrays; ``parcels[i]`` are the context parcel rows inside unit i."""

    geometry: NDArray[np.object_]  # of Polygon
    employees: NDArray[np.float64]
    enterprises: NDArray[np.int_]
    parcels: list[NDArray[np.intp]]

    @property
    def area(self) -> NDArray[np.float64]:
        return shapely.area(self.geometry)

    def __len__(self) -> int:
        return len(self.geometry)


def _cut_lines(geom: BaseGeometry, ctx: Context) -> list[BaseGeometry]:
    lines = [shapely.boundary(geom)]
    for layer in ("roads", "water", "terrain"):
        frame = ctx.layer(layer)
        if frame is None:
            continue
        found = frame.geometry.to_numpy()[ctx.query(layer, geom)]
        found = shapely.boundary(found) if layer == "water" and frame.geom_type.str.contains(
            "Polygon").any() else found
        lines.extend(shapely.intersection(found, geom))
    return lines


def _faces(geom: BaseGeometry, ctx: Context) -> list[BaseGeometry]:
    noded = shapely.union_all(np.array(_cut_lines(geom, ctx), dtype=object))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    # faces inside the community only (polygonize also closes holes and outside loops)
    inside = shapely.within(shapely.point_on_surface(faces), geom)
    return list(faces[inside])


def _merge_sharing(faces: list[BaseGeometry], parcels: NDArray[np.object_]) -> list[BaseGeometry]:
    """Union faces that share a parcel (union–find over face/parcel overlaps)."""
    parent = list(range(len(faces)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(parcels):
        tree = shapely.STRtree(np.array(faces, dtype=object))
        pairs = tree.query(parcels, predicate="intersects")
        face_array = np.array(faces, dtype=object)
        shared = shapely.area(shapely.intersection(parcels[pairs[0]], face_array[pairs[1]]))
        touching: dict[int, list[int]] = {}
        for p, f, a in zip(pairs[0], pairs[1], shared, strict=True):
            if a > 1.0:
                touching.setdefault(int(p), []).append(int(f))
        for members in touching.values():
            root = find(members[0])
            for other in members[1:]:
                parent[find(other)] = root
    groups: dict[int, list[int]] = {}
    for i in range(len(faces)):
        groups.setdefault(find(i), []).append(i)
    return [shapely.union_all([faces[i] for i in members]) for members in
            sorted(groups.values(), key=min)]


def _tally(geoms: list[BaseGeometry], ctx: Context) -> Units:
    frame = ctx.layer("parcels")
    geometry = np.array(geoms, dtype=object)
    n = len(geoms)
    employees, enterprises = np.zeros(n), np.zeros(n, dtype=int)
    members: list[NDArray[np.intp]] = [np.empty(0, dtype=np.intp) for _ in range(n)]
    if frame is not None and n:
        index = np.flatnonzero(np.isin(frame["kind"].to_numpy(), STAFFED))
        points = shapely.point_on_surface(frame.geometry.values[index])
        unit_of, parcel_of = shapely.STRtree(geometry).query(points, predicate="within")[::-1]
        for u, p in zip(unit_of, index[parcel_of], strict=True):
            members[u] = np.append(members[u], p)
        for u in range(n):
            rows = members[u]
            staff = frame["employees"].to_numpy()[rows].astype(float)
            employees[u] = float(np.nan_to_num(staff).sum())
            enterprises[u] = int((frame["kind"].to_numpy()[rows] == "enterprise").sum())
    return Units(geometry, employees, enterprises, members)


def cut_units(geom: BaseGeometry, ctx: Context) -> Units:
    """The community's units: faces of its roads, rivers and ridges, merged over shared parcels."""
    parcels = ctx.layer("parcels")
    staffed = (parcels.geometry.to_numpy()[ctx.query("parcels", geom)] if parcels is not None
               else np.empty(0, dtype=object))
    if parcels is not None:
        kinds = parcels["kind"].to_numpy()[ctx.query("parcels", geom)]
        staffed = staffed[np.isin(kinds, STAFFED)]
    faces = _faces(geom, ctx)
    return _tally(_merge_sharing(faces, staffed), ctx)


def split_by_parcels(unit: BaseGeometry, parcel_shapes: NDArray[np.object_]) -> list[BaseGeometry]:
    """Split a unit into one piece per parcel: the parcel whole, plus the free land nearest it.

    The free land is shared out by the Voronoi cells of points along each parcel's outline, so
    no parcel is cut; pieces of free land cut off from their parcel join the piece they touch
    most.
    """
    if len(parcel_shapes) < 2:
        return [unit]
    rings = shapely.segmentize(shapely.boundary(parcel_shapes), 10.0)
    coords, owners = shapely.get_coordinates(rings, return_index=True)
    _, first = np.unique(coords.round(3), axis=0, return_index=True)
    coords, owners = coords[np.sort(first)], owners[np.sort(first)]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(coords), extend_to=unit,
                                                       ordered=True))
    held = shapely.union_all(parcel_shapes)
    free = shapely.difference(unit, held)
    pieces = []
    for i, shape in enumerate(parcel_shapes):
        cell = shapely.intersection(shapely.union_all(cells[owners == i]), free)
        pieces.append(shapely.union(cell, shape))
    return _reattach(pieces, parcel_shapes)


def _reattach(pieces: list[BaseGeometry], parcel_shapes: NDArray[np.object_]) -> list[BaseGeometry]:
    """Give each fragment not touching its own parcel to the neighbouring piece it borders most."""
    kept: list[BaseGeometry] = []
    strays: list[BaseGeometry] = []
    for piece, shape in zip(pieces, parcel_shapes, strict=True):
        parts = shapely.get_parts(piece)
        home = shapely.intersects(parts, shape)
        kept.append(shapely.union_all(parts[home]))
        strays.extend(parts[~home])
    for stray in strays:
        kept_edges = shapely.boundary(np.array(kept, dtype=object))
        shared = shapely.length(shapely.intersection(stray.boundary, kept_edges))
        j = int(np.argmax(shared))
        kept[j] = shapely.union(kept[j], stray)
    return kept


def adjacency(geometry: np.ndarray, min_shared_m: float = 1.0) -> list[set[int]]:
    """Units sharing at least ``min_shared_m`` of edge (a corner is not adjacency)."""
    tree = shapely.STRtree(geometry)
    left, right = tree.query(geometry, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(geometry[left]),
                                                 shapely.boundary(geometry[right])))
    result: list[set[int]] = [set() for _ in range(len(geometry))]
    for i, j, s in zip(left, right, shared, strict=True):
        if s >= min_shared_m:
            result[i].add(int(j))
            result[j].add(int(i))
    return result
