"""A layer's features as plain columns: what choosing a proposal needs, without pandas.

A :class:`FeatureTable` is what the light GeoPackage reader (:mod:`geo.io.gpkg_features`)
returns, and what a GeoDataFrame read by GDAL is turned into (:func:`table_from_frame`), so
that one piece of code picks a proposal out of either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

if TYPE_CHECKING:
    import geopandas as gpd
    import pyproj

__all__ = ["FeatureTable", "table_from_frame"]


@dataclass(frozen=True, eq=False)
class FeatureTable:
    """The features of one layer: attribute columns, geometries and CRS.

    Attributes
    ----------
    layer
        The layer's name, named in messages (``None`` for a layer made in memory).
    columns
        The attribute columns' names in the file's order, without the geometry column.
    values
        One tuple of values per column, in the order of ``columns``; a missing value is
        ``None`` or NaN.
    geometry
        One shapely geometry (or ``None``) per feature.
    crs
        The layer's CRS, ``None`` when it has none.
    """

    layer: str | None
    columns: tuple[str, ...]
    values: tuple[tuple[object, ...], ...]
    geometry: npt.NDArray[np.object_]
    crs: pyproj.CRS | None

    def __len__(self) -> int:
        return len(self.geometry)

    def column(self, name: str) -> tuple[object, ...] | None:
        """The values of column ``name`` (spelt exactly), ``None`` when the layer has none."""
        try:
            return self.values[self.columns.index(name)]
        except ValueError:
            return None

    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` of all geometries; NaN when all are missing or empty."""
        minx, miny, maxx, maxy = (float(b) for b in shapely.total_bounds(self.geometry))
        return minx, miny, maxx, maxy


def table_from_frame(frame: gpd.GeoDataFrame) -> FeatureTable:
    """``frame`` as a :class:`FeatureTable`; its layer is ``frame.attrs["layer"]``.

    Values are the Python scalars pandas gives when a column is iterated (``5``, not
    ``numpy.int64(5)``).
    """
    geometry_name = frame.geometry.name
    columns = [c for c in frame.columns if c != geometry_name]
    geometry: npt.NDArray[np.object_] = np.asarray(frame.geometry.array, dtype=object)
    return FeatureTable(
        layer=frame.attrs.get("layer"),
        columns=tuple(str(c) for c in columns),
        values=tuple(tuple(frame[c]) for c in columns),
        geometry=geometry,
        crs=frame.crs,
    )
