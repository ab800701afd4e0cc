"""Coordinate reference systems for sijie: CGCS2000 Gauss–Krüger zones, GCJ-02, input checks.

Data is stored in CGCS2000 (EPSG:4490) or a CGCS2000 3° Gauss–Krüger CM zone
(EPSG:4534–4554); measurements happen in the zone :func:`work_crs` picks. GCJ-02 (AMap/Gaode)
is accepted on input and produced for display only, never stored. Each name is imported
from its module when first asked for (moving geometries needs no GeoDataFrames).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lazy import lazy_names

if TYPE_CHECKING:
    from geo.crs.detect import gcj02_may_apply, resolve_crs
    from geo.crs.gcj02 import (
        gcj02_to_wgs84,
        geometry_from_gcj02,
        geometry_to_gcj02,
        wgs84_to_gcj02,
    )
    from geo.crs.reprojection import reproject, reproject_all
    from geo.crs.zones import (
        cm_epsg_from_zone_prefixed,
        gk_cm_epsg_for_longitude,
        is_gk_cm,
        is_gk_zone_prefixed,
        to_work_crs,
        work_crs,
    )

__all__ = [
    "cm_epsg_from_zone_prefixed",
    "gcj02_may_apply",
    "gcj02_to_wgs84",
    "geometry_from_gcj02",
    "geometry_to_gcj02",
    "gk_cm_epsg_for_longitude",
    "is_gk_cm",
    "is_gk_zone_prefixed",
    "reproject",
    "reproject_all",
    "resolve_crs",
    "to_work_crs",
    "wgs84_to_gcj02",
    "work_crs",
]

_MODULES = {"gcj02_may_apply": "detect", "resolve_crs": "detect",
            "gcj02_to_wgs84": "gcj02", "geometry_from_gcj02": "gcj02",
            "geometry_to_gcj02": "gcj02", "wgs84_to_gcj02": "gcj02",
            "reproject": "reprojection", "reproject_all": "reprojection",
            "cm_epsg_from_zone_prefixed": "zones", "gk_cm_epsg_for_longitude": "zones",
            "is_gk_cm": "zones", "is_gk_zone_prefixed": "zones", "to_work_crs": "zones",
            "work_crs": "zones"}

__getattr__ = lazy_names(__name__, _MODULES)
