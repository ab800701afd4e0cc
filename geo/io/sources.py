"""Where a layer comes from: split ``path:layer`` and tell the file format from its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.errors import InputError
from geo.i18n import Text

__all__ = ["SUPPORTED_SUFFIXES", "Kind", "Source", "parse_source"]

Kind = Literal["gpkg", "geojson", "shapefile", "zip", "kml", "kmz", "dxf", "flatgeobuf"]

SUPPORTED_SUFFIXES: dict[str, Kind] = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".zip": "zip",
    ".kml": "kml",
    ".kmz": "kmz",
    ".dxf": "dxf",
    ".fgb": "flatgeobuf",
}


@dataclass(frozen=True)
class Source:
    """A file to read and, if named, the layer in it.

    Attributes
    ----------
    path
        The file.
    layer
        The layer asked for, or ``None`` to let the reader choose.
    kind
        The format, told from the file name.
    """

    path: Path
    layer: str | None
    kind: Kind


def _split(text: str) -> tuple[str, str | None]:
    """Split ``path:layer`` on the last colon when the part before it is an existing file."""
    if Path(text).exists() or ":" not in text:
        return text, None
    head, _, tail = text.rpartition(":")
    if tail and Path(head).is_file():
        return head, tail
    return text, None


def parse_source(source: str | Path, layer: str | None = None) -> Source:
    """Resolve ``source`` (``path`` or ``path:layer``) to an existing file, layer and format.

    Parameters
    ----------
    source
        A file path, optionally followed by ``:layer``.
    layer
        A layer named separately; must agree with one given in ``source``.

    Returns
    -------
    Source

    Raises
    ------
    InputError
        The file does not exist, is a folder, has an unsupported format, or two different
        layer names were given.
    """
    text, inline = _split(str(source))
    path = Path(text)
    if inline is not None and layer is not None and inline != layer:
        raise InputError(
            message_key="two_layers_named",
            params={"inline": inline, "option": layer},
            path=path,
            layer=layer,
        )
    wanted = layer if layer is not None else inline
    if not path.exists():
        raise InputError(message_key="file_not_found", path=path, layer=wanted)
    if path.is_dir():
        raise InputError(message_key="is_folder", path=path, layer=wanted)
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(
            message_key="file_type_unsupported",
            params={"suffix": path.suffix or Text("none_paren"), "known": known},
            path=path,
            layer=wanted,
        )
    return Source(path=path, layer=wanted, kind=kind)
