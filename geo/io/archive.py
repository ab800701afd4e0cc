"""Zip archives of a dataset: the Shapefile, MapInfo TAB or FileGDB folder inside a ``.zip``,
found by the members' names and unpacked beside their sidecars under names sijie chooses."""

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
from typing import Literal

from geo.errors import InputError
from geo.i18n import Text
from geo.io.formats import driver_of

__all__ = ["ZippedDataset", "choose_zipped", "unpacked_dataset", "zipped_datasets"]

_UTF8_FLAG = 0x800
# the one-file-per-layer formats and the suffix of the member that names the layer
_MAIN_SUFFIX = {".shp": "shapefile", ".tab": "tab"}
_GDB = ".gdb"
_SAFE_GDB_MEMBER = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")  # a00000001.gdbtable, gdb, timestamps

ZippedKind = Literal["shapefile", "tab", "filegdb"]


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
        ``"shapefile"``, ``"tab"`` or ``"filegdb"``.
    """

    layer: str
    member: str
    sidecars: tuple[str, ...]
    kind: ZippedKind = "shapefile"


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


def _member_shown(path: Path, info: zipfile.ZipInfo) -> str:
    """A member's name, with the format GDAL finds in it (``边界.gml (GML)``) if any."""
    driver = driver_of(f"/vsizip/{path.resolve()}/{info.filename}")
    name = _readable_name(info)
    return f"{name} ({driver})" if driver else name


def zipped_datasets(path: Path, *, layer: str | None = None) -> list[ZippedDataset]:
    """List the Shapefiles, TAB files and FileGDB folders in the zip archive ``path``.

    Raises
    ------
    InputError
        The archive is unreadable or holds none; the message lists what it holds.
    """
    with _open(path) as archive:
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
    stems: dict[tuple[str, str], list[str]] = {}
    mains: list[tuple[zipfile.ZipInfo, ZippedKind]] = []
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
            mains.append((info, kind))  # type: ignore[arg-type]
    if not mains and not folders:
        held = ", ".join(_member_shown(path, i) for i in infos[:20]) or Text("nothing")
        more = Text("and_more", {"count": len(infos) - 20}) if len(infos) > 20 else ""
        raise InputError(
            message_key="zip_no_dataset",
            params={"held": held, "more": more},
            path=path,
            layer=layer,
        )
    found = []
    names = [PurePosixPath(_readable_name(i)) for i, _ in mains]
    unique = len({n.stem for n in names}) == len(names)
    for (info, kind), name in zip(mains, names, strict=True):
        pure = PurePosixPath(info.filename)
        found.append(
            ZippedDataset(
                layer=name.stem if unique else str(name.with_suffix("")),
                member=info.filename,
                sidecars=tuple(stems[(str(pure.parent), pure.stem.lower())]),
                kind=kind,
            )
        )
    for folder, members in sorted(folders.items()):
        stem = PurePosixPath(folder).name[: -len(_GDB)]
        found.append(ZippedDataset(layer=stem, member=folder, sidecars=tuple(members),
                                   kind="filegdb"))
    return found


def choose_zipped(
    path: Path, datasets: list[ZippedDataset], layer: str | None
) -> ZippedDataset:
    """Pick the dataset named ``layer``, or the only one when no layer is named (or when the
    only dataset is a FileGDB, whose own layers ``layer`` then names)."""
    names = [s.layer for s in datasets]
    if layer is not None:
        for dataset in datasets:
            if dataset.layer == layer:
                return dataset
        if len(datasets) == 1 and datasets[0].kind == "filegdb":
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
        message_key="zip_several_shapefiles",
        params={"count": len(names), "names": ", ".join(names)},
        path=path,
    )


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
    the ``.tab`` or the ``.gdb`` folder).

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
        for member in dataset.sidecars:
            target = Path(tmp) / f"layer{PurePosixPath(member).suffix.lower()}"
            _copy(archive, member, target, path, dataset.layer)
        yield Path(tmp) / ("layer.tab" if dataset.kind == "tab" else "layer.shp")
