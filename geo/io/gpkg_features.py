"""Read a plain GeoPackage's one feature layer with SQLite alone, as GDAL would read it.

A command that only needs a small proposal layer would otherwise load GDAL's bindings with
pandas and geopandas, most of its start-up time. :func:`read_gpkg_features` reads the
GeoPackage tables with the standard library's ``sqlite3`` and the geometry blobs with shapely,
and gives the same geometries, values and CRS as :func:`geo.io.read_layer`.

It reads only what it reads exactly as GDAL does. For anything else it declines, returning
``None``, and the caller reads the file with :func:`geo.io.read_layer`, which also makes the
proper error for a file that cannot be used: a file that is no GeoPackage, a ``path:layer``
source, a GeoPackage with several feature layers, none or no features, a layer without a
CRS, a zone-prefixed GK CRS (which :func:`geo.crs.resolve_crs` converts), a column type or
value GDAL would convert, a geometry blob it cannot decode, any SQLite error.
"""

from __future__ import annotations

import math
import re
import sqlite3
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from pyproj.exceptions import CRSError as PyprojCRSError
from shapely.geometry.base import BaseGeometry

from geo.crs.detect import check_plausible, zone_prefixed_epsg
from geo.features import FeatureTable

__all__ = ["read_gpkg_features"]

_SQLITE_HEADER = b"SQLite format 3\x00"
_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # GeoPackage 1.2+, 1.0, 1.1
_APPLICATION_ID_OFFSET = 68  # of the database header, big-endian

# GeoPackage geometry blob header: "GP", version 0, flags, srs_id, then the envelope, whose
# size the flags' bits 1-3 give (none, xy, xyz, xym, xyzm)
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_EXTENDED_TYPE_FLAG = 0b0010_0000
_RESERVED_FLAGS = 0b1100_0000

# the WKB geometry types of the standard (Point … GeometryCollection), 2D and ISO Z; M
# coordinates are left to GDAL, whose reading drops them
_WKB_TYPES = frozenset(range(1, 8)) | frozenset(range(1001, 1008))


class _Decline(Exception):
    """The file is one GDAL reads differently, or not at all: leave it to GDAL."""


def _float32(value: float) -> float:
    """``value`` as the 4-byte float GDAL reads from a ``FLOAT`` column."""
    try:
        rounded: float = struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:  # beyond a 4-byte float: GDAL's own rounding decides
        raise _Decline from None
    return rounded


def _column_reader(declared: str) -> Callable[[list[object]], tuple[object, ...]]:
    """How to turn a column's SQLite values into the values GDAL's reading gives pandas.

    Integer and boolean columns with a missing value come out as floats with NaN (pandas has
    no missing integer in a plain column); a value of another storage class than the
    declared type's is one GDAL would convert: declined.
    """
    kind = re.sub(r"\(\s*\d+\s*\)$", "", declared.strip()).strip().upper()
    if kind == "TEXT":
        return lambda values: _checked(values, (str,), None)
    if kind == "BLOB":
        return lambda values: _checked(values, (bytes,), None)
    if kind in ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT"):
        return lambda values: _integers(values, None)
    if kind == "BOOLEAN":
        return lambda values: _integers(values, bool)
    if kind in ("DOUBLE", "REAL"):
        return lambda values: _checked(values, (float, int), float)
    if kind == "FLOAT":
        return lambda values: _checked(values, (float, int), _float32)
    raise _Decline  # dates and times, and types GPKG does not name


def _checked(values: list[object], kinds: tuple[type, ...],
             convert: Callable[[float], float] | None) -> tuple[object, ...]:
    """``values`` of the storage classes ``kinds`` (``None`` kept missing, or NaN for a number
    column), each passed through ``convert``."""
    out: list[object] = []
    for value in values:
        if value is None:
            out.append(None if convert is None else math.nan)
        elif type(value) in kinds and not (type(value) is str and "\x00" in value):
            # (GDAL reads text up to its first NUL character)
            out.append(value if convert is None else convert(value))  # type: ignore[arg-type]
        else:
            raise _Decline
    return tuple(out)


def _integers(values: list[object], convert: type[bool] | None) -> tuple[object, ...]:
    if any(value is not None and type(value) is not int for value in values):
        raise _Decline
    if any(value is None for value in values):
        return tuple(math.nan if value is None else float(value)  # type: ignore[arg-type]
                     for value in values)
    return tuple(values if convert is None else (convert(value) for value in values))


def _is_geopackage(path: Path) -> bool:
    """Whether ``path`` is an SQLite database that calls itself a GeoPackage."""
    with path.open("rb") as handle:
        header = handle.read(100)
    return (len(header) == 100 and header.startswith(_SQLITE_HEADER)
            and header[_APPLICATION_ID_OFFSET:_APPLICATION_ID_OFFSET + 4] in _APPLICATION_IDS)


def _wkb(blob: object) -> bytes | None:
    """The WKB in a GeoPackage geometry blob; ``None`` for a missing geometry."""
    if blob is None:
        return None
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:3] != b"GP\x00":
        raise _Decline
    flags = blob[3]
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None or flags & (_EXTENDED_TYPE_FLAG | _RESERVED_FLAGS):
        raise _Decline
    wkb = blob[8 + envelope:]
    if len(wkb) < 5 or wkb[0] not in (0, 1):
        raise _Decline
    (kind,) = struct.unpack("<I" if wkb[0] == 1 else ">I", wkb[1:5])
    if kind not in _WKB_TYPES:
        raise _Decline
    return wkb


