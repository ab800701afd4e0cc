"""The upload gate: untrusted bytes in, a proposal layer out, or a refusal with a 4xx reason.

Bureau staff upload a zipped Shapefile, FileGDB or MapInfo TAB, a GeoPackage, KML/KMZ, DXF,
CSV, GeoJSON or FlatGeobuf (the formats of :data:`geo.io.formats.UPLOAD_TYPES`, the command
line's too), each of the single-file ones also zipped, one dataset to a zip.
Nothing the client says is trusted: the file name only hints at the type, the content is
sniffed in Python (zip headers, the SQLite header and GeoPackage tables, XML without DTDs,
JSON) before GDAL sees it, files are saved under names the server chooses inside the caller's
work folder, GDAL must identify each one as the single driver its type allows, and GDAL
runs with network access and sibling-file probing turned off.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Unpack
from uuid import uuid4

import defusedxml.ElementTree as safe_xml
import geopandas as gpd
import pyogrio
from defusedxml import DefusedXmlException

from api.json_checks import JSONRefused, load_json
from geo.crs import resolve_crs
from geo.errors import CRSError, InputError, InputErrorOptions, MissingCRSError
from geo.i18n import N_, OneOf, Text
from geo.io.archive import (
    SINGLE_FILE_SUFFIX,
    ZippedDataset,
    choose_zipped,
    inner_layer,
    zipped_datasets,
)
from geo.io.dxf import GDAL_DXF_LAYER, select_cad_layer
from geo.io.formats import UPLOAD_TYPES
from geo.io.frames import gdal_layers, read_csv, read_dxf, read_frame, read_shapefile
from geo.io.gdal_env import SANDBOX, gdal_config, gdal_errors, identify_driver
from geo.io.kml import KML_READ_OPTIONS, kml_to_planning
from geo.io.layers import choose_layer

__all__ = [
    "FORM_FIELDS", "Reworded", "UploadLimits", "UploadRejected", "checked_geopackage",
    "display_name", "read_upload",
]

_SIDECARS = {"shapefile": (".shp", ".shx", ".dbf", ".prj", ".cpg"),
             "tab": (".tab", ".dat", ".map", ".id", ".ind")}
_SAFE_GDB_MEMBER = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_VSI_OR_URL = re.compile(r"/vsi|\\vsi|[a-z][a-z0-9+.\-]*://", re.I)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FLATGEOBUF_MAGIC = b"fgb\x03fgb"  # then the minor version byte
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_GPKG_TABLES = {"gpkg_contents", "gpkg_spatial_ref_sys", "gpkg_geometry_columns"}
_GEOJSON_TYPES = {"FeatureCollection", "Feature", "Polygon", "MultiPolygon", "GeometryCollection"}
_POLYGONAL = ("Polygon", "MultiPolygon")
_SYMLINK = 0o120000
_CHUNK = 1 << 16
_GEOJSON_DEPTH = 64  # a polygon's coordinates are 4 deep; 64 leaves room for any properties


class UploadRejected(InputError):
    """An upload that cannot be used; ``status`` and ``code`` say why to an HTTP client.

    Attributes
    ----------
    status
        400 bad or unsafe content, 413 too large, 415 unsupported type, 422 unusable geodata.
    code
        A short machine key, e.g. ``"zip-traversal"`` or ``"missing-crs"``.
    """

    def __init__(
        self,
        reason: str | None = None,
        *,
        status: int,
        code: str,
        **options: Unpack[InputErrorOptions],
    ) -> None:
        self.status = status
        self.code = code
        super().__init__(reason, **options)


#: the command-line options a proposal upload takes as form fields of the same name
FORM_FIELDS = ("name", "type", "feature")


@dataclass(frozen=True)
class Reworded:
    """Another error's reason, reworded for a client of the service: the server's folder
    left out, ``--crs`` (a command-line option) called by the name the request uses, and
    ``--name``, ``--type`` and ``--feature`` by their form fields."""

    err: InputError
    folder: str
    crs_name: str = N_("crs_parameter")

    def message(self, lang: str = "zh") -> str:
        said = self.err.reason_in(lang).replace(self.folder, "")
        names = {"crs": Text(self.crs_name).message(lang)}
        names |= {option: Text("form_field", {"field": option}).message(lang)
                  for option in FORM_FIELDS}
        for option, name in names.items():
            # Chinese takes no space between the name and the Chinese word after it
            said = re.sub(rf"--{option}\b( (?=[\u4e00-\u9fff]))?", name.replace("\\", r"\\"), said)
        return said


@dataclass(frozen=True)
class UploadLimits:
    """Size limits of one upload: body bytes, unpacked bytes, zip ratio and zip members."""

    max_bytes: int = 50 * 1024**2
    max_unzipped_bytes: int = 200 * 1024**2
    max_ratio: float = 100.0
    max_members: int = 64


@dataclass(frozen=True)
class _Upload:
    """One upload being read: its bytes, the name shown in messages and where files go."""

    data: bytes
    name: str
    workdir: Path
    limits: UploadLimits
    drivers: frozenset[str]
    crs: str | None
    layer: str | None

    def refuse(self, message_key: str, status: int, code: str, **params: object) -> UploadRejected:
        """A refusal of this upload, its reason ``message_key`` filled from ``params``."""
        return UploadRejected(status=status, code=code, message_key=message_key, params=params,
                              path=self.name, layer=self.layer)

    def save(self, data: bytes, suffix: str) -> Path:
        """Write ``data`` under a server-chosen name in the work folder."""
        target = self.workdir / f"{uuid4().hex}{suffix}"
        with target.open("xb") as handle:
            handle.write(data)
        return target


def display_name(filename: str) -> str:
    """The client's base name, printable and short, for messages only."""
    base = PurePosixPath(filename.replace("\\", "/")).name
    shown = "".join(ch for ch in base if ch.isprintable())[:120]
    return shown or "upload"


