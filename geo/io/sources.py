"""Where a layer comes from: split ``path:layer`` and tell the file format from its content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.errors import InputError
from geo.io.formats import Kind, detect_kind

__all__ = ["Source", "parse_source"]


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
        The format, told from the content (:func:`geo.io.formats.detect_kind`).
    """

    path: Path
    layer: str | None
    kind: Kind


def _split(text: str) -> tuple[str, str | None]:
    """Split ``path:layer`` on the last colon when the part before it is an existing file (or
    FileGDB folder)."""
    if Path(text).exists() or ":" not in text:
        return text, None
    head, _, tail = text.rpartition(":")
    if tail and Path(head).exists():
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
        The file does not exist, is a folder other than a FileGDB, has a format outside the
        allow-list (named in the message), or two different layer names were given.
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
    return Source(path=path, layer=wanted, kind=detect_kind(path, layer=wanted))
