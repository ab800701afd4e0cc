"""Write RFC 7946 GeoJSON: WGS 84 longitude/latitude, UTF-8, Chinese kept as characters."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from geo.io.gdal_env import gdal_errors
from geo.io.gpkg import require_crs

__all__ = ["write_geojson"]

_WGS84 = "EPSG:4326"


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write ``gdf`` to ``path`` as RFC 7946 GeoJSON, replacing any file there.

    Parameters
    ----------
    gdf
        The layer; must have a CRS. It is transformed to EPSG:4326 (lon/lat, 7 decimals).
    path
        The file to write.

    Returns
    -------
    Path
        ``path``; UTF-8 text with non-ASCII characters written as themselves.

    Raises
    ------
    InputError
        The frame has no CRS or the file cannot be written.
    """
    target = Path(path)
    require_crs(gdf, target, None)
    frame = gdf.to_crs(_WGS84)
    with gdal_errors("write", path=target):
        pyogrio.write_dataframe(
            frame,
            target,
            driver="GeoJSON",
            layer=target.stem,
            layer_options={"RFC7946": "YES"},
        )
    return target
