"""Scoped GDAL configuration options and translation of GDAL failures into typed errors.

GDAL configuration options are process-wide, so :func:`gdal_config` serialises the code
that sets them behind one lock and puts the previous values back afterwards.
"""

from __future__ import annotations

import sqlite3
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyogrio

from geo.errors import InputError, SijieError

__all__ = ["gdal_config", "gdal_errors", "plain_gdal_message"]

# A lock, not state: it only keeps two threads from interleaving set/restore of options.
_CONFIG_LOCK = threading.RLock()

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


def plain_gdal_message(exc: BaseException) -> str:
    """Shorten a GDAL/pyogrio message to one line a planner can read."""
    text = " ".join(str(exc).split())
    if "disk image is malformed" in text or "file is not a database" in text:
        return "it is damaged or truncated (the database inside is malformed)"
    if "not recognized as" in text or "not recognised as" in text:
        return "its contents are not in a format GDAL can read (damaged or wrong file type)"
    if len(text) > 300:
        text = text[:297] + "..."
    return f"GDAL says: {text}" if text else f"GDAL failed with {type(exc).__name__}"


@contextmanager
def gdal_errors(
    action: str, *, path: str | Path, layer: str | None = None
) -> Iterator[None]:
    """Turn raw GDAL, pyogrio, zipfile and sqlite failures into :class:`InputError`.

    Parameters
    ----------
    action
        What was being done, e.g. ``"could not be read"``; starts the message.
    path, layer
        Named in the message.
    """
    try:
        yield
    except SijieError:
        raise
    except _GDAL_FAILURES as exc:
        raise InputError(f"{action}: {plain_gdal_message(exc)}", path=path, layer=layer) from exc
