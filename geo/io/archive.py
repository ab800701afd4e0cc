"""Zip archives of a dataset: the Shapefile, MapInfo TAB or FileGDB folder inside a ``.zip``,
found by the members' names, or one file of a format sijie reads (GeoPackage, GeoJSON, CSV,
FlatGeobuf, KML, DXF) found by GDAL's identification of its content; unpacked (with its
sidecars) under names sijie chooses. An archive inside the archive is never opened."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import InputError
from geo.i18n import Text
from geo.io.formats import DRIVER_KINDS, Kind, driver_of

__all__ = ["SINGLE_FILE_SUFFIX", "ZippedDataset", "choose_zipped", "inner_layer",
           "unpacked_dataset", "zipped_datasets"]

_UTF8_FLAG = 0x800
# the one-file-per-layer formats and the suffix of the member that names the layer
_MAIN_SUFFIX: dict[str, Kind] = {".shp": "shapefile", ".tab": "tab"}
_GDB = ".gdb"
_SAFE_GDB_MEMBER = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")  # a00000001.gdbtable, gdb, timestamps

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")

#: the formats a zip may hold as one file, and the suffix the unpacked copy gets (what GDAL
#: needs to recognise it: a CSV only by its suffix, the others by their content)
SINGLE_FILE_SUFFIX: dict[Kind, str] = {"gpkg": ".gpkg", "geojson": ".geojson", "csv": ".csv",
                                       "flatgeobuf": ".fgb", "kml": ".kml", "dxf": ".dxf"}


@dataclass(frozen=True)
class ZippedDataset:
    """One dataset inside a zip archive.

    Attributes
    ----------
    layer
        The name a user sees: the ``.shp``/``.tab`` file name without its suffix, or the
        ``.gdb`` folder's name without ``.gdb``.
    member
        The main member (``.shp``, ``.tab``) or the ``.gdb`` folder as stored in the archive.
    sidecars
        Every member belonging to it (``.shp``, ``.dbf``, ``.prj`` …, or the folder's files).
    kind
        ``"shapefile"``, ``"tab"``, ``"filegdb"`` or one of :data:`SINGLE_FILE_SUFFIX`'s
        formats (the dataset is then its one member).
    """

    layer: str
    member: str
    sidecars: tuple[str, ...]
    kind: Kind = "shapefile"


def _readable_name(info: zipfile.ZipInfo) -> str:
    """Member name as its author wrote it; Chinese Windows tools store names in GBK."""
    if info.flag_bits & _UTF8_FLAG or info.filename.isascii():
        return info.filename
    raw = info.filename.encode("cp437")
    for codec in ("utf-8", "gbk"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(message_key="zip_unreadable", path=path) from exc


def _gdb_folder(name: str) -> str | None:
    """The ``.gdb`` folder a member lies in (``d/p.gdb/a1.gdbtable`` → ``d/p.gdb``), if any."""
    parts = PurePosixPath(name).parts
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(_GDB):
            return "/".join(parts[: i + 1])
    return None


def _is_archive(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member is itself a zip archive (a KMZ too), told from its first bytes."""
    try:
        with archive.open(info) as member:
            return member.read(4) in _ZIP_MAGIC
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError):  # RuntimeError: an encrypted member
        return False  # unreadable: GDAL finds no format in it either


def _member_driver(path: Path, info: zipfile.ZipInfo, nested: bool) -> str:
    """The driver GDAL finds in a member (``""`` for none); ``"zip"`` for an archive in the
    archive, which is never handed to GDAL (it would open it, and what it holds)."""
    return "zip" if nested else driver_of(f"/vsizip/{path.resolve()}/{info.filename}")


def _member_shown(info: zipfile.ZipInfo, driver: str) -> str:
    """A member's name, with the format GDAL finds in it (``边界.gml (GML)``) if any."""
    name = _readable_name(info)
    return f"{name} ({driver})" if driver else name


