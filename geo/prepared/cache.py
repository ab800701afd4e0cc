"""Prepared towns kept on disk: a context file read and prepared once per content, then loaded.

The command line reads a context file, and makes its town-wide parts
(:func:`geo.prepared.prepare_town`), once per content of the file: the prepared context is
kept in the cache folder (``SIJIE_CACHE_DIR``, by default ``$XDG_CACHE_HOME/sijie/towns`` or
``~/.cache/sijie/towns``) under a key made of the file's path, a hash of its bytes, the
rules, the format of the cache, sijie's spatial code and the versions of the libraries that
wrote it. A changed file, other rules or another version miss the cache, and the stale file of
that context is removed when the new one is written.

A cache file is written whole under a temporary name, then renamed into place, so readers and
concurrent writers only ever see complete files; it starts with a hash of its contents, and a
file that is truncated, altered or unreadable is made again from the context, never used.
``SIJIE_CACHE_DIR=off`` (or a folder that cannot be written) reads the context every time.
The cache holds Python pickles: keep it in a folder only its user can write, as the default is.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from geo.context import Context
from geo.prepared import prepare_town
from geo.rules import Rules

__all__ = ["CACHE_ENV", "cache_dir", "cache_path", "code_hash", "kept_path", "kept_town",
           "read_prepared_context"]

log = logging.getLogger(__name__)

CACHE_ENV = "SIJIE_CACHE_DIR"
# first bytes of a cache file; a change in what a prepared town holds changes the number
_MAGIC = b"sijie prepared town 3\n"
_DIGEST = 32  # SHA-256, the fastest strong hash where the processor computes it
_CHUNK = 1 << 20


def cache_dir(environ: Mapping[str, str]) -> Path | None:
    """The folder prepared towns are kept in (``SIJIE_CACHE_DIR``, else the user's cache
    folder); ``None`` when the cache is off (``SIJIE_CACHE_DIR=off``)."""
    chosen = environ.get(CACHE_ENV, "")
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sijie" / "towns"


def _content_hash(source: Path) -> str | None:
    """A hash of the bytes of ``source`` (and of a GeoPackage's write-ahead log, which holds
    changes not yet in the file; every file of a folder, by relative path); ``None`` when it
    is not a local file or folder."""
    digest = hashlib.sha256()
    if source.is_file():
        wal = source.with_name(source.name + "-wal")
        files = [source, wal] if wal.is_file() else [source]
        base = source.parent
    elif source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file())
        base = source
    else:
        return None
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


@functools.cache
def _code() -> str:
    """A hash of sijie's spatial code (``geo``), which makes and reads a prepared town: a town
    prepared by other code is prepared again."""
    return code_hash(Path(__file__).resolve().parents[1])


def code_hash(root: Path) -> str:
    """A hash of the Python modules under ``root``, each known by its path, size and
    modification time, as Python's own bytecode cache knows a source: an edit changes it."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@functools.cache
def _versions() -> str:
    """The versions of what writes and reads a prepared town (a pickle is only read back by
    the versions that wrote it, and sijie's own code: :func:`_code`). pandas and geopandas,
    which make a layer's frame, are asked of the installation: a town loaded only to be
    judged never imports them (:mod:`geo.layers`)."""
    from importlib.metadata import version

    import numpy
    import pyproj
    import shapely

    return " ".join([_code(), shapely.__version__, shapely.geos_version_string,
                     version("geopandas"), version("pandas"), numpy.__version__,
                     pyproj.__version__])


def _key(*parts: str) -> str:
    key = hashlib.blake2b(digest_size=16)
    for part in (*parts, _versions()):
        key.update(part.encode() + b"\0")
    return key.hexdigest()


def kept_path(folder: Path, place: str, version: str, rules: Rules) -> Path:
    """Where the prepared town of ``place`` (what it is the context of: a file, a stored
    town) at ``version`` (a hash of its content, a stored version) judged by ``rules`` is kept
    in ``folder``. Every file of one place shares the first part of its name, so the stale
    versions are found and removed when a new one is kept."""
    where = hashlib.blake2b(place.encode(), digest_size=8).hexdigest()
    return folder / f"{where}-{_key(version, rules.model_dump_json())}.town"


def cache_path(source: str | Path, rules: Rules, folder: Path, *,
               crs: str | None = None) -> Path | None:
    """Where the prepared town of ``source`` read with ``rules`` (and ``crs``) is kept in
    ``folder``; ``None`` when ``source`` is not a local file or folder."""
    path = Path(source).resolve()
    content = _content_hash(path)
    if content is None:
        return None
    return kept_path(folder, str(path), f"{content} {crs or ''}", rules)


def _load(path: Path) -> Context | None:
    """The prepared town kept at ``path``, or ``None`` (missing, incomplete, altered or
    unreadable: the reason is logged)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("prepared town %s unreadable (%s): reading the context", path, exc)
        return None
    head = len(_MAGIC)
    body = memoryview(data)[head + _DIGEST:]
    if (not data.startswith(_MAGIC)
            or hashlib.sha256(body).digest() != data[head:head + _DIGEST]):
        log.warning("prepared town %s is damaged: reading the context again", path)
        return None
    try:
        ctx = pickle.loads(body)
    except Exception as exc:
        log.warning("prepared town %s unusable (%s): reading the context again", path, exc)
        return None
    return ctx if isinstance(ctx, Context) else None


def _store(path: Path, ctx: Context) -> None:
    """Keep ``ctx`` at ``path`` (written whole, then renamed into place) and remove the
    stale files of the same context; a cache folder that cannot be written is only logged."""
    body = pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(body).digest()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-",
                                             suffix=".town")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_MAGIC)
                out.write(digest)
                out.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("prepared town not kept in %s (%s)", path.parent, exc)
        return
    prefix = path.name.split("-", 1)[0]
    for stale in path.parent.glob(f"{prefix}-*.town"):
        if stale != path:
            stale.unlink(missing_ok=True)
    log.info("prepared town kept in %s", path)


def kept_town(path: Path | None, build: Callable[[], Context], *,
              unchanged: Callable[[], bool] = lambda: True) -> Context:
    """The prepared town kept at ``path`` (:func:`kept_path`), or else ``build()`` prepared
    (:func:`geo.prepared.prepare_town`) and kept there if ``unchanged()`` says its source did
    not change while it was built. ``path=None`` builds and prepares it, keeping nothing."""
    if path is not None:
        ctx = _load(path)
        if ctx is not None:
            log.info("prepared town read from %s", path)
            return ctx
    ctx = prepare_town(build())
    if path is not None and unchanged():
        _store(path, ctx)
    return ctx


def read_prepared_context(source: str | Path, rules: Rules, *, cache: Path | None,
                          crs: str | None = None) -> Context:
    """The context of ``source`` (:func:`geo.io.read_context`), prepared
    (:func:`geo.prepared.prepare_town`): loaded from ``cache`` when it keeps this content,
    else read, prepared and kept there. ``cache=None`` reads and prepares it every time.

    Raises
    ------
    InputError
        As :func:`geo.io.read_context` (a cached town was read without error before).
    """
    def read() -> Context:
        from geo.io.context import read_context  # the readers of a whole context: on a miss

        return read_context(source, rules, crs=crs)

    path = None if cache is None else cache_path(source, rules, cache, crs=crs)
    # kept only if the file did not change while it was read
    return kept_town(path, read, unchanged=lambda: cache is not None
                     and path == cache_path(source, rules, cache, crs=crs))
