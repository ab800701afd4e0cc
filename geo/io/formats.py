"""The vector formats sijie reads, told apart by content (GDAL's driver identification).

One allow-list serves the command line and the service: a file is opened only when GDAL
identifies it as one of :data:`DRIVER_KINDS`' drivers; any other format GDAL knows is refused
by name. A zip archive is a container: the one dataset it holds (Shapefile, FileGDB folder,
MapInfo TAB, or one file of another accepted format; :mod:`geo.io.archive`) decides how it is
read, and a zip that GDAL reads as KML is a KMZ. A folder is accepted only when GDAL
identifies it as a FileGDB.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

import pyogrio

from geo.errors import InputError
from geo.i18n import Text
from geo.io.gdal_env import SANDBOX, gdal_config, gdal_errors, identify_driver

__all__ = ["ACCEPTED", "DRIVER_KINDS", "UPLOAD_TYPES", "Kind", "accepted_text", "detect_kind",
           "driver_of"]

Kind = Literal["gpkg", "geojson", "shapefile", "zip", "kml", "kmz", "dxf", "flatgeobuf", "csv",
               "filegdb", "tab"]

#: GDAL driver → how sijie reads what it opens; every other driver is refused
DRIVER_KINDS: dict[str, Kind] = {
    "GPKG": "gpkg",
    "GeoJSON": "geojson",
    "ESRI Shapefile": "shapefile",
    "KML": "kml",
    "LIBKML": "kml",
    "DXF": "dxf",
    "FlatGeobuf": "flatgeobuf",
    "CSV": "csv",
    "OpenFileGDB": "filegdb",
    "MapInfo File": "tab",
}

#: an uploaded file's extension → the format it claims and the drivers allowed to open it
#: (a file cannot be uploaded as a folder, so a FileGDB, a TAB or a Shapefile comes zipped)
UPLOAD_TYPES: dict[str, tuple[Kind, frozenset[str]]] = {
    ".zip": ("zip", frozenset({"ESRI Shapefile", "MapInfo File", "OpenFileGDB"})),
    ".gpkg": ("gpkg", frozenset({"GPKG"})),
    ".kml": ("kml", frozenset({"LIBKML", "KML"})),
    ".kmz": ("kmz", frozenset({"LIBKML", "KML"})),
    ".dxf": ("dxf", frozenset({"DXF"})),
    ".geojson": ("geojson", frozenset({"GeoJSON"})),
    ".json": ("geojson", frozenset({"GeoJSON"})),
    ".csv": ("csv", frozenset({"CSV"})),
    ".fgb": ("flatgeobuf", frozenset({"FlatGeobuf"})),
}

#: the formats a user may give, as a list for messages (the same for the CLI and the API)
ACCEPTED: tuple[str, ...] = (
    "GeoPackage (.gpkg)",
    "GeoJSON (.geojson, .json)",
    "Shapefile (.shp, .zip)",
    "FileGDB (.gdb, .gdb.zip)",
    "MapInfo TAB (.tab, .zip)",
    "KML/KMZ (.kml, .kmz)",
    "DXF (.dxf)",
    "CSV (WKT, X/Y) (.csv)",
    "FlatGeobuf (.fgb)",
)


def accepted_text() -> str:
    """The accepted formats as one line for a message."""
    return ", ".join(ACCEPTED)


def driver_of(path: str | Path) -> str:
    """The GDAL vector driver that would open ``path`` (``""`` when none would); ``path`` may
    be a GDAL virtual path (``/vsizip//archive.zip/member``).

    Asked with the sandbox options on, so no sibling file or network resource is probed.
    """
    with gdal_config(SANDBOX):
        driver = identify_driver(path)
        if driver is None:  # GDAL cannot be asked directly: open the file to see
            try:
                driver = str(pyogrio.read_info(path)["driver"])
            except Exception:  # any failure means: not recognised
                driver = ""
    return driver


def _refuse(path: Path, layer: str | None, driver: str) -> InputError:
    if not driver:
        return InputError(message_key="format_unrecognised",
                          params={"suffix": path.suffix or Text("none_paren"),
                                  "known": accepted_text()},
                          path=path, layer=layer)
    return InputError(message_key="format_refused",
                      params={"driver": driver, "known": accepted_text()},
                      path=path, layer=layer)


def detect_kind(path: Path, *, layer: str | None = None) -> Kind:
    """How to read ``path``, decided by its content.

    Raises
    ------
    InputError
        GDAL does not recognise the file, or recognises a format outside the allow-list
        (the message names it and lists the accepted formats); a folder that is no FileGDB.
    """
    if path.is_dir():
        driver = driver_of(path)
        if driver == "OpenFileGDB":
            return "filegdb"
        if not driver:
            raise InputError(message_key="is_folder", path=path, layer=layer)
        raise _refuse(path, layer, driver)
    with gdal_errors("read", path=path, layer=layer):
        is_zip = zipfile.is_zipfile(path)
    driver = driver_of(path)
    if is_zip:
        return "kmz" if driver in ("LIBKML", "KML") else "zip"
    kind = DRIVER_KINDS.get(driver)
    if kind is None:
        raise _refuse(path, layer, driver)
    return kind
