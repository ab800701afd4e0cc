"""Geometries made ready to draw: simplified in metres, in lon/lat, shifted for AMap, rounded.

Simplifying a tiling with ``coverage_simplify`` keeps the shared edges of grids shared, so a
simplified map shows no gaps or overlaps that the data does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.crs import geometry_to_gcj02
from maps.basemaps import Basemap

__all__ = ["Display", "feature_collection", "rows"]

_WGS84 = pyproj.CRS.from_epsg(4326)
_DIGITS = 7  # about 1 cm in lon/lat


@dataclass(frozen=True)
class Display:
    """How geometries are prepared for one map: base map (for the GCJ-02 shift) and the
    tolerance, in metres, to which shapes may be simplified (0 keeps every vertex)."""

    basemap: Basemap = Basemap.plain
    simplify_m: float = 0.0

    def geometries(self, geoms: Iterable[BaseGeometry | None], crs: Any, *,
                   coverage: bool = False) -> NDArray[np.object_]:
        """``geoms`` (in ``crs``) as lon/lat ready to draw, in the base map's datum."""
        values = np.asarray(list(geoms), dtype=object)
        if len(values) == 0:
            return values
        if self.simplify_m > 0:
            values = _simplified(values, crs, self.simplify_m, coverage=coverage)
        series = gpd.GeoSeries(values, crs=crs)
        if series.crs is None or not series.crs.equals(_WGS84):
            series = series.to_crs(_WGS84)
        out = np.asarray(series.values, dtype=object)
        if self.basemap.shifts_to_gcj02:
            out = np.asarray(geometry_to_gcj02(out), dtype=object)
        return np.asarray(shapely.transform(out, lambda xy: np.round(xy, _DIGITS)), dtype=object)

    def frame(self, frame: gpd.GeoDataFrame, *, coverage: bool = False) -> NDArray[np.object_]:
        """The geometries of ``frame`` ready to draw."""
        return self.geometries(frame.geometry.values, frame.crs, coverage=coverage)


def _simplified(
    values: NDArray[np.object_], crs: Any, tolerance: float, *, coverage: bool
) -> NDArray[np.object_]:
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic:
        # simplify in the GK zone of the data, never in degrees
        from geo.crs import work_crs

        series = gpd.GeoSeries(values, crs=crs)
        minx, miny, maxx, maxy = (float(b) for b in series.total_bounds)
        metric = work_crs(crs, (minx, miny, maxx, maxy))
        metric_values = gpd.GeoSeries(values, crs=crs).to_crs(metric).values
        simplified = _simplified(np.asarray(metric_values, dtype=object), metric, tolerance,
                                 coverage=coverage)
        return np.asarray(gpd.GeoSeries(simplified, crs=metric).to_crs(crs).values, dtype=object)
    present = np.array([g is not None and not g.is_empty for g in values])
    out = values.copy()
    if coverage and present.all() and np.all(shapely.get_type_id(values) >= 3):
        out = shapely.coverage_simplify(values, tolerance, simplify_boundary=False)
    else:
        out[present] = shapely.simplify(values[present], tolerance, preserve_topology=True)
    return np.asarray(out, dtype=object)


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples: each column an attribute, of the column's type."""
    return frame.itertuples()


def feature_collection(geoms: Iterable[BaseGeometry | None],
                       properties: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the drawable geometries and their display properties;
    features without a geometry are left out."""
    features = []
    for geom, props in zip(geoms, properties, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}
