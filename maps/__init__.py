"""Folium web maps of sijie's results, for GIS staff, field reviewers and public briefings.

Map builders are functions from ``geo`` results to a ``folium.Map``; they never import ``api``.
:func:`page_html` turns a map into a page that loads Leaflet and every script from sijie's own
files (inlined, or under a URL prefix where :func:`static_dir` is served), never from a CDN.
"""

from maps.adjustment import adjustment_map
from maps.assets import UnknownAssetError, page_html, static_dir
from maps.audit import audit_map
from maps.basemaps import Basemap, BasemapError
from maps.build import MapKind, MapKindError, MapStyle
from maps.facility import facility_map
from maps.grids import grid_map
from maps.public import public_map
from maps.validation import validation_map

__all__ = [
    "Basemap",
    "BasemapError",
    "MapKind",
    "MapKindError",
    "MapStyle",
    "UnknownAssetError",
    "adjustment_map",
    "audit_map",
    "facility_map",
    "grid_map",
    "page_html",
    "public_map",
    "static_dir",
    "validation_map",
]
