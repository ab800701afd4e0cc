"""Text as both stores keep it: NFC-normalised, without NUL or lone surrogates.

Every string an ORM object is about to write (plain columns and strings inside JSON columns)
passes :func:`clean_value` before the flush, and bulk inserts pass their values through it
themselves; a value the stores cannot hold alike (PostgreSQL refuses NUL, neither store takes
half a UTF-16 pair) is refused with 422 naming the field, on both stores the same way.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from api.json_checks import JSONRefused, check_text
from api.problems import Problem

__all__ = ["clean_value", "install_text_guard"]


def clean_value(value: Any, field: str) -> Any:
    """``value`` with every string in it NFC-normalised; 422 ``text_refused`` naming ``field``
    for NUL or a lone surrogate."""
    if isinstance(value, str):
        try:
            check_text(value)
        except JSONRefused as exc:
            raise Problem(422, "text_refused", field=field) from exc
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {clean_value(k, field): clean_value(v, f"{field}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v, field) for v in value]
    return value


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            value = getattr(obj, attr.key, None)
            if isinstance(value, str | dict | list):
                cleaned = clean_value(value, attr.key)
                if cleaned != value:
                    setattr(obj, attr.key, cleaned)


def install_text_guard(sessions: sessionmaker) -> None:
    """Check and normalise the text of every object flushed by ``sessions``' sessions."""
    event.listen(sessions, "before_flush", _before_flush)
