"""Low-level reads through pyogrio, with GDAL failures turned into :class:`InputError`."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import InputError
from geo.io.dxf import GDAL_DXF_LAYER, dxf_encoding, dxf_to_planning
from geo.io.encoding import cut_name, shapefile_encoding, text_file_encoding
from geo.io.gdal_env import gdal_config, gdal_errors

__all__ = ["CSV_OPEN_OPTIONS", "gdal_layers", "geometry_summary", "read_csv", "read_dxf",
           "read_frame", "read_shapefile"]

_BYTES = "ISO-8859-1"  # one character per byte: text read so keeps its bytes

#: where GDAL's CSV driver looks for the geometry: a WKT column, or X/Y (lon/lat) columns
CSV_OPEN_OPTIONS = {
    "GEOM_POSSIBLE_NAMES": ("WKT,wkt_geom,geom_wkt,geometry,geom,the_geom,shape,几何,坐标串,"
                            "空间信息"),
    "X_POSSIBLE_NAMES": "x,X,lon,Lon,LON,lng,longitude,Longitude,经度,X坐标,东坐标",
    "Y_POSSIBLE_NAMES": "y,Y,lat,Lat,LAT,latitude,Latitude,纬度,Y坐标,北坐标",
    "KEEP_GEOM_COLUMNS": "NO",
    "AUTODETECT_TYPE": "YES",
}

def gdal_layers(path: Path, *, layer: str | None = None, nonempty: bool = False
                ) -> list[tuple[str, str | None]]:
    """Names and GDAL geometry types (``None`` for plain tables) of the layers in ``path``.

    Parameters
    ----------
    path
        The file.
    layer
        The layer asked for, only to be named in an error message.
    nonempty
        Leave out layers without features (a KML's empty folders), unless all are empty.
    """
    with gdal_errors("read", path=path, layer=layer):
        rows = [(str(name), None if gtype is None else str(gtype))
                for name, gtype in pyogrio.list_layers(path)]
        if nonempty and len(rows) > 1:
            kept = [(name, gtype) for name, gtype in rows
                    if pyogrio.read_info(path, layer=name)["features"] != 0]
            rows = kept or rows
    return rows


def read_frame(
    gdal_path: Path,
    gdal_layer: str,
    *,
    path: Path,
    layer: str,
    encoding: str | None = None,
    open_options: dict[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer and insist that it has a geometry column.

    Parameters
    ----------
    gdal_path, gdal_layer
        What GDAL opens (e.g. an unpacked temporary copy) and the layer in it.
    path, layer
        What the user named; these appear in error messages.
    encoding
        Passed to pyogrio as ``encoding=``.
    open_options
        GDAL open options of the driver.
    """
    with gdal_errors("read", path=path, layer=layer):
        frame = pyogrio.read_dataframe(gdal_path, layer=gdal_layer, encoding=encoding,
                                       **(open_options or {}))
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(message_key="table_without_geometry", path=path, layer=layer)
    return frame


def _text_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """The columns holding text: object columns, and pandas 3's string columns."""
    return [c for c in frame.columns if c != frame.geometry.name
            and (frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype))]


def _read_names_cut(shp: Path, *, path: Path, layer: str, encoding: str
                    ) -> gpd.GeoDataFrame | None:
    """A shapefile whose field names were cut inside a character at the 10-byte limit (as
    GDAL cuts UTF-8 names), read byte for byte as ISO-8859-1 and its text decoded with
    ``encoding``, the cut character left out of the names; ``None`` if the text does not
    decode so."""
    frame = read_frame(shp, shp.stem, path=path, layer=layer, encoding=_BYTES)
    names = {c: c if c == frame.geometry.name else cut_name(str(c).encode(_BYTES), encoding)
             for c in frame.columns}
    if None in names.values():
        return None
    try:
        for column in _text_columns(frame):
            frame[column] = frame[column].map(
                lambda v: v.encode(_BYTES).decode(encoding) if isinstance(v, str) else v)
    except UnicodeDecodeError:
        return None
    return frame.rename(columns=names)


def read_shapefile(
    shp: Path, *, path: Path, layer: str, encoding: str | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a shapefile with the encoding given, its ``.cpg``'s, or the one sniffed.

    A ``.cpg`` that the text does not decode with is overruled by the sniffed encoding.

    Returns
    -------
    tuple
        The frame and the encoding used.
    """
    with gdal_errors("read", path=path, layer=layer):
        used = encoding or shapefile_encoding(shp)
    try:
        return read_frame(shp, shp.stem, path=path, layer=layer, encoding=used), used
    except InputError as err:
        if not isinstance(err.__cause__, UnicodeDecodeError):
            raise
        with gdal_errors("read", path=path, layer=layer):
            sniffed = shapefile_encoding(shp, use_cpg=False)
        if encoding is None and sniffed != used:  # a .cpg that does not match the data
            return read_frame(shp, shp.stem, path=path, layer=layer, encoding=sniffed), sniffed
        transcoded = _read_names_cut(shp, path=path, layer=layer, encoding=used)
        if transcoded is not None:
            return transcoded, used
        raise InputError(
            message_key="text_encoding_invalid",
            params={"encoding": used},
            path=path,
            layer=layer,
        ) from err.__cause__


def read_csv(csv: Path, *, path: Path, layer: str, encoding: str | None = None
             ) -> tuple[gpd.GeoDataFrame, str]:
    """Read a CSV table whose geometry is a WKT column or X/Y columns; the encoding given, or
    UTF-8 (with or without a byte-order mark), GBK or GB18030 as the bytes show.

    Raises
    ------
    InputError
        No geometry column was found (the message names the columns there are).
    """
    with gdal_errors("read", path=path, layer=layer):
        used = encoding or text_file_encoding(csv)
        frame = pyogrio.read_dataframe(csv, layer=0, encoding=used, **CSV_OPEN_OPTIONS)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(message_key="csv_no_geometry",
                         params={"columns": ", ".join(map(str, frame.columns))},
                         path=path, layer=layer)
    return frame, used


def read_dxf(path: Path, *, encoding: str | None = None) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read every entity of a DXF drawing, closed outlines as polygons.

    Returns
    -------
    tuple
        The frame (CAD layer in column ``layer``) and the text encoding used, if known.
    """
    with gdal_errors("read", path=path, layer=GDAL_DXF_LAYER):
        used = encoding or dxf_encoding(path)
    options = {"DXF_ENCODING": used} if used else {}
    with gdal_config(options):
        frame = read_frame(path, GDAL_DXF_LAYER, path=path, layer=GDAL_DXF_LAYER)
    return dxf_to_planning(frame), used


def geometry_summary(geometries: gpd.GeoSeries) -> str | None:
    """One geometry type name for a set of geometries, e.g. ``"Polygon"`` or ``"Mixed"``."""
    kinds = sorted(pd.unique(geometries.geom_type.dropna().to_numpy()))
    if not kinds:
        return None
    return kinds[0] if len(kinds) == 1 else "Mixed (" + ", ".join(kinds) + ")"
