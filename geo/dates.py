"""The bureaus' calendar: dates in the documents, the workflow and the town record are days
in China Standard Time (UTC+8), whatever clock the machine keeps."""

from __future__ import annotations

import datetime as dt

__all__ = ["CHINA", "today"]

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def today(at: dt.datetime | None = None) -> dt.date:
    """China's date at ``at`` (an aware time; default now)."""
    return (at or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()
