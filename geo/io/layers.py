"""What a file holds: one :class:`LayerInfo` per layer, and choosing a layer to read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import pyogrio
import pyproj

from geo.errors import InputError
from geo.i18n import Text
from geo.io.archive import (
    SINGLE_FILE_SUFFIX,
    ZippedDataset,
    choose_zipped,
    inner_layer,
    unpacked_dataset,
    zipped_datasets,
)
from geo.io.dxf import GDAL_DXF_LAYER, select_cad_layer
from geo.io.encoding import shapefile_encoding, text_file_encoding
from geo.io.formats import Kind
from geo.io.frames import CSV_OPEN_OPTIONS, gdal_layers, geometry_summary, read_dxf, read_frame
from geo.io.gdal_env import gdal_errors
from geo.io.sources import parse_source

__all__ = ["LayerInfo", "choose_layer", "layer_names", "list_layers"]

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class LayerInfo:
    """A summary of one layer, as ``sijie info FILE`` shows it.

    Attributes
    ----------
    name
        Layer name to pass as ``FILE:LAYER``.
    geometry_type
        E.g. ``"Polygon"``; ``"Mixed (...)"`` for several; ``None`` for a plain table.
    feature_count
        Number of features.
    crs
        E.g. ``"EPSG:4549"``; ``None`` when the file names none.
    bounds
        ``(minx, miny, maxx, maxy)`` in the layer's CRS; ``None`` when empty.
    encoding
        Text encoding the layer is read with, when the format has a choice.
    """

    name: str
    geometry_type: str | None
    feature_count: int
    crs: str | None
    bounds: Bounds | None
    encoding: str | None


def choose_layer(
    path: Path, requested: str | None, available: list[tuple[str, str | None]]
) -> str:
    """Return the layer to read: ``requested`` if it exists, else the only map layer.

    Raises
    ------
    InputError
        The requested layer does not exist, or none was named and there are several;
        the message lists the layer names.
    """
    names = [name for name, _ in available]
    listing = ", ".join(f"'{n}'" for n in names) or Text("none")
    if requested is not None:
        if requested in names:
            return requested
        raise InputError(message_key="layer_not_found", params={"layers": listing}, path=path,
                         layer=requested)
    spatial = [name for name, gtype in available if gtype is not None] or names
    if len(spatial) == 1:
        return spatial[0]
    if not spatial:
        raise InputError(message_key="no_layers", path=path)
    raise InputError(
        message_key="several_layers",
        params={"count": len(spatial), "example": f"{path}:{spatial[0]}", "layers": listing},
        path=path,
    )


def _crs_text(crs: Any) -> str | None:
    if crs is None:
        return None
    parsed = pyproj.CRS.from_user_input(crs)
    authority = parsed.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else parsed.to_string()


def _bounds(values: Any) -> Bounds | None:
    if values is None:
        return None
    floats = tuple(float(v) for v in values)
    if len(floats) != 4 or not all(math.isfinite(v) for v in floats):
        return None
    return floats


def _info(
    gdal_path: Path, gdal_layer: str | int, *, path: Path, name: str, encoding: str | None,
    open_options: dict[str, str] | None = None,
) -> LayerInfo:
    with gdal_errors("read", path=path, layer=name):
        info = pyogrio.read_info(
            gdal_path,
            layer=gdal_layer,
            encoding=encoding,
            force_feature_count=True,
            force_total_bounds=True,
            **(open_options or {}),
        )
        gtype = info["geometry_type"]
        if gtype == "Unknown" and info["features"]:
            frame = read_frame(gdal_path, gdal_layer, path=path, layer=name,  # type: ignore[arg-type]
                               encoding=encoding, open_options=open_options)
            gtype = geometry_summary(frame.geometry)
        crs = _crs_text(info["crs"])
    return LayerInfo(
        name=name,
        geometry_type=gtype,
        feature_count=int(info["features"]),
        crs=crs,
        bounds=_bounds(info["total_bounds"]),
        encoding=encoding or info.get("encoding"),
    )


def _dxf_infos(path: Path, layer: str | None) -> list[LayerInfo]:
    frame, encoding = read_dxf(path)
    frame = select_cad_layer(frame, layer, path)
    groups: list[tuple[str, gpd.GeoDataFrame]]
    if layer == GDAL_DXF_LAYER:
        groups = [(GDAL_DXF_LAYER, frame)]
    else:
        # a GeoDataFrame's groups are GeoDataFrames; the stubs type them as plain DataFrames
        groups = [(str(k), cast(gpd.GeoDataFrame, g))
                  for k, g in frame.groupby("layer", sort=True, dropna=True)]
    return [
        LayerInfo(
            name=name,
            geometry_type=geometry_summary(group.geometry),
            feature_count=len(group),
            crs=_crs_text(group.crs),
            bounds=_bounds(group.total_bounds),
            encoding=encoding,
        )
        for name, group in groups
    ]


def _zipped_infos(unpacked: Path, dataset: ZippedDataset, path: Path, layer: str | None
                  ) -> list[LayerInfo]:
    """The layers of one unpacked dataset of the zip ``path``, named as the user knows them."""
    if dataset.kind == "filegdb":
        available = gdal_layers(unpacked, layer=layer)
        wanted = None if layer == dataset.layer else layer
        names = [choose_layer(path, wanted, available)] if wanted else [n for n, _ in available]
        return [_info(unpacked, n, path=path, name=n, encoding=None) for n in names]
    encoding = None
    if dataset.kind == "shapefile":
        with gdal_errors("read", path=path, layer=dataset.layer):
            encoding = shapefile_encoding(unpacked)
    return [_info(unpacked, unpacked.stem, path=path, name=dataset.layer, encoding=encoding)]


def _file_infos(gdal_path: Path, kind: Kind, layer: str | None, *, path: Path,
                one_layer: str) -> list[LayerInfo]:
    """The layers of the file GDAL opens at ``gdal_path`` (``path`` in messages); a file of
    one layer named after itself is shown as ``one_layer``."""
    if kind == "dxf":
        return _dxf_infos(gdal_path, layer)
    if kind == "shapefile":
        choose_layer(path, layer, [(one_layer, "shape")])
        with gdal_errors("read", path=path, layer=one_layer):
            encoding = shapefile_encoding(gdal_path)
        return [_info(gdal_path, gdal_path.stem, path=path, name=one_layer, encoding=encoding)]
    if kind == "csv":
        choose_layer(path, layer, [(one_layer, "csv")])
        with gdal_errors("read", path=path, layer=one_layer):
            encoding = text_file_encoding(gdal_path)
        return [_info(gdal_path, 0, path=path, name=one_layer, encoding=encoding,
                      open_options=CSV_OPEN_OPTIONS)]
    if kind == "tab":
        choose_layer(path, layer, [(one_layer, "tab")])
        return [_info(gdal_path, gdal_path.stem, path=path, name=one_layer, encoding=None)]
    available = gdal_layers(gdal_path, layer=layer)
    names = [choose_layer(path, layer, available)] if layer else [n for n, _ in available]
    return [_info(gdal_path, n, path=path, name=one_layer if n == gdal_path.stem else n,
                  encoding=None) for n in names]


def list_layers(source: str | Path) -> list[LayerInfo]:
    """Describe the layers of a file (or only the one named in ``path:layer``).

    For a DXF drawing there is one entry per CAD layer; for a zip, one per Shapefile or TAB
    file, or per layer of the FileGDB or other file in it.

    Raises
    ------
    InputError
        The file is missing, unreadable, or the named layer does not exist.
    """
    src = parse_source(source)
    path = src.path
    if src.kind != "zip":
        return _file_infos(path, src.kind, src.layer, path=path, one_layer=path.stem)
    datasets = zipped_datasets(path, layer=src.layer)
    if src.layer is not None:
        datasets = [choose_zipped(path, datasets, src.layer)]
    infos = []
    for dataset in datasets:
        with unpacked_dataset(path, dataset) as unpacked:
            if dataset.kind in SINGLE_FILE_SUFFIX:
                infos.extend(_file_infos(unpacked, dataset.kind,
                                         inner_layer(dataset, src.layer), path=path,
                                         one_layer=dataset.layer))
            else:
                infos.extend(_zipped_infos(unpacked, dataset, path, src.layer))
    return infos


def layer_names(source: str | Path) -> list[str]:
    """The names of a file's layers, as :func:`list_layers` gives them, without measuring
    each layer (a GeoPackage's names come from one listing: no counts, bounds or CRS).

    Raises
    ------
    InputError
        As :func:`list_layers`.
    """
    src = parse_source(source)
    if src.kind in ("dxf", "shapefile", "csv", "tab", "zip") or src.layer is not None:
        return [info.name for info in list_layers(source)]
    return [name for name, _ in gdal_layers(src.path)]
