"""Is the store there: the readiness of the service, told by one round trip to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from api.store_errors import store_unavailable

__all__ = ["store_state"]


def store_state(engine: Engine) -> dict[str, Any]:
    """The store's engine, whether it answered ``SELECT 1``, and its connection pool's use."""
    pool = engine.pool
    state: dict[str, Any] = {
        "engine": "geopackage" if engine.dialect.name == "geopackage" else "postgresql",
        "pool": {"size": getattr(pool, "size", lambda: None)(),
                 "in_use": getattr(pool, "checkedout", lambda: None)()},
    }
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        code = store_unavailable(exc)
        if code is None:
            raise
        return {**state, "reachable": False, "reason": code}
    return {**state, "reachable": True}