def _single_files(path: Path, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
                  ) -> tuple[list[tuple[zipfile.ZipInfo, Kind]], dict[str, str]]:
    """The members that are a dataset on their own (a format of :data:`SINGLE_FILE_SUFFIX`,
    told by GDAL from the content), and the driver found in every member given."""
    found: list[tuple[zipfile.ZipInfo, Kind]] = []
    drivers: dict[str, str] = {}
    for info in infos:
        driver = _member_driver(path, info, _is_archive(archive, info))
        drivers[info.filename] = driver
        kind = DRIVER_KINDS.get(driver)
        if kind in SINGLE_FILE_SUFFIX and not PurePosixPath(info.filename).name.startswith("._"):
            found.append((info, kind))
    return found, drivers


def zipped_datasets(path: Path, *, layer: str | None = None) -> list[ZippedDataset]:
    """List the datasets in the zip archive ``path``: Shapefiles, TAB files and FileGDB
    folders by their members' names, and each other member GDAL identifies as a format of
    :data:`SINGLE_FILE_SUFFIX` (an archive inside the archive is not opened).

    Raises
    ------
    InputError
        The archive is unreadable or holds none; the message lists what it holds, with the
        format GDAL finds in each member.
    """
    with _open(path) as archive:
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
        mains, folders, stems = _grouped(infos)
        grouped = {m for members in folders.values() for m in members}
        grouped |= {m for members in _main_groups(mains, stems) for m in members}
        loose = [i for i in infos if i.filename not in grouped]
        singles, drivers = _single_files(path, archive, loose)
    if not mains and not folders and not singles:
        shown = [_member_shown(i, drivers.get(i.filename, "")) for i in infos[:20]]
        held = ", ".join(shown) or Text("nothing")
        more = Text("and_more", {"count": len(infos) - 20}) if len(infos) > 20 else ""
        raise InputError(
            message_key="zip_no_dataset",
            params={"held": held, "more": more},
            path=path,
            layer=layer,
        )
    return _datasets(mains, folders, stems, singles)


