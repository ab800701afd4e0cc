"""The maps sijie draws, by name, and the style every map shares (language, base map).

Each kind is drawn by its builder from a geo result (:func:`maps.validation_map` from a
validation report, …); what runs the analysis behind a map is the caller's choice.
"""

from __future__ import annotations

from typing import TypedDict

from geo.errors import SijieError
from maps.basemaps import Basemap
from maps.choices import Choice

__all__ = ["MapKind", "MapKindError", "MapStyle"]


class MapKindError(SijieError, ValueError):
    """A map kind sijie does not draw."""


class MapKind(Choice, error=MapKindError, option="kind"):
    validation = "validation"
    adjustment = "adjustment"
    grid = "grid"
    facility = "facility"
    public = "public"


class MapStyle(TypedDict):
    """How any map is drawn (the builders' keyword options): its language, base map and the
    Tianditu key that base map needs."""

    lang: str
    basemap: Basemap | str
    tianditu_token: str | None
