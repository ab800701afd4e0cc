"""The service's sessions, and the one writer of a GeoPackage.

A GeoPackage has one writer at a time. Reads run outside any transaction (each sees the
newest commit and holds no lock); a transaction begins at its first write, with
``BEGIN IMMEDIATE``, so it holds the writer lock from the start and can never fail half-way
with "database is locked" because another writer committed in between. Within a process the
writers queue on a lock of their own, held from that ``BEGIN IMMEDIATE`` to the commit or
rollback, so they take turns instead of polling; between the worker processes of
``sijie serve --workers N`` SQLite's busy timeout makes them wait. A writer that does not get
its turn in ``wait_seconds`` gets ``sqlalchemy.exc.TimeoutError``, answered 503 with
Retry-After (:mod:`api.store_errors`). Races between writers that read the same state are
settled by the schema's unique keys (a second version n+1 is refused: 412).

PostgreSQL needs none of this.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import TimeoutError as WaitedTooLong
from sqlalchemy.orm import sessionmaker

__all__ = ["make_sessions"]

_HOLDS = "sijie_writer_lock"


def _one_writer(engine: Engine, wait_seconds: float) -> None:
    turn = threading.Lock()

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            turn.release()

    @event.listens_for(engine, "connect")
    def _wait_for_the_writer(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")

    @event.listens_for(engine, "before_cursor_execute")
    def _writer_lock_first(conn: Any, cursor: Any, statement: str, parameters: Any,
                           context: Any, executemany: bool) -> None:
        writes = context is not None and (context.isinsert or context.isupdate
                                          or context.isdelete)
        if not writes or conn.connection.dbapi_connection.in_transaction:
            return
        if not turn.acquire(timeout=wait_seconds):
            raise WaitedTooLong("the GeoPackage's writer lock was not had in time")
        conn.info[_HOLDS] = True
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            release(conn.info)
            raise

    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn: release(conn.info))
    def record_released(dbapi_conn: Any, record: Any, *more: Any) -> None:
        release(record.info)

    for name in ("checkin", "invalidate", "close"):
        event.listen(engine.pool, name, record_released)

    @event.listens_for(engine.pool, "reset")
    def _reset(dbapi_conn: Any, record: Any, reset_state: Any) -> None:
        release(record.info)


def make_sessions(engine: Engine, *, wait_seconds: float) -> sessionmaker:
    """Sessions on ``engine`` (objects stay readable after commit); on a GeoPackage, writes
    taking the writer lock as described above."""
    if engine.dialect.name == "geopackage":
        _one_writer(engine, wait_seconds)
    return sessionmaker(engine, expire_on_commit=False)
