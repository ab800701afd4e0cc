"""Write RFC 7946 GeoJSON: WGS 84 longitude/latitude, UTF-8, Chinese kept as characters;
:func:`geojson_geometry` is the one way a geometry becomes a GeoJSON member (exterior rings
counter-clockwise, holes clockwise, 7 decimals for degrees: about 1 cm)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DEGREE_DECIMALS", "METRE_DECIMALS", "geojson_geometry", "write_geojson"]

_WGS84 = "EPSG:4326"
DEGREE_DECIMALS = 7  # RFC 7946 § 11.2: about a centimetre
METRE_DECIMALS = 3  # a millimetre, for projected coordinates


def geojson_geometry(geom: BaseGeometry, *, degrees: bool = True, orient: bool = True
                     ) -> dict[str, Any]:
    """``geom`` as a GeoJSON geometry member per RFC 7946: polygon exteriors
    counter-clockwise and holes clockwise (unless ``orient`` is false, for coordinates
    oriented before an axis swap), coordinates rounded to :data:`DEGREE_DECIMALS` (lon/lat)
    or :data:`METRE_DECIMALS` (metres)."""
    decimals = DEGREE_DECIMALS if degrees else METRE_DECIMALS
    oriented = shapely.orient_polygons(geom) if orient else geom
    rounded = shapely.transform(oriented, lambda xy: np.round(xy, decimals))
    return dict(rounded.__geo_interface__)


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
    # GDAL and the writer's checks: a report's geometries (geojson_geometry) need neither
    import pyogrio

    from geo.io.gdal_env import gdal_errors
    from geo.io.gpkg import require_crs

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
