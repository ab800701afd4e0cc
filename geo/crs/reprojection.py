"""Geometries from one CRS into another, as every part of sijie moves them.

One way for all: pyproj's transformer between the two CRSs with x/y (east, north) order
whatever the CRSs' own axis order, each vertex moved in its own dimensions (a Z kept where a
geometry has one). These are the coordinates geopandas' ``to_crs`` gives, without needing a
GeoDataFrame to get them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["reproject", "reproject_all"]


@lru_cache(maxsize=32)
def _transformer(source: pyproj.CRS, target: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def reproject_all(shapes: npt.NDArray[np.object_], source: pyproj.CRS, target: pyproj.CRS
                  ) -> npt.NDArray[np.object_]:
    """``shapes`` (an array of geometries, ``None`` allowed) from ``source`` into ``target``;
    the array itself when the two are the same CRS."""
    shapes = np.asarray(shapes, dtype=object)
    if source.is_exact_same(target):
        return shapes
    move = _transformer(source, target).transform
    moved = np.empty_like(shapes)
    has_z = shapely.has_z(shapes)
    for with_z, which in ((False, ~has_z), (True, has_z)):
        coords = shapely.get_coordinates(shapes[which], include_z=with_z)
        moved[which] = shapely.set_coordinates(shapes[which].copy(),
                                               np.array(move(*coords.T)).T)
    return moved


def reproject(geom: BaseGeometry, source: pyproj.CRS, target: pyproj.CRS) -> BaseGeometry:
    """``geom`` from ``source`` into ``target`` (:func:`reproject_all`)."""
    moved: BaseGeometry = reproject_all(np.array([geom], dtype=object), source, target)[0]
    return moved
