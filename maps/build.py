"""The maps sijie draws, by name, and the style every map shares (language, base map).

Each kind is drawn by its builder from a geo result (:func:`maps.validation_map` from a
validation report, …); what runs the analysis behind a map is the caller's choice.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict

from geo.errors import SijieError
from maps.basemaps import Basemap
from maps.choices import parse_choice

__all__ = ["MapKind", "MapKindError", "MapStyle"]


class MapKindError(SijieError, ValueError):
    """A map kind sijie does not draw."""


class MapKind(StrEnum):
    validation = "validation"
    adjustment = "adjustment"
    grid = "grid"
    facility = "facility"
    public = "public"

    @classmethod
    def parse(cls, value: MapKind | str) -> MapKind:
        """The kind named ``value``; a MapKindError naming the choices otherwise."""
        return parse_choice(cls, value, MapKindError, "kind")


class MapStyle(TypedDict):
    """How any map is drawn (the builders' keyword options): its language, base map and the
    Tianditu key that base map needs."""

    lang: str
    basemap: Basemap | str
    tianditu_token: str | None
