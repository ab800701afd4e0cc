"""Reading a map page back: the data each ``sijie.*`` call carries, by layer id."""

from __future__ import annotations

import json
import re
from typing import Any

_CALL = re.compile(r"sijie\.(geojson|places|legend|panel|title|fit|controls)\(\s*\w+\s*,\s*")


def calls(page: str) -> list[tuple[str, dict[str, Any]]]:
    """Every ``sijie.<kind>(map, {...})`` call in the page, with its JSON argument."""
    decoder = json.JSONDecoder()
    found = []
    for match in _CALL.finditer(page):
        if page[match.end()] != "{":  # the definitions in sijie.js, when it is inlined
            continue
        spec, _ = decoder.raw_decode(page, match.end())
        found.append((match.group(1), spec))
    return found


def layers(page: str) -> dict[str, dict[str, Any]]:
    """The GeoJSON layers of a page by id."""
    return {spec["id"]: spec for kind, spec in calls(page) if kind in ("geojson", "places")}


def control(page: str, kind: str) -> dict[str, Any]:
    """The one control of ``kind`` (legend, panel, title) in the page."""
    specs = [spec for k, spec in calls(page) if k == kind]
    assert len(specs) == 1, f"{len(specs)} {kind} controls"
    return specs[0]


# what a spec holds besides the words and numbers it shows: shapes, styles, legend symbols,
# the zoom from which a name shows and its angle
_NOT_SHOWN = ("geometry", "style", "swatch", "match", "minZoom", "angle")


def texts(value: Any) -> list[str]:
    """Every string and number a spec shows, leaving out geometries, styles and symbols."""
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in _NOT_SHOWN for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [] if value is None else [str(value)]


def first_ring(spec: dict[str, Any]) -> list[list[float]]:
    """The exterior ring of the first polygon of a layer's first feature."""
    geometry = spec["data"]["features"][0]["geometry"]
    coords = geometry["coordinates"]
    return coords[0] if geometry["type"] == "Polygon" else coords[0][0]
