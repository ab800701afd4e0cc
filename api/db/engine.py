"""The one place that knows how to open sijie's database: a GeoPackage file or PostGIS.

``gpkg:///path.gpkg`` opens (and creates) a GeoPackage through SpatiaLite, using the
``pysqlite3`` build of SQLite because the standard library's cannot load extensions (what
makes the file a conforming GeoPackage is in :mod:`api.db.geopackage`);
``postgresql+psycopg://…`` opens PostGIS. Everything else in sijie just calls
:func:`make_engine`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, String, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles

from geo.errors import InputError
from geo.i18n import Text

__all__ = ["gpkg_path", "is_geopackage", "make_engine"]

_GPKG_PREFIX = "gpkg:///"
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"


def is_geopackage(url: str) -> bool:
    """True for a ``gpkg:///path`` URL."""
    return url.startswith(_GPKG_PREFIX)


def gpkg_path(url: str) -> Path:
    """The file a ``gpkg:///path`` URL names (``gpkg:////abs/path`` for an absolute path)."""
    return Path(url[len(_GPKG_PREFIX) :])


@compiles(String, "geopackage")
@compiles(JSON, "geopackage")
def _gpkg_text(type_: Any, compiler: Any, **kw: Any) -> str:
    # GeoPackage knows TEXT, not VARCHAR(n) or JSON; GDAL (QGIS, ArcGIS) would skip such columns
    return "TEXT"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers go on while one writer commits; the busy timeout makes a second writer
    # wait for the first instead of failing at once
    if cursor.execute("PRAGMA application_id").fetchone()[0] != _GPKG_APPLICATION_ID:
        # mark the file as a GeoPackage 1.2 so GDAL, QGIS and ArcGIS open it without warnings;
        # before WAL is on, so the header is written to the file itself at once. A connection
        # opened while a writer holds the lock leaves it to a later one instead of waiting.
        cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute(f"PRAGMA application_id={_GPKG_APPLICATION_ID}")
            cursor.execute("PRAGMA user_version=10200")
        except Exception as exc:  # the driver's OperationalError: "database is locked"
            if "locked" not in str(exc):
                raise
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        # switching needs the file to itself; once on, a new connection must not ask again, or
        # it would wait for whichever writer holds the lock
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(
    url: str, *, echo: bool = False, pool_size: int = 10, wait_seconds: float = 30.0
) -> Engine:
    """An engine for ``gpkg:///path.gpkg`` or ``postgresql+psycopg://…``.

    ``pool_size`` connections are kept (no more are opened); a caller finding all in use waits
    up to ``wait_seconds`` (then ``sqlalchemy.exc.TimeoutError``), and a PostgreSQL server
    that does not answer a connection attempt in that time is taken as unavailable.

    Raises
    ------
    InputError
        The URL names neither a GeoPackage nor PostgreSQL.
    """
    if is_geopackage(url):
        # GDAL (pyogrio) must load its SQLite before pysqlite3 and SpatiaLite are loaded:
        # the other order crashes the process when geo.io later reads a GeoPackage
        import pyogrio  # noqa: F401
        import pysqlite3.dbapi2 as pysqlite3

        from api.db.geopackage import connect_geopackage

        path = gpkg_path(url)
        if path.parent and not path.parent.exists():
            hint = (Text("db_absolute_hint", {"path": path})
                    if not path.is_absolute() and Path("/", path).parent.exists() else "")
            raise InputError(message_key="db_folder_missing", params={"hint": hint},
                             path=path.parent)
        engine = create_engine(
            url,
            module=pysqlite3,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": wait_seconds},
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=wait_seconds,
        )
        # the GeoPackage base tables first: SpatiaLite marks a new file as GeoPackage 1.0,
        # which the pragmas then mark 1.2 before the file goes to WAL
        event.listen(engine, "connect", connect_geopackage)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError for anything unparsable
        raise InputError(message_key="db_url_unreadable", params={"url": url}) from exc
    if parsed.get_backend_name() != "postgresql":
        raise InputError(message_key="db_unsupported",
                         params={"backend": parsed.get_backend_name()})
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=wait_seconds,
        connect_args={"connect_timeout": max(1, round(wait_seconds))},
    )