def _geometries(blobs: Sequence[object]) -> npt.NDArray[np.object_]:
    wkbs = np.array([_wkb(blob) for blob in blobs], dtype=object)
    try:
        shapes: npt.NDArray[np.object_] = np.asarray(shapely.from_wkb(wkbs), dtype=object)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        raise _Decline from None
    if any(isinstance(s, BaseGeometry) and shapely.has_m(s) for s in shapes):
        raise _Decline
    return shapes


def _crs(db: sqlite3.Connection, srs_id: object) -> pyproj.CRS:
    """The CRS of ``srs_id`` as GDAL reads it: the EPSG code the table names, else the WKT."""
    if type(srs_id) is not int or srs_id <= 0:
        raise _Decline  # 0 and -1 are GeoPackage's undefined geographic and cartesian CRS
    row = db.execute("SELECT organization, organization_coordsys_id, definition "
                     "FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone()
    if row is None:
        raise _Decline
    organization, code, definition = row
    try:
        written = (None if not isinstance(definition, str)
                   or definition.strip() in ("", "undefined") else pyproj.CRS.from_wkt(definition))
        if (isinstance(organization, str) and organization.upper() == "EPSG"
                and code == srs_id):
            crs = pyproj.CRS.from_epsg(srs_id)
            if written is not None and written != crs:
                raise _Decline  # the code and the definition disagree: GDAL weighs them
            return crs
        if written is None:
            raise _Decline
        crs = written
    except PyprojCRSError:
        raise _Decline from None
    # GDAL names a CRS by the authority code its WKT carries at the top, when it has one
    ident = crs.to_json_dict().get("id")
    if isinstance(ident, dict) and str(ident.get("authority")).upper() == "EPSG":
        try:
            return pyproj.CRS.from_epsg(int(ident["code"]))
        except (PyprojCRSError, ValueError, TypeError):
            raise _Decline from None
    return crs


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _feature_layer(db: sqlite3.Connection) -> tuple[str, str, object]:
    """The one feature table's name, geometry column and srs_id."""
    kinds = [kind for (kind,) in db.execute("SELECT data_type FROM gpkg_contents")]
    if kinds.count("features") != 1 or not set(kinds) <= {"features", "attributes"}:
        raise _Decline  # several layers to choose from, none, or tiles GDAL would list too
    columns = db.execute("SELECT g.table_name, g.column_name, g.srs_id "
                         "FROM gpkg_geometry_columns g").fetchall()
    (contents,) = db.execute("SELECT table_name FROM gpkg_contents "
                             "WHERE data_type = 'features'").fetchone()
    if len(columns) != 1 or columns[0][0] != contents:
        raise _Decline
    table, geometry, srs_id = columns[0]
    return str(table), str(geometry), srs_id


def _read(db: sqlite3.Connection) -> FeatureTable:
    table, geometry_column, srs_id = _feature_layer(db)
    info = db.execute(f"PRAGMA table_xinfo({_quoted(table)})").fetchall()
    keys = [row for row in info if row[5]]
    if (len(keys) != 1 or keys[0][2].upper() != "INTEGER"
            or any(row[6] for row in info)):  # hidden or generated columns
        raise _Decline
    fid = keys[0][1]
    fields = [row for row in info if row[1] not in (fid, geometry_column)]
    if len(fields) + 2 != len(info) or any(row[1].lower() == "geometry" for row in fields):
        raise _Decline  # no geometry column, or a field pandas would confuse with it
    readers = [_column_reader(row[2]) for row in fields]
    names = [_quoted(row[1]) for row in fields]
    rows = db.execute(f"SELECT {', '.join([_quoted(geometry_column), *names])} "
                      f"FROM {_quoted(table)} ORDER BY {_quoted(fid)}").fetchall()
    if not rows:
        raise _Decline
    columns = list(zip(*rows, strict=True))
    return FeatureTable(
        layer=table,
        columns=tuple(row[1] for row in fields),
        values=tuple(read(list(values)) for read, values in zip(readers, columns[1:],
                                                                  strict=True)),
        geometry=_geometries(columns[0]),
        crs=_crs(db, srs_id),
    )


def read_gpkg_features(source: str | Path) -> FeatureTable | None:
    """The one feature layer of the GeoPackage ``source``, or ``None`` to leave it to GDAL.

    Parameters
    ----------
    source
        The file, as a user gives it; a ``path:layer`` source is left to GDAL.

    Returns
    -------
    FeatureTable or None
        The layer with its CRS checked as :func:`geo.crs.resolve_crs` checks it; ``None``
        when the file is not one this reader reads exactly as :func:`geo.io.read_layer` does
        (see the module's description).

    Raises
    ------
    CRSError
        The coordinates cannot be right in the layer's CRS (lon/lat swapped, outside China).
    """
    path = Path(source)
    try:
        # a GeoPackage that is also a zip archive is read as a zip (geo.io.formats)
        if not path.is_file() or not _is_geopackage(path) or zipfile.is_zipfile(path):
            return None
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        db = sqlite3.connect(uri, uri=True)
        try:
            table = _read(db)
        finally:
            db.close()
    except (_Decline, sqlite3.Error, OSError):
        return None
    if table.crs is None or zone_prefixed_epsg(table.crs) is not None:
        return None
    check_plausible(table.crs, table.bounds(), path=path, layer=table.layer)
    return table
