"""Read one map layer from any supported file into a GeoDataFrame with a settled CRS."""

from __future__ import annotations

import codecs
from pathlib import Path

import geopandas as gpd

from geo.crs import resolve_crs
from geo.errors import InputError
from geo.io.archive import choose_zipped, inner_layer, unpacked_dataset, zipped_datasets
from geo.io.dxf import GDAL_DXF_LAYER, select_cad_layer
from geo.io.formats import Kind
from geo.io.frames import gdal_layers, read_csv, read_dxf, read_frame, read_shapefile
from geo.io.gdal_env import gdal_config
from geo.io.kml import KML_READ_OPTIONS, kml_to_planning
from geo.io.layers import choose_layer
from geo.io.sources import Source, parse_source

__all__ = ["read_layer"]

_UTF8 = "UTF-8"  # GeoPackage, GeoJSON, FlatGeobuf, FileGDB and KML are UTF-8 by definition


def _read_dataset(
    gdal_path: Path, kind: Kind, *, path: Path, layer: str | None, shown: str | None,
    encoding: str | None,
) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read ``layer`` of what GDAL opens at ``gdal_path`` (``shown`` names a one-layer file);
    return the frame, the layer name a user knows and the encoding used."""
    if kind == "shapefile":
        name = choose_layer(path, layer, [(shown or path.stem, "shape")])
        frame, used = read_shapefile(gdal_path, path=path, layer=name, encoding=encoding)
        return frame, name, used
    if kind == "csv":
        name = choose_layer(path, layer, [(shown or path.stem, "csv")])
        frame, used = read_csv(gdal_path, path=path, layer=name, encoding=encoding)
        return frame, name, used
    if kind == "dxf":
        frame, dxf_used = read_dxf(gdal_path, encoding=encoding)
        return select_cad_layer(frame, layer, path), layer or GDAL_DXF_LAYER, dxf_used
    if kind == "tab":  # one layer; GDAL converts from the charset its header declares
        name = choose_layer(path, layer, [(shown or path.stem, "tab")])
        return read_frame(gdal_path, gdal_path.stem, path=path, layer=name), name, _UTF8
    if kind in ("kml", "kmz"):  # a Google Earth file's folders are layers, many of them empty
        with gdal_config(KML_READ_OPTIONS):
            name = choose_layer(path, layer, gdal_layers(gdal_path, layer=layer, nonempty=True))
            frame = read_frame(gdal_path, name, path=path, layer=name)
        return kml_to_planning(frame), name, _UTF8
    if layer is not None:  # a layer named is read at once: no listing of the file first
        try:
            return read_frame(gdal_path, layer, path=path, layer=layer), layer, _UTF8
        except InputError:
            pass  # refused below by the listing, naming the layers there are, or read again
    name = choose_layer(path, layer, gdal_layers(gdal_path, layer=layer))
    # a one-layer file unpacked from a zip is named after its file, not the copy's name
    shown_name = shown if shown is not None and name == gdal_path.stem else name
    return read_frame(gdal_path, name, path=path, layer=shown_name), shown_name, _UTF8


def _read_any(src: Source, encoding: str | None) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read the layer ``src`` names; return the frame, the layer name and the encoding."""
    path = src.path
    if src.kind != "zip":
        return _read_dataset(path, src.kind, path=path, layer=src.layer, shown=None,
                             encoding=encoding)
    chosen = choose_zipped(path, zipped_datasets(path, layer=src.layer), src.layer)
    # a FileGDB or a GeoPackage holds layers of its own; a zipped Shapefile or TAB is the layer
    inner = inner_layer(chosen, src.layer)
    with unpacked_dataset(path, chosen) as unpacked:
        return _read_dataset(unpacked, chosen.kind, path=path, layer=inner, shown=chosen.layer,
                             encoding=encoding)


def read_layer(
    source: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage, GeoJSON, Shapefile (plain or zipped), FileGDB (folder
    or zipped), MapInfo TAB (plain or zipped), KML/KMZ, DXF, CSV or FlatGeobuf file.

    The format is told from the content; formats GDAL reads but sijie does not accept are
    refused by name (:mod:`geo.io.formats`).

    Parameters
    ----------
    source
        ``path`` or ``path:layer``. A file with several layers needs the layer named. For a
        DXF drawing the layer is a CAD layer (all entities when none is named); for a zip,
        the name of a dataset in it (or of a layer of the one FileGDB in it).
    layer
        The layer, instead of the ``:layer`` suffix.
    crs
        A CRS to declare (``"EPSG:4549"``, ``"GCJ02"`` ...); needed when the file has none,
        as DXF files, CSV tables and shapefiles without ``.prj`` usually do. Wins over the
        file's CRS.
    encoding
        Text encoding of a shapefile, CSV table or old DXF; by default a shapefile's ``.cpg``
        is honoured and, without one, UTF-8 or GBK is told from the bytes.

    Returns
    -------
    GeoDataFrame
        With ``attrs["source"]``, ``attrs["layer"]``, ``attrs["encoding"]`` and
        ``attrs["declared_crs"]`` (the ``crs`` asked for, if any) set. Closed DXF outlines and
        hatches are polygons with the CAD layer in a ``layer`` column; KML placemarks have
        ``name`` and ``description`` columns.

    Raises
    ------
    InputError
        The file is missing, damaged or unsupported, the layer is unknown or empty, a zip
        holds no dataset; :class:`~geo.errors.MissingCRSError` when there is no CRS.
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
    frame.attrs.update({"source": str(src.path), "layer": name, "encoding": used,
                        "declared_crs": crs})
    return frame