def _main_groups(mains: list[tuple[zipfile.ZipInfo, Kind]],
                 stems: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """The members of each Shapefile or TAB: the main member and its same-stem sidecars."""
    groups = []
    for info, _ in mains:
        pure = PurePosixPath(info.filename)
        groups.append(stems[(str(pure.parent), pure.stem.lower())])
    return groups


def _grouped(infos: list[zipfile.ZipInfo]) -> tuple[
        list[tuple[zipfile.ZipInfo, Kind]], dict[str, list[str]], dict[tuple[str, str], list[str]]]:
    """The Shapefile and TAB main members, the FileGDB folders' members and every member
    outside a folder by its folder and lower-cased stem."""
    stems: dict[tuple[str, str], list[str]] = {}
    mains: list[tuple[zipfile.ZipInfo, Kind]] = []
    folders: dict[str, list[str]] = {}
    for info in infos:
        folder = _gdb_folder(info.filename)
        if folder is not None:
            folders.setdefault(folder, []).append(info.filename)
            continue
        pure = PurePosixPath(info.filename)
        stems.setdefault((str(pure.parent), pure.stem.lower()), []).append(info.filename)
        kind = _MAIN_SUFFIX.get(pure.suffix.lower())
        if kind is not None and not pure.name.startswith("._"):
            mains.append((info, kind))
    return mains, folders, stems


def _datasets(mains: list[tuple[zipfile.ZipInfo, Kind]], folders: dict[str, list[str]],
              stems: dict[tuple[str, str], list[str]],
              singles: list[tuple[zipfile.ZipInfo, Kind]]) -> list[ZippedDataset]:
    """Every dataset found, named by its file's stem (with its folder when two share one)."""
    found = []
    names = [PurePosixPath(_readable_name(i)) for i, _ in [*mains, *singles]]
    unique = len({n.stem for n in names}) == len(names)
    shown = [n.stem if unique else str(n.with_suffix("")) for n in names]
    for (info, kind), layer in zip(mains, shown[:len(mains)], strict=True):
        pure = PurePosixPath(info.filename)
        found.append(ZippedDataset(layer=layer, member=info.filename, kind=kind,
                                   sidecars=tuple(stems[(str(pure.parent), pure.stem.lower())])))
    for (info, kind), layer in zip(singles, shown[len(mains):], strict=True):
        found.append(ZippedDataset(layer=layer, member=info.filename, sidecars=(info.filename,),
                                   kind=kind))
    for folder, members in sorted(folders.items()):
        stem = PurePosixPath(folder).name[: -len(_GDB)]
        found.append(ZippedDataset(layer=stem, member=folder, sidecars=tuple(members),
                                   kind="filegdb"))
    return found


def choose_zipped(
    path: Path, datasets: list[ZippedDataset], layer: str | None
) -> ZippedDataset:
    """Pick the dataset named ``layer``, or the only one when no layer is named (or when the
    only dataset is a file with layers of its own, a FileGDB or a GeoPackage, whose layer
    ``layer`` then names).

    Raises
    ------
    InputError
        No dataset is named ``layer``, or none is named and there are several: the message
        names them.
    """
    names = [s.layer for s in datasets]
    if layer is not None:
        for dataset in datasets:
            if dataset.layer == layer:
                return dataset
        if len(datasets) == 1 and datasets[0].kind not in _MAIN_SUFFIX.values():
            return datasets[0]
        raise InputError(
            message_key="zip_layer_not_found",
            params={"names": ", ".join(names)},
            path=path,
            layer=layer,
        )
    if len(datasets) == 1:
        return datasets[0]
    raise InputError(
        message_key="zip_several_datasets",
        params={"count": len(names), "names": ", ".join(names)},
        path=path,
    )


def inner_layer(dataset: ZippedDataset, layer: str | None) -> str | None:
    """The layer to read inside the chosen dataset: none for a Shapefile or TAB (the dataset
    is the layer) or when ``layer`` named the dataset, else ``layer``."""
    if dataset.kind in _MAIN_SUFFIX.values() or layer == dataset.layer:
        return None
    return layer


def _copy(archive: zipfile.ZipFile, member: str, target: Path, path: Path, layer: str) -> None:
    try:
        with archive.open(member) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(
            message_key="zip_member_damaged",
            params={"member": member},
            path=path,
            layer=layer,
        ) from exc


@contextmanager
def unpacked_dataset(path: Path, dataset: ZippedDataset) -> Iterator[Path]:
    """Unpack one zipped dataset into a temporary folder; yield what GDAL opens (the ``.shp``,
    the ``.tab``, the ``.gdb`` folder or the one file).

    Members are written under fixed ASCII names (a FileGDB's own files under their names when
    these are plain ASCII, others skipped), so odd or hostile names never reach the disk.
    """
    with tempfile.TemporaryDirectory(prefix="sijie-zip-") as tmp, _open(path) as archive:
        if dataset.kind == "filegdb":
            folder = Path(tmp) / "layer.gdb"
            folder.mkdir()
            for member in dataset.sidecars:
                name = PurePosixPath(member).name
                if _SAFE_GDB_MEMBER.match(name) and name not in (".", ".."):
                    _copy(archive, member, folder / name, path, dataset.layer)
            yield folder
            return
        if dataset.kind in SINGLE_FILE_SUFFIX:
            target = Path(tmp) / f"layer{SINGLE_FILE_SUFFIX[dataset.kind]}"
            _copy(archive, dataset.member, target, path, dataset.layer)
            yield target
            return
        for member in dataset.sidecars:
            target = Path(tmp) / f"layer{PurePosixPath(member).suffix.lower()}"
            _copy(archive, member, target, path, dataset.layer)
        yield Path(tmp) / ("layer.tab" if dataset.kind == "tab" else "layer.shp")
