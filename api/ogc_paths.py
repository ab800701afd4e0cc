"""Which paths are OGC API Features resources (the landing page, conformance, collections,
a collection, its queryables and sortables, its items and one item): they answer an invalid query
parameter with 400, as OGC API Features Part 1 requires, where the rest of the API says 422."""

from __future__ import annotations

import re

__all__ = ["is_ogc_path"]

_OGC = re.compile(
    r"^/(conformance|collections(/[^/]+(/queryables|/sortables|/items(/[^/]+)?)?)?)?/?$")


def is_ogc_path(path: str) -> bool:
    """Whether ``path`` is one of the OGC API Features resources."""
    return bool(_OGC.match(path))
