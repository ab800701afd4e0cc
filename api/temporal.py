"""The OGC API Features ``datetime`` parameter (Part 1, 7.15.4): an RFC 3339 instant or a
closed or half-open interval, parsed into the time span a feature's validity must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from api.problems import Problem

__all__ = ["Span", "parse_datetime"]

# RFC 3339 date-time: a full date, "T", a time with seconds, an offset (Z or ±hh:mm)
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Span:
    """From ``start`` to ``end`` (both included; ``None`` is open)."""

    start: datetime | None
    end: datetime | None


def _moment(text: str, whole: str, *, end: bool) -> datetime:
    """One end of the parameter: a date-time, or a date standing for its whole day (UTC)."""
    try:
        if _DATE_TIME.match(text):
            return datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
        if _DATE.match(text):
            day = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
            return day + timedelta(days=1, microseconds=-1) if end else day
    except ValueError:
        pass
    raise Problem(400, "datetime_invalid", got=whole)


def parse_datetime(value: str | None) -> Span | None:
    """The span ``value`` asks for; ``None`` when the parameter is absent.

    ``2026-06-30T08:00:00Z`` is an instant, ``2026-06-30`` that whole day, ``a/b``, ``a/..``,
    ``../b`` and ``../..`` intervals (``..`` or empty: open).

    Raises
    ------
    Problem
        400 ``datetime_invalid``: not RFC 3339, no UTC offset, or an interval ending before
        it starts.
    """
    if value is None:
        return None
    text = value.strip()
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise Problem(400, "datetime_invalid", got=value)
        start, end = (None if p in ("", "..") else _moment(p, value, end=i == 1)
                      for i, p in enumerate(parts))
        if start is not None and end is not None and end < start:
            raise Problem(400, "datetime_invalid", got=value)
        return Span(start, end)
    if _DATE.match(text):
        return Span(_moment(text, value, end=False), _moment(text, value, end=True))
    moment = _moment(text, value, end=False)
    return Span(moment, moment)
