"""Zipped shapefiles: find the ``.shp`` inside a ``.zip`` and unpack it beside its sidecars."""

from __future__ import annotations

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

__all__ = ["ZippedShapefile", "choose_zipped", "unpacked_shapefile", "zipped_shapefiles"]

_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class ZippedShapefile:
    """One shapefile inside a zip archive.

    Attributes
    ----------
    layer
        The layer name a user sees: the ``.shp`` file name without its suffix.
    member
        The ``.shp`` member name as stored in the archive.
    sidecars
        Every member belonging to it (``.shp``, ``.shx``, ``.dbf``, ``.prj``, ``.cpg`` ...).
    """

    layer: str
    member: str
    sidecars: tuple[str, ...]


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


def zipped_shapefiles(path: Path, *, layer: str | None = None) -> list[ZippedShapefile]:
    """List the shapefiles in the zip archive ``path``.

    Raises
    ------
    InputError
        The archive is unreadable or holds no ``.shp``; the message lists what it holds.
    """
    with _open(path) as archive:
        infos = [
            i
            for i in archive.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
    stems: dict[tuple[str, str], list[str]] = {}
    shp_members: list[zipfile.ZipInfo] = []
    for info in infos:
        pure = PurePosixPath(info.filename)
        stems.setdefault((str(pure.parent), pure.stem.lower()), []).append(info.filename)
        if pure.suffix.lower() == ".shp" and not pure.name.startswith("._"):
            shp_members.append(info)
    if not shp_members:
        held = ", ".join(_readable_name(i) for i in infos[:20]) or Text("nothing")
        more = Text("and_more", {"count": len(infos) - 20}) if len(infos) > 20 else ""
        raise InputError(
            message_key="zip_no_shapefile",
            params={"held": held, "more": more},
            path=path,
            layer=layer,
        )
    found = []
    names = [PurePosixPath(_readable_name(i)) for i in shp_members]
    unique = len({n.stem for n in names}) == len(names)
    for info, name in zip(shp_members, names, strict=True):
        pure = PurePosixPath(info.filename)
        found.append(
            ZippedShapefile(
                layer=name.stem if unique else str(name.with_suffix("")),
                member=info.filename,
                sidecars=tuple(stems[(str(pure.parent), pure.stem.lower())]),
            )
        )
    return found


def choose_zipped(
    path: Path, shapefiles: list[ZippedShapefile], layer: str | None
) -> ZippedShapefile:
    """Pick the shapefile named ``layer``, or the only one when no layer is named."""
    names = [s.layer for s in shapefiles]
    if layer is not None:
        for shapefile in shapefiles:
            if shapefile.layer == layer:
                return shapefile
        raise InputError(
            message_key="zip_layer_not_found",
            params={"names": ", ".join(names)},
            path=path,
            layer=layer,
        )
    if len(shapefiles) == 1:
        return shapefiles[0]
    raise InputError(
        message_key="zip_several_shapefiles",
        params={"count": len(names), "names": ", ".join(names)},
        path=path,
    )


@contextmanager
def unpacked_shapefile(path: Path, shapefile: ZippedShapefile) -> Iterator[Path]:
    """Unpack one zipped shapefile into a temporary folder and yield its ``.shp`` path.

    Members are written under fixed ASCII names, so odd or hostile names in the archive
    never reach the file system.
    """
    with tempfile.TemporaryDirectory(prefix="sijie-zip-") as tmp, _open(path) as archive:
        for member in shapefile.sidecars:
            target = Path(tmp) / f"layer{PurePosixPath(member).suffix.lower()}"
            try:
                with archive.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise InputError(
                    message_key="zip_member_damaged",
                    params={"member": member},
                    path=path,
                    layer=shapefile.layer,
                ) from exc
        yield Path(tmp) / "layer.shp"
