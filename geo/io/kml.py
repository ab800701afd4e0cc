"""KML and KMZ: placemark name and description as plain columns, styling fields dropped.

GDAL reads KML in EPSG:4326. The KML driver calls the fields ``Name``/``Description``,
LIBKML ``Name``/``description`` and adds presentation fields (``tessellate``, ``extrude``
...) that mean nothing for planning; ExtendedData fields are kept as they are.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

__all__ = ["KML_READ_OPTIONS", "kml_to_planning"]

#: LIBKML would turn ExtendedData names such as 类型 into underscores
KML_READ_OPTIONS = {"LIBKML_LAUNDER_FIELD_NAMES": "NO"}

_RENAMES = {"name": "name", "description": "description"}
_PRESENTATION = {"altitudemode", "tessellate", "extrude", "visibility", "draworder", "icon"}
_OPTIONAL = {"id", "timestamp", "begin", "end", "snippet"}


def kml_to_planning(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename ``Name``/``Description`` to lower case, drop styling fields and the Z.

    Parameters
    ----------
    gdf
        A layer as GDAL's KML or LIBKML driver reads it.

    Returns
    -------
    GeoDataFrame
        A copy with ``name`` and ``description`` columns.
    """
    geometry = gdf.geometry.name
    drop = [
        c
        for c in gdf.columns
        if c != geometry
        and (
            c.lower() in _PRESENTATION
            or (c.lower() in _OPTIONAL and gdf[c].isna().all())
        )
    ]
    out = gdf.drop(columns=drop)
    renames = {
        c: _RENAMES[c.lower()]
        for c in out.columns
        if c.lower() in _RENAMES
        and c != _RENAMES[c.lower()]
        and _RENAMES[c.lower()] not in out.columns
    }
    out = out.rename(columns=renames)
    out[geometry] = gpd.GeoSeries(
        shapely.force_2d(out.geometry.values), index=out.index, crs=out.crs
    )
    return out
