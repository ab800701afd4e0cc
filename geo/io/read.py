"""Read one map layer from any supported file into a GeoDataFrame with a settled CRS."""

from __future__ import annotations

import codecs
from pathlib import Path

import geopandas as gpd

from geo.crs import resolve_crs
from geo.errors import InputError
from geo.io.archive import choose_zipped, unpacked_shapefile, zipped_shapefiles
from geo.io.dxf import GDAL_DXF_LAYER, select_cad_layer
from geo.io.frames import gdal_layers, read_dxf, read_frame, read_shapefile
from geo.io.kml import kml_to_planning
from geo.io.layers import choose_layer
from geo.io.sources import Source, parse_source

__all__ = ["read_layer"]

_UTF8 = "UTF-8"  # GeoPackage, GeoJSON, FlatGeobuf and KML are UTF-8 by definition


def _read_any(src: Source, encoding: str | None) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read the layer ``src`` names; return the frame, the layer name and the encoding."""
    path = src.path
    if src.kind == "zip":
        chosen = choose_zipped(path, zipped_shapefiles(path, layer=src.layer), src.layer)
        with unpacked_shapefile(path, chosen) as shp:
            frame, used = read_shapefile(shp, path=path, layer=chosen.layer, encoding=encoding)
        return frame, chosen.layer, used
    if src.kind == "shapefile":
        name = choose_layer(path, src.layer, [(path.stem, "shape")])
        frame, used = read_shapefile(path, path=path, layer=name, encoding=encoding)
        return frame, name, used
    if src.kind == "dxf":
        frame, dxf_used = read_dxf(path, encoding=encoding)
        return select_cad_layer(frame, src.layer, path), src.layer or GDAL_DXF_LAYER, dxf_used
    name = choose_layer(path, src.layer, gdal_layers(path, layer=src.layer))
    frame = read_frame(path, name, path=path, layer=name)
    if src.kind in ("kml", "kmz"):
        frame = kml_to_planning(frame)
    return frame, name, _UTF8


def read_layer(
    source: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage, GeoJSON, Shapefile (plain or zipped), KML/KMZ, DXF
    or FlatGeobuf file.

    Parameters
    ----------
    source
        ``path`` or ``path:layer``. A file with several layers needs the layer named. For a
        DXF drawing the layer is a CAD layer (all entities when none is named); for a zip,
        the name of a shapefile in it.
    layer
        The layer, instead of the ``:layer`` suffix.
    crs
        A CRS to declare (``"EPSG:4549"``, ``"GCJ02"`` ...); needed when the file has none,
        as DXF files and shapefiles without ``.prj`` usually do. Wins over the file's CRS.
    encoding
        Text encoding of a shapefile or an old DXF; by default a shapefile's ``.cpg`` is
        honoured and, without one, UTF-8 or GBK is told from the ``.dbf`` bytes.

    Returns
    -------
    GeoDataFrame
        With ``attrs["source"]``, ``attrs["layer"]`` and ``attrs["encoding"]`` set. Closed
        DXF outlines and hatches are polygons with the CAD layer in a ``layer`` column; KML
        placemarks have ``name`` and ``description`` columns.

    Raises
    ------
    InputError
        The file is missing, damaged or unsupported, the layer is unknown or empty, a zip
        holds no shapefile; :class:`~geo.errors.MissingCRSError` when there is no CRS.
    """
    src = parse_source(source, layer)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(
                message_key="encoding_unknown",
                params={"encoding": encoding},
                path=src.path,
                layer=src.layer,
            ) from exc
    frame, name, used = _read_any(src, encoding)
    if len(frame) == 0:
        raise InputError(message_key="no_features", path=src.path, layer=name)
    frame = resolve_crs(frame, declared=crs, path=src.path, layer=name)
    frame.attrs.update({"source": str(src.path), "layer": name, "encoding": used})
    return frame
