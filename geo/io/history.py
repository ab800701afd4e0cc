"""The neighbours layer of a context GeoPackage and its history layer, read and replaced whole.

A registration rewrites both layers in a copy of the file beside it and then puts the copy in
the file's place in one step (``os.replace``), so a context is never left half written: it is
either the file as it was or the file with the registration.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd

from geo.errors import InputError
from geo.io.gpkg import write_gpkg
from geo.io.layers import list_layers
from geo.io.read import read_layer

__all__ = ["read_history_layers", "replace_layers"]


def _gpkg(path: str | Path) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        raise InputError(message_key="register_needs_gpkg", path=target)
    if not target.is_file():
        raise InputError(message_key="file_not_found", path=target)
    return target


def read_history_layers(path: str | Path, neighbours: str,
                        history: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The layers ``neighbours`` and ``history`` of the GeoPackage ``path`` as stored (the
    history layer is ``None`` while the file has none).

    Raises
    ------
    InputError
        ``path`` is not a GeoPackage file, or the neighbours layer cannot be read.
    """
    target = _gpkg(path)
    present = {info.name for info in list_layers(target)}
    current = read_layer(target, layer=neighbours)
    kept = read_layer(target, layer=history) if history in present else None
    return current, kept


def replace_layers(path: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Replace ``layers`` (name → frame) of the GeoPackage ``path`` all at once or not at all.

    Raises
    ------
    InputError
        A layer cannot be written; the file is then left as it was.
    """
    target = _gpkg(path)
    handle, name = tempfile.mkstemp(suffix=".gpkg", prefix=f".{target.stem}.", dir=target.parent)
    os.close(handle)
    staged = Path(name)
    try:
        shutil.copyfile(target, staged)
        for layer, frame in layers.items():
            write_gpkg(frame, staged, layer)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
