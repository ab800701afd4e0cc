"""Write GeoPackage layers that are byte-for-byte reproducible.

GDAL stamps the wall-clock time into ``gpkg_contents.last_change`` whenever it creates or
changes a layer; it is the only volatile value in the files it writes (GDAL 3.12). The
``OGR_CURRENT_DATE`` configuration option replaces that time, so it is pinned to
:data:`FIXED_TIMESTAMP` during the write and restored afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.i18n import Lang
from geo.io.gdal_env import gdal_config, gdal_errors
from geo.io.qgis import add_qgis_tables, geometry_kind
from geo.palette import Style, file_layer_style

__all__ = ["FIXED_TIMESTAMP", "one_geometry_type", "require_crs", "settled_columns", "write_gpkg"]

FIXED_TIMESTAMP = "2000-01-01T00:00:00.000Z"
_GEOMETRY_COLUMN = "geom"  # GDAL's name for a GeoPackage layer's geometry column


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


_DIMENSION = {"Point": 0, "MultiPoint": 0, "LineString": 1, "LinearRing": 1,
              "MultiLineString": 1, "Polygon": 2, "MultiPolygon": 2}
_MULTI: dict[int, Any] = {0: shapely.MultiPoint, 1: shapely.MultiLineString,
                          2: shapely.MultiPolygon}


def _parts(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """The simple parts of ``geom`` (collections opened, nested ones too, a ring as a line),
    empty ones left out."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "LinearRing":
        return [shapely.LineString(geom.coords)]
    if geom.geom_type in ("Point", "LineString", "Polygon"):
        return [geom]
    return [p for part in shapely.get_parts(geom) for p in _parts(part)]


def _substantial(part: BaseGeometry, dimension: int) -> bool:
    """A part of the layer's dimension that is not degenerate (no zero-area polygon, no
    zero-length line)."""
    if _DIMENSION[part.geom_type] != dimension:
        return False
    return bool(part.area > 0) if dimension == 2 else bool(part.length > 0) if dimension else True


def one_geometry_type(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """The geometries with one type for the whole layer, as GeoPackage readers expect.

    The layer's dimension is the highest of its parts (polygons over lines over points);
    parts of a lower dimension and degenerate parts (a zero-area sliver beside a polygon)
    are dropped, collections are opened, and when any feature has several parts every
    feature becomes a Multi* geometry. A feature with nothing left is an empty geometry.
    """
    parts = [_parts(g) for g in geometries]
    dims = [_DIMENSION[p.geom_type] for ps in parts for p in ps]
    if not dims:
        return geometries
    dimension = max(dims)
    kept = [[p for p in ps if _substantial(p, dimension)] for ps in parts]
    original = {g.geom_type for g in geometries if g is not None and not g.is_empty}
    multi = any(len(ps) > 1 for ps in kept) or any(t.startswith(("Multi", "Geometry"))
                                                   for t in original)
    if original == {"LinearRing"} or original == {"LinearRing", "LineString"}:
        multi = False
    out: list[BaseGeometry | None] = []
    for ps in kept:
        if not ps:
            out.append(_MULTI[dimension]() if multi else None)
        elif multi:
            out.append(_MULTI[dimension](ps))
        else:
            out.append(ps[0])
    return gpd.GeoSeries(np.array(out, dtype=object), index=geometries.index,
                         crs=geometries.crs, name=geometries.name)


def _all(values: pd.Series, kind: type | tuple[type, ...]) -> bool:
    return len(values) > 0 and all(isinstance(v, kind) for v in values)


def settled_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text-typed (object) columns that hold only booleans or only numbers as boolean or
    numeric columns, so that the file says ``BOOLEAN``/``REAL`` rather than ``TEXT``."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name or out[column].dtype != object:
            continue
        values = out[column].dropna()
        if _all(values, (bool, np.bool_)):
            out[column] = out[column].astype("boolean")
        elif _all(values, (int, float, np.integer, np.floating)) and not _all(values, bool):
            out[column] = pd.to_numeric(out[column])
    return out


def _with_epsg_code(gdf: gpd.GeoDataFrame, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """Give a CRS that matches an EPSG definition its code, so the file registers it."""
    if crs.to_authority() is not None:
        return gdf
    code = crs.to_epsg()
    return gdf if code is None else gdf.set_crs(epsg=code, allow_override=True)


def write_gpkg(
    gdf: gpd.GeoDataFrame, path: str | Path, layer: str, *, append_layer: bool = True,
    lang: Lang | str = Lang.zh, style: Style | None = None, empty_type: str = "MultiPolygon",
) -> Path:
    """Write ``gdf`` as layer ``layer`` of the GeoPackage ``path``.

    The file is a GeoPackage 1.2 (the version GDAL's validator, QGIS and ArcGIS all know);
    the layer gets its QGIS style in ``layer_styles`` and an alias for each field in
    ``gpkg_data_columns`` (:func:`geo.io.qgis.add_qgis_tables`).

    Parameters
    ----------
    gdf
        The layer; must have a CRS. Text columns become ``TEXT`` columns, object columns of
        booleans or numbers ``BOOLEAN``/``REAL`` (:func:`settled_columns`); the geometries get
        one type (:func:`one_geometry_type`).
    path
        The GeoPackage; created if missing.
    layer
        Layer name; a layer of that name already in the file is replaced.
    append_layer
        Add the layer to an existing file (the default); ``False`` replaces the whole file.
    lang
        The language of the field aliases (Chinese by default).
    style
        How QGIS draws the layer; by default the style sijie's maps give a layer of that name
        (:func:`geo.palette.file_layer_style`).
    empty_type
        The layer's geometry type when ``gdf`` has no geometry to tell (areas by default).

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
    frame = settled_columns(frame.set_geometry(one_geometry_type(frame.geometry)))
    if not append_layer and target.exists():
        target.unlink()
    with (
        gdal_config({"OGR_CURRENT_DATE": FIXED_TIMESTAMP}),
        gdal_errors("write", path=target, layer=layer),
    ):
        empty = not bool((frame.geometry.notna() & ~frame.geometry.is_empty).any())
        pyogrio.write_dataframe(frame, target, layer=layer, driver="GPKG",
                                geometry_type=empty_type if empty else None,
                                dataset_options={"VERSION": "1.2"})
    fields = [str(c) for c in frame.columns if c != frame.geometry.name]
    add_qgis_tables(target, layer, geometry_column=_GEOMETRY_COLUMN, fields=fields,
                    geometry=geometry_kind(frame.geom_type.dropna().unique() if not empty
                                           else [empty_type]),
                    style=style if style is not None else file_layer_style(layer), lang=lang,
                    timestamp=FIXED_TIMESTAMP)
    return target
