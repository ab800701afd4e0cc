"""Coordinate reference systems for sijie: CGCS2000 Gauss–Krüger zones, GCJ-02, input checks.

Data is stored in CGCS2000 (EPSG:4490) or a CGCS2000 3° Gauss–Krüger CM zone
(EPSG:4534–4554); measurements happen in the zone :func:`work_crs` picks. GCJ-02 (AMap/Gaode)
is accepted on input and produced for display only, never stored.
"""

from geo.crs.detect import gcj02_may_apply, resolve_crs
from geo.crs.gcj02 import (
    gcj02_to_wgs84,
    geometry_from_gcj02,
    geometry_to_gcj02,
    wgs84_to_gcj02,
)
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
    "resolve_crs",
    "to_work_crs",
    "wgs84_to_gcj02",
    "work_crs",
]
