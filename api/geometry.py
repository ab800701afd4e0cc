"""Moving geometries between shapely, the database and GeoDataFrames.

Every stored geometry is a multi-part one (MultiPoint, MultiLineString, MultiPolygon), so each
typed layer of the database holds one geometry type (see :mod:`api.db.models`): :func:`db_geom`
promotes a single part on the way in, and :func:`shape_of` / :func:`shapes_of` give a one-part
multi-geometry back as that part, so a boundary posted as a Polygon reads back as the same
Polygon.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry

from api.db.models import STORAGE_SRID

__all__ = ["bbox_columns", "db_geom", "frame_from_rows", "frame_records", "geometry_kind",
           "plain", "shape_of", "shapes_of"]

_MULTI: dict[str, Any] = {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString,
          "Polygon": shapely.MultiPolygon}
_KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line",
          "MultiLineString": "line", "Polygon": "area", "MultiPolygon": "area"}


def db_geom(geom: BaseGeometry) -> Any:
    """A geometry in storage CRS ready to be written, as a multi-part geometry."""
    multi = _MULTI.get(geom.geom_type)
    return from_shape(multi([geom]) if multi else geom, srid=STORAGE_SRID)


def _one_part_as_single(geoms: Any) -> Any:
    """Each one-part Multi* geometry of the array ``geoms`` as its part (the others as given)."""
    single = np.isin(shapely.get_type_id(geoms), (4, 5, 6)) & (
        shapely.get_num_geometries(geoms) == 1)
    if single.any():
        geoms = geoms.copy()
        geoms[single] = shapely.get_geometry(geoms[single], 0)
    return geoms


def shape_of(value: Any) -> BaseGeometry:
    """A stored geometry as shapely (lon/lat); a one-part multi-geometry as its part."""
    geom: BaseGeometry = _one_part_as_single(np.array([to_shape(value)], dtype=object))[0]
    return geom


def shapes_of(values: list[Any]) -> Any:
    """Stored geometries (as the driver gives them: WKB bytes or hex text) as an array of
    shapely geometries, read in one call, one-part multi-geometries as their part."""
    wkb = [v.data if isinstance(v.data, str) else bytes(v.data) for v in values]
    return _one_part_as_single(shapely.from_wkb(wkb))


def geometry_kind(geom: BaseGeometry) -> str:
    """``point``, ``line`` or ``area``: which of a mixed table's typed layers shows ``geom``."""
    return _KINDS[geom.geom_type]


def bbox_columns(geom: BaseGeometry) -> dict[str, float]:
    minx, miny, maxx, maxy = geom.bounds
    return {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}


def frame_from_rows(
    properties: list[dict[str, Any]], geoms: list[BaseGeometry]
) -> gpd.GeoDataFrame:
    """A GeoDataFrame in the storage CRS from stored properties and geometries."""
    frame = gpd.GeoDataFrame(
        properties or None, geometry=np.array(geoms, dtype=object), crs=f"EPSG:{STORAGE_SRID}"
    )
    return frame


def plain(value: Any) -> Any:
    """A JSON-safe copy of a numpy/pandas scalar (NaN becomes None)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if value != value else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, bool)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def frame_records(frame: gpd.GeoDataFrame) -> list[tuple[dict[str, Any], BaseGeometry]]:
    """(properties, geometry) of every row, properties JSON-safe."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    records: list[tuple[dict[str, Any], BaseGeometry]] = []
    for row, geom in zip(frame[columns].to_dict("records"), frame.geometry.values, strict=True):
        records.append(({str(k): plain(v) for k, v in row.items()}, geom))
    return records
