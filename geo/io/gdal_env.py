"""Scoped GDAL configuration options, a sandbox for untrusted files, driver identification,
and translation of GDAL failures into typed errors.

GDAL configuration options are process-wide, so :func:`gdal_config` serialises the code
that sets them behind one lock and puts the previous values back afterwards.
"""

from __future__ import annotations

import ctypes
import sqlite3
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pyogrio

from geo.errors import InputError, SijieError
from geo.i18n import N_, Text

__all__ = ["SANDBOX", "gdal_config", "gdal_errors", "identify_driver", "plain_gdal_message",
           "plain_gdal_text"]

# A lock, not state: it only keeps two threads from interleaving set/restore of options.
_CONFIG_LOCK = threading.RLock()

# Options GDAL runs with while it touches an untrusted file: no network, no listing of the
# file's folder (so no sibling files are probed), no external styles, no Python in VRTs.
SANDBOX: Mapping[str, str] = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "TRUE",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".sijie-network-disabled",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
}
_GDAL_OF_VECTOR = 0x04

# What GDAL, pyogrio, zipfile and sqlite raise when a file cannot be used.
_GDAL_FAILURES: tuple[type[BaseException], ...] = (
    RuntimeError,  # every pyogrio.errors.* class
    OSError,
    ValueError,
    zipfile.BadZipFile,
    sqlite3.Error,
    UnicodeError,
    LookupError,  # an encoding name Python does not know
)


@contextmanager
def gdal_config(options: Mapping[str, str | None]) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a ``with`` block.

    Parameters
    ----------
    options
        Option name to value; ``None`` clears an option.
    """
    with _CONFIG_LOCK:
        previous = {name: pyogrio.get_gdal_config_option(name) for name in options}
        pyogrio.set_gdal_config_options(dict(options))
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options(previous)


@cache
def _gdal() -> Any | None:
    """The GDAL library pyogrio uses, for the driver check pyogrio does not offer."""
    try:
        import pyogrio._io as gdal_module  # its handle resolves the symbols of its libgdal

        lib = ctypes.CDLL(gdal_module.__file__)
        lib.GDALIdentifyDriverEx.restype = ctypes.c_void_p
        lib.GDALIdentifyDriverEx.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_void_p,
                                             ctypes.c_void_p]
        lib.GDALGetDriverShortName.restype = ctypes.c_char_p
        lib.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
    except (OSError, AttributeError, ImportError):
        return None
    return lib


def identify_driver(path: str | Path) -> str | None:
    """The vector driver GDAL would open ``path`` (a file, or a GDAL virtual path such as
    ``/vsizip//archive.zip/member``) with, asked before anything is opened.

    Returns
    -------
    str or None
        The driver's short name (e.g. ``"GPKG"``), ``""`` when no driver recognises the
        file, or ``None`` when GDAL cannot be asked directly (the caller must then fall
        back to opening the file, e.g. with ``pyogrio.read_info``).
    """
    lib = _gdal()
    if lib is None:
        return None
    handle = lib.GDALIdentifyDriverEx(str(path).encode(), _GDAL_OF_VECTOR, None, None)
    return lib.GDALGetDriverShortName(handle).decode() if handle else ""


def plain_gdal_text(exc: BaseException) -> Text:
    """A GDAL/pyogrio failure as one line a planner can read, in either language."""
    text = " ".join(str(exc).split())
    if "disk image is malformed" in text or "file is not a database" in text:
        return Text("gdal_damaged")
    if "not recognized as" in text or "not recognised as" in text:
        return Text("gdal_unrecognised")
    if len(text) > 300:
        text = text[:297] + "..."
    if text:
        return Text("gdal_says", {"text": text})
    return Text("gdal_failed_with", {"error": type(exc).__name__})


def plain_gdal_message(exc: BaseException) -> str:
    """Shorten a GDAL/pyogrio message to one English line a planner can read."""
    return plain_gdal_text(exc).message("en")


_ACTIONS = {"read": N_("action_read"), "write": N_("action_write")}


@contextmanager
def gdal_errors(
    action: Literal["read", "write"], *, path: str | Path, layer: str | None = None
) -> Iterator[None]:
    """Turn raw GDAL, pyogrio, zipfile and sqlite failures into :class:`InputError`.

    Parameters
    ----------
    action
        What was being done: ``"read"`` (the message starts "could not be read") or
        ``"write"``.
    path, layer
        Named in the message.
    """
    try:
        yield
    except SijieError:
        raise
    except _GDAL_FAILURES as exc:
        params = {"action": Text(_ACTIONS[action]), "detail": plain_gdal_text(exc)}
        raise InputError(message_key="gdal_failed", params=params, path=path,
                         layer=layer) from exc
