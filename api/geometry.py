"""Moving geometries between shapely, the database and GeoDataFrames."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry.base import BaseGeometry

from api.db.models import STORAGE_SRID

__all__ = ["bbox_columns", "db_geom", "frame_from_rows", "frame_records", "plain", "shape_of"]


def db_geom(geom: BaseGeometry) -> Any:
    """A geometry in storage CRS ready to be written."""
    return from_shape(geom, srid=STORAGE_SRID)


def shape_of(value: Any) -> BaseGeometry:
    """A stored geometry as shapely (lon/lat)."""
    return to_shape(value)


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
