"""Bring a database to the newest schema with Alembic, configured in code."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from geoalchemy2 import Geometry, alembic_helpers
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from api.db.typed_layers import alias_columns
from geo.errors import InputError

__all__ = ["alembic_config", "compare_type", "include_object", "schema_lock", "upgrade",
           "upgrade_once"]

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x5131E  # the advisory lock that one process at a time holds to migrate


def include_object(obj: Any, name: str | None, obj_type: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Whether Alembic compares ``obj`` with the models: not the spatial extensions' own
    tables (GeoAlchemy2's list) nor a GeoPackage's R-tree indexes (``rtree_<table>_<geom>``
    and their shadow tables), QGIS's ``layer_styles``, and the generated columns a
    GeoPackage's typed views take their geometry from (:mod:`api.db.typed_layers`)."""
    if obj_type == "table" and name is not None and (name.startswith("rtree_")
                                                     or name == "layer_styles"):
        return False
    if obj_type == "column" and reflected and compare_to is None and name in alias_columns():
        return False
    return bool(alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to))


def compare_type(context: Any, inspected_column: Any, metadata_column: Any,
                 inspected_type: Any, metadata_type: Any) -> bool | None:
    """Whether a column's type differs from the model's: as Alembic compares them, except that
    a GeoPackage's mixed tables (:mod:`api.db.typed_layers`) are not registered as layers, so
    their geometry column is reflected without its SRID."""
    if (context.dialect.name == "geopackage" and isinstance(inspected_type, Geometry)
            and isinstance(metadata_type, Geometry) and inspected_type.srid == -1
            and inspected_type.geometry_type == metadata_type.geometry_type):
        return False
    return None


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at sijie's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate sijie's tables on ``engine`` (GeoPackage or PostGIS).

    Raises
    ------
    InputError
        The database cannot be reached or opened (the message names it, without password).
    """
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise _cannot_open(engine, exc) from exc


def _cannot_open(engine: Engine, exc: OperationalError) -> InputError:
    """The database cannot be reached or opened: an error naming it, without password."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = engine.url.render_as_string(hide_password=True)
    return InputError(message_key="db_cannot_open", params={"where": where, "reason": reason})


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold the lock that lets one process at a time migrate and seed the database: a
    PostgreSQL advisory lock, or an exclusive lock on a file beside the GeoPackage. The
    workers of ``sijie serve --workers N`` start together; the first migrates, the others
    wait and then find the schema current."""
    if engine.dialect.name == "postgresql":
        try:
            conn = engine.connect()
        except OperationalError as exc:
            raise _cannot_open(engine, exc) from exc
        with conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database or "sijie.gpkg"
    with open(f"{database}.migrate-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_once(engine: Engine) -> None:
    """:func:`upgrade` under :func:`schema_lock`."""
    with schema_lock(engine):
        upgrade(engine)