def _require_driver(up: _Upload, path: Path) -> None:
    """Refuse a file GDAL would open with a driver its type does not allow."""
    with gdal_config(SANDBOX):  # re-entrant: callers may already hold it
        driver = identify_driver(path)
        if driver is None:  # no direct GDAL access: ask pyogrio, which opens the file
            with gdal_errors("read", path=path):
                driver = str(pyogrio.read_info(path)["driver"])
    if not driver:
        raise up.refuse("upload_unrecognised", 422, "unreadable")
    if driver not in up.drivers:
        raise up.refuse("upload_driver_refused", 400, "driver-not-allowed", driver=driver,
                        allowed=OneOf(sorted(up.drivers)))


@contextmanager
def _as_unusable(up: _Upload) -> Iterator[None]:
    """Turn the readers' :class:`InputError` into a 422 that names the upload, not the disk."""
    try:
        yield
    except UploadRejected:
        raise
    except MissingCRSError as err:
        raise up.refuse("upload_missing_crs", 422, "missing-crs") from err
    except InputError as err:
        code = "bad-crs" if isinstance(err, CRSError) else "unreadable"
        raise UploadRejected(status=422, code=code, message_key="upload_reason",
                             params={"reason": Reworded(err, str(up.workdir))}, path=up.name,
                             layer=err.layer or up.layer) from err


