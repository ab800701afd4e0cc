"""Write GeoPackage layers that are byte-for-byte reproducible.

GDAL stamps the wall-clock time into ``gpkg_contents.last_change`` whenever it creates or
changes a layer; it is the only volatile value in the files it writes (GDAL 3.12). The
``OGR_CURRENT_DATE`` configuration option replaces that time, so it is pinned to
:data:`FIXED_TIMESTAMP` during the write and restored afterwards.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pyproj

from geo.errors import InputError
from geo.io.gdal_env import gdal_config, gdal_errors

__all__ = ["FIXED_TIMESTAMP", "require_crs", "write_gpkg"]

FIXED_TIMESTAMP = "2000-01-01T00:00:00.000Z"


def require_crs(gdf: gpd.GeoDataFrame, path: Path, layer: str | None) -> pyproj.CRS:
    """Return the frame's CRS, or refuse a frame without one.

    Raises
    ------
    InputError
        The frame has no CRS, so the file would not say where its coordinates are.
    """
    if gdf.crs is None:
        raise InputError(message_key="write_no_crs", path=path, layer=layer)
    return pyproj.CRS.from_user_input(gdf.crs)


def _with_epsg_code(gdf: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """Give a CRS that matches an EPSG definition its code, so the file registers it."""
    if crs.to_authority() is not None:
        return gdf
    code = crs.to_epsg()
    return gdf if code is None else gdf.set_crs(epsg=code, allow_override=True)


def write_gpkg(
    gdf: gpd.GeoDataFrame, path: str | Path, layer: str, *, append_layer: bool = True
) -> Path:
    """Write ``gdf`` as layer ``layer`` of the GeoPackage ``path``.

    Parameters
    ----------
    gdf
        The layer; must have a CRS. Text columns become ``TEXT`` columns.
    path
        The GeoPackage; created if missing.
    layer
        Layer name; a layer of that name already in the file is replaced.
    append_layer
        Add the layer to an existing file (the default); ``False`` replaces the whole file.

    Returns
    -------
    Path
        ``path``. Writing the same frames in the same order to a new file always gives
        the same bytes; the CRS is registered in ``gpkg_spatial_ref_sys`` by its EPSG code.

    Raises
    ------
    InputError
        The frame has no CRS, the layer name is empty or the file cannot be written.
    """
    target = Path(path)
    if not layer:
        raise InputError(message_key="write_empty_layer_name", path=target)
    frame = _with_epsg_code(gdf, require_crs(gdf, target, layer))
    if not append_layer and target.exists():
        target.unlink()
    with (
        gdal_config({"OGR_CURRENT_DATE": FIXED_TIMESTAMP}),
        gdal_errors("write", path=target, layer=layer),
    ):
        pyogrio.write_dataframe(frame, target, layer=layer, driver="GPKG")
    return target
