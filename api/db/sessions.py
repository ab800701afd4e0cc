"""Sessions of the service and how their transactions begin, on both stores.

A GeoPackage has one writer at a time. A request that may write (any method but GET, HEAD,
OPTIONS) begins each of its transactions with ``BEGIN IMMEDIATE``: it takes the writer lock before
it reads what it is about to change, waiting (SQLite retries with back-off, bounded by the
busy timeout) while another writer holds it, in this process or another. A write can then
never fail half-way with "database is locked" because another writer committed in between;
when the lock is not had in time the request is answered 503 with Retry-After (see
:mod:`api.db.outage`). Readers are never blocked (write-ahead log).

PostgreSQL needs none of this; both makers are then the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import sessionmaker

__all__ = ["Sessions", "make_sessions"]

_BEGIN = "sqlite_begin"


@dataclass(frozen=True)
class Sessions:
    """The service's session makers: ``read`` for safe requests, ``write`` for the others."""

    read: sessionmaker
    write: sessionmaker


def _immediate_writers(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _wait_for_the_writer(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout={busy_ms}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # readers keep the driver's way: each read sees the newest commit, and a write begins
        # its transaction just before it; a writer's session begins it at its first read
        if conn.get_execution_options().get(_BEGIN) == "IMMEDIATE":
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessions(engine: Engine, *, wait_seconds: float) -> Sessions:
    """Session makers on ``engine`` (objects stay readable after commit)."""
    read = sessionmaker(engine, expire_on_commit=False)
    if engine.dialect.name != "geopackage":
        return Sessions(read, read)
    _immediate_writers(engine, int(wait_seconds * 1000))
    writer = engine.execution_options(**{_BEGIN: "IMMEDIATE"})
    return Sessions(read, sessionmaker(writer, expire_on_commit=False))