def _safe_member(info: zipfile.ZipInfo) -> bool:
    """A member name that stays inside the folder it is unpacked to and is no symlink."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return False
    return (info.external_attr >> 16) & 0o170000 != _SYMLINK


def _check_archive(up: _Upload, archive: zipfile.ZipFile) -> None:
    """Refuse traversal, symlinks and bombs from the zip directory, before unpacking."""
    infos = archive.infolist()
    limits = up.limits
    if len(infos) > limits.max_members:
        raise up.refuse("zip_too_many_members", 400, "zip-bomb", count=len(infos),
                        limit=limits.max_members)
    for info in infos:
        if not _safe_member(info):
            raise up.refuse("zip_traversal", 400, "zip-traversal", member=info.filename)
    declared = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if declared > limits.max_unzipped_bytes:
        raise up.refuse("zip_too_big_unpacked", 400, "zip-bomb", size=declared,
                        limit=limits.max_unzipped_bytes)
    if declared > limits.max_ratio * max(packed, 1):
        raise up.refuse("zip_ratio", 400, "zip-bomb", ratio=declared / max(packed, 1),
                        limit=limits.max_ratio)


def _unpack(up: _Upload, archive: zipfile.ZipFile, member: str, target: Path) -> None:
    """Copy one member to ``target``, never writing more than it declared."""
    info = archive.getinfo(member)
    written = 0
    try:
        with archive.open(info) as src, target.open("xb") as dst:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > min(info.file_size, up.limits.max_unzipped_bytes):
                    raise up.refuse("zip_member_oversize", 400, "zip-bomb", member=member)
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise up.refuse("zip_member_unpack_failed", 422, "unreadable", member=member) from exc


def _open_zip(up: _Upload) -> zipfile.ZipFile:
    if not up.data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise up.refuse("zip_no_header", 400, "driver-not-allowed")
    try:
        return zipfile.ZipFile(io.BytesIO(up.data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise up.refuse("zip_damaged", 422, "unreadable") from exc


def _unpack_dataset(up: _Upload, archive: zipfile.ZipFile, chosen: ZippedDataset) -> Path:
    """Unpack the chosen dataset under server-chosen names; what GDAL opens."""
    stem = up.workdir / uuid4().hex
    if chosen.kind == "filegdb":
        folder = stem.with_suffix(".gdb")
        folder.mkdir()
        for member in chosen.sidecars:
            name = PurePosixPath(member).name
            if _SAFE_GDB_MEMBER.match(name):
                _unpack(up, archive, member, folder / name)
        return folder
    parts = {PurePosixPath(m).suffix.lower(): m for m in chosen.sidecars}
    for suffix in _SIDECARS[chosen.kind]:
        if suffix in parts:
            _unpack(up, archive, parts[suffix], stem.with_suffix(suffix))
    if chosen.kind == "shapefile" and ".prj" not in parts and up.crs is None:
        raise up.refuse("shapefile_no_prj", 422, "missing-crs", layer=chosen.layer)
    return stem.with_suffix(_SIDECARS[chosen.kind][0])


def _member_upload(up: _Upload, archive: zipfile.ZipFile, chosen: ZippedDataset) -> _Upload:
    """The one file a zip holds as an upload of its own, checked as one of its format is
    (named ``archive.zip/member`` in messages)."""
    target = up.workdir / f"{uuid4().hex}.member"
    _unpack(up, archive, chosen.member, target)
    data = target.read_bytes()
    target.unlink()
    return _Upload(data=data, name=f"{up.name}/{chosen.layer}{PurePosixPath(chosen.member).suffix}",
                   workdir=up.workdir, limits=up.limits, drivers=_KIND_DRIVERS[chosen.kind],
                   crs=up.crs, layer=inner_layer(chosen, up.layer))


def _read_zip(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    """A zip of one dataset: a Shapefile, TAB or FileGDB unpacked under server-chosen names,
    or one file of another accepted format, read as an upload of that file is."""
    archive = _open_zip(up)
    with archive, _as_unusable(up):
        _check_archive(up, archive)
        saved = up.save(up.data, ".zip")
        chosen = choose_zipped(saved, zipped_datasets(saved, layer=up.layer), up.layer)
        if chosen.kind in SINGLE_FILE_SUFFIX:
            return _READERS[chosen.kind](_member_upload(up, archive, chosen))
        opened = _unpack_dataset(up, archive, chosen)
        _require_driver(up, opened)
        with gdal_config(SANDBOX):
            if chosen.kind == "shapefile":
                frame, _ = read_shapefile(opened, path=saved, layer=chosen.layer)
                return frame, chosen.layer
            if chosen.kind == "tab":
                return read_frame(opened, opened.stem, path=saved, layer=chosen.layer), chosen.layer
            wanted = None if up.layer == chosen.layer else up.layer
            name = choose_layer(saved, wanted, gdal_layers(opened, layer=wanted))
            return read_frame(opened, name, path=saved, layer=name), name


def _read_kmz(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    """A KMZ: a zip whose KML documents are checked as an uploaded KML is, then read by GDAL."""
    archive = _open_zip(up)
    with archive:
        _check_archive(up, archive)
        kml = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
        if not kml:
            raise up.refuse("kmz_no_kml", 422, "unreadable")
        for info in kml:
            try:
                _check_kml(up, archive.read(info))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise up.refuse("zip_member_unpack_failed", 422, "unreadable",
                                member=info.filename) from exc
    frame, name = _read_gdal(up, up.save(up.data, ".kmz"), KML_READ_OPTIONS)
    return kml_to_planning(frame), name


def _read_csv(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    """A CSV table with a WKT column or X/Y columns, in UTF-8 (with or without BOM) or GBK."""
    if up.data.startswith((b"PK\x03\x04", _SQLITE_MAGIC)) or b"\x00" in up.data[:4096]:
        raise up.refuse("csv_binary", 400, "driver-not-allowed")
    saved = up.save(up.data, ".csv")
    shown = Path(up.name).stem
    with _as_unusable(up), gdal_config(SANDBOX):
        _require_driver(up, saved)
        frame, _ = read_csv(saved, path=saved, layer=shown)
        return frame, shown


def _saved_geopackage(up: _Upload) -> Path:
    """Save a real GeoPackage: SQLite header, GeoPackage id, its tables, no foreign virtual
    tables; anything else is refused before GDAL sees it."""
    if not up.data.startswith(_SQLITE_MAGIC):
        looks = Text("gpkg_looks_xml") if up.data.lstrip()[:1] == b"<" else ""
        raise up.refuse("gpkg_no_sqlite_header", 400, "driver-not-allowed", looks=looks)
    if up.data[68:72] not in _GPKG_APPLICATION_IDS:
        raise up.refuse("gpkg_wrong_application_id", 400, "driver-not-allowed")
    path = up.save(up.data, ".gpkg")
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True)) as db:
            db.execute("PRAGMA trusted_schema = OFF")
            rows = db.execute("SELECT type, name, tbl_name, rootpage FROM sqlite_master").fetchall()
            missing = _GPKG_TABLES - {name for kind, name, _, _ in rows if kind == "table"}
            if missing:
                raise up.refuse("gpkg_tables_missing", 400, "driver-not-allowed",
                                tables=", ".join(sorted(missing)))
            _refuse_views_and_foreign_tables(up, db, rows)
            # triggers run only on writes, which the readers never make; they are dropped
            # from the server's copy all the same, so no schema code of the sender's is left
            for kind, name, _, _ in rows:
                if kind == "trigger":
                    db.execute(f"DROP TRIGGER {_quoted(name)}")
            db.commit()
    except sqlite3.Error as exc:
        raise up.refuse("gpkg_damaged", 422, "unreadable") from exc
    return path


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _refuse_views_and_foreign_tables(
    up: _Upload, db: sqlite3.Connection, rows: list[tuple[str, str, str, int]]
) -> None:
    """Refuse every view, and every virtual table but the R-trees GeoPackage indexes are.

    Told from the schema, not from the SQL text: a view is a ``view`` row, a virtual table a
    ``table`` row without pages of its own (``rootpage`` 0), and an R-tree a virtual table
    whose ``_node``, ``_parent`` and ``_rowid`` tables SQLite itself reports as its shadow
    tables, which only the R-tree module (built into this SQLite) claims; a table of any other
    module (VirtualOGR, a file reader, ...) is refused whatever its SQL says.
    """
    for kind, name, _, _ in rows:
        if kind == "view":
            raise up.refuse("gpkg_view", 400, "sqlite-view", view=name)
    virtual = [name for kind, name, _, rootpage in rows if kind == "table" and rootpage == 0]
    if not virtual:
        return
    kinds = {name: kind for _, name, kind, *_ in db.execute("PRAGMA main.table_list")}
    for name in virtual:
        shadows = {kinds.get(f"{name}_{part}") for part in ("node", "parent", "rowid")}
        if kinds.get(name) != "virtual" or shadows != {"shadow"}:
            raise up.refuse("gpkg_virtual_table", 400, "virtual-table", table=name)


def _read_gpkg(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    return _read_gdal(up, _saved_geopackage(up))


def _read_gdal(up: _Upload, saved: Path, options: Mapping[str, str] | None = None
               ) -> tuple[gpd.GeoDataFrame, str]:
    """Read the chosen layer of a single-file upload once its driver is known to be allowed
    (``options``: the driver's GDAL options; with them, layers without features are skipped
    when none is named, as a KML's empty folders are)."""
    with _as_unusable(up), gdal_config({**SANDBOX, **(options or {})}):
        _require_driver(up, saved)
        available = gdal_layers(saved, layer=up.layer, nonempty=options is not None)
        name = choose_layer(saved, up.layer, available)
        shown = _layer_shown(name, saved, up)
        return read_frame(saved, name, path=saved, layer=shown), shown


def _layer_shown(name: str, saved: Path, up: _Upload) -> str:
    """The layer as the sender knows it: a one-layer file's layer is named after the file,
    which on the server is a name the sender never saw, so the sender's file name stands in."""
    if name == saved.stem or name.startswith("pyogrio_"):
        return Path(up.name).stem
    return name


def _check_kml(up: _Upload, data: bytes) -> None:
    """Refuse XML with a DTD or entities, malformed XML and XML that is not KML."""
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise up.refuse("kml_entities", 400, "xml-entity") from exc
    except (safe_xml.ParseError, ValueError) as exc:
        raise up.refuse("xml_malformed", 422, "unreadable", detail=str(exc)) from exc
    if root.tag.rsplit("}", 1)[-1] != "kml":
        raise up.refuse("kml_wrong_root", 400, "driver-not-allowed", tag=root.tag)


def _read_kml(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    _check_kml(up, up.data)
    frame, name = _read_gdal(up, up.save(up.data, ".kml"), KML_READ_OPTIONS)
    return kml_to_planning(frame), name


def _read_dxf(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    head = up.data[:4096]
    text = head.lstrip().split(b"\n", 2)
    ascii_dxf = len(text) > 1 and text[0].strip() in (b"0", b"999") and b"SECTION" in head
    if not (ascii_dxf or head.startswith(b"AutoCAD Binary DXF")):
        raise up.refuse("dxf_no_header", 400, "driver-not-allowed")
    saved = up.save(up.data, ".dxf")
    with _as_unusable(up), gdal_config(SANDBOX):
        _require_driver(up, saved)
        frame, _ = read_dxf(saved)
        return select_cad_layer(frame, up.layer, saved), up.layer or GDAL_DXF_LAYER


def _external_refs(value: Any) -> bool:
    """Whether a JSON value holds a URL or GDAL virtual path anywhere."""
    if isinstance(value, str):
        return bool(_VSI_OR_URL.search(value))
    if isinstance(value, dict):
        return any(_external_refs(v) for v in value.values())
    if isinstance(value, list):
        return any(_external_refs(v) for v in value)
    return False


def _read_geojson(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    try:
        doc = load_json(up.data, max_depth=_GEOJSON_DEPTH)
    except JSONRefused as exc:
        raise up.refuse(exc.key, 422, "json-refused", **exc.values) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        # the whole reason is kept under 300 characters
        raise up.refuse("json_invalid", 422, "unreadable", detail=str(exc)[:275]) from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind not in _GEOJSON_TYPES:
        raise up.refuse("geojson_wrong_type", 400, "driver-not-allowed", kind=repr(kind),
                        types=", ".join(sorted(_GEOJSON_TYPES)))
    if "crs" in doc and (_external_refs(doc["crs"]) or
                         (isinstance(doc["crs"], dict) and doc["crs"].get("type") == "link")):
        raise up.refuse("geojson_crs_link", 400, "vsi-path")
    return _read_gdal(up, up.save(up.data, ".geojson"))


def _read_flatgeobuf(up: _Upload) -> tuple[gpd.GeoDataFrame, str]:
    """A FlatGeobuf file: its magic bytes, then GDAL's FlatGeobuf driver (no references to
    other files or URLs can be written in one)."""
    if not up.data.startswith(_FLATGEOBUF_MAGIC):
        raise up.refuse("fgb_no_header", 400, "driver-not-allowed")
    return _read_gdal(up, up.save(up.data, ".fgb"))


#: the drivers allowed to open a file of each format
_KIND_DRIVERS = {kind: drivers for kind, drivers in UPLOAD_TYPES.values()}

_READERS: dict[str, Callable[[_Upload], tuple[gpd.GeoDataFrame, str]]] = {
    "zip": _read_zip,
    "gpkg": _read_gpkg,
    "kml": _read_kml,
    "kmz": _read_kmz,
    "dxf": _read_dxf,
    "csv": _read_csv,
    "geojson": _read_geojson,
    "flatgeobuf": _read_flatgeobuf,
}


def _check_request(
    data: bytes,
    filename: str,
    limits: UploadLimits,
    types: Mapping[str, tuple[str, frozenset[str]]] = UPLOAD_TYPES,
) -> tuple[str, frozenset[str]]:
    """Refuse virtual paths and URLs as names, oversize bodies and types not in ``types``."""
    if _VSI_OR_URL.search(filename):
        shown = "".join(ch for ch in filename if ch.isprintable())[:120]
        raise UploadRejected(status=400, code="vsi-path", message_key="upload_vsi_name", path=shown)
    name = display_name(filename)
    if len(data) > limits.max_bytes:
        raise UploadRejected(status=413, code="too-large", message_key="upload_too_large",
                             params={"size": len(data), "limit": limits.max_bytes}, path=name)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in types:
        hint = Text("upload_hint_zip") if ".zip" in types else ""
        raise UploadRejected(status=415, code="unsupported-type", message_key="upload_type_refused",
                             params={"suffix": suffix or Text("none_paren"),
                                     "types": ", ".join(sorted(types)), "hint": hint},
                             path=name)
    if not data.strip():
        raise UploadRejected(status=422, code="empty", message_key="upload_empty", path=name)
    return types[suffix]


def _polygons(up: _Upload, frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """The features with polygon geometry, in a settled CRS; refuse when there are none."""
    if len(frame) == 0:
        raise up.refuse("upload_layer_empty", 422, "empty")
    with _as_unusable(up):
        frame = resolve_crs(frame, declared=up.crs, path=up.name, layer=layer)
    polygonal = frame.geometry.geom_type.isin(_POLYGONAL).to_numpy()
    if not polygonal.any():
        kinds = ", ".join(sorted(set(frame.geometry.geom_type.dropna()))) or Text("none")
        raise up.refuse("upload_no_polygons", 422, "no-polygons", kinds=kinds)
    return frame.loc[polygonal]


def read_upload(
    data: bytes,
    filename: str,
    workdir: Path,
    *,
    limits: UploadLimits = UploadLimits(),
    crs: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read an uploaded proposal file, or refuse it with a status and a reason.

    Parameters
    ----------
    data
        The request body: a zipped Shapefile, FileGDB or TAB, GeoPackage, KML/KMZ, DXF, CSV,
        GeoJSON or FlatGeobuf.
    filename
        The client's file name; only its extension is used, as a hint to the type.
    workdir
        An empty folder the caller made and deletes; every file is written there under a
        name the server chooses.
    limits
        Size limits.
    crs
        A CRS to declare, needed when the file has none (DXF, Shapefile without ``.prj``).
    layer
        The layer to read when the file has several (a CAD layer for DXF).

    Returns
    -------
    GeoDataFrame
        The polygon features, with a CRS; ``attrs`` hold ``source`` (the client's name),
        ``layer``, ``format`` and ``dropped_features`` (non-polygons left out).

    Raises
    ------
    UploadRejected
        With ``status`` (400, 413, 415, 422) and ``code``, e.g. ``"zip-bomb"``.
    """
    kind, drivers = _check_request(data, filename, limits)
    up = _Upload(data=data, name=display_name(filename), workdir=Path(workdir).resolve(),
                 limits=limits, drivers=drivers, crs=crs, layer=layer)
    frame, name = _READERS[kind](up)
    result = _polygons(up, frame, name)
    result.attrs = {"source": up.name, "layer": name, "format": kind,
                    "dropped_features": len(frame) - len(result)}
    return result


def checked_geopackage(
    data: bytes, filename: str, workdir: Path, *, limits: UploadLimits = UploadLimits()
) -> Path:
    """An uploaded ``.gpkg`` checked as :func:`read_upload` checks one and saved in ``workdir``
    under a server-chosen name (read it inside ``gdal_config(SANDBOX)``); else
    :class:`UploadRejected`."""
    _, drivers = _check_request(data, filename, limits, {".gpkg": UPLOAD_TYPES[".gpkg"]})
    up = _Upload(data=data, name=display_name(filename), workdir=Path(workdir).resolve(),
                 limits=limits, drivers=drivers, crs=None, layer=None)
    path = _saved_geopackage(up)
    with _as_unusable(up):
        _require_driver(up, path)
    return path
