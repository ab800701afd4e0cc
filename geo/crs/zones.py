"""CGCS2000 Gauss–Krüger 3° zones and the choice of sijie's metric working CRS.

EPSG:4534–4554 are the zones without a zone prefix ("CM" codes, central meridians 75°E to
135°E, false easting 500 000 m). EPSG:4513–4533 are the same zones with the zone number
(25–45) prefixed to the false easting (e.g. 40 500 000 m for zone 40 / CM 120°E), so the
CM code is always the prefixed code + 21.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CRSError, MissingCRSError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "cm_epsg_from_zone_prefixed",
    "gk_cm_epsg_for_longitude",
    "is_gk_cm",
    "is_gk_zone_prefixed",
    "to_work_crs",
    "work_crs",
]

logger = logging.getLogger(__name__)

_FIRST_ZONE, _LAST_ZONE = 25, 45  # CM 75°E ... CM 135°E
_FIRST_CM_EPSG, _LAST_CM_EPSG = 4534, 4554
_FIRST_PREFIXED_EPSG, _LAST_PREFIXED_EPSG = 4513, 4533
_MIN_LON, _MAX_LON = 73.5, 136.5
_CGCS2000 = "EPSG:4490"


def gk_cm_epsg_for_longitude(lon: float) -> int:
    """Return the CGCS2000 GK CM code (EPSG:4534–4554) whose central meridian is nearest.

    The central meridian is ``3 * round(lon / 3)``; a longitude exactly between two
    meridians goes to the eastern zone (136.5°E stays in CM 135°E).

    Raises
    ------
    CRSError
        If ``lon`` is not within 73.5°E–136.5°E, the span of China's 3° zones.
    """
    if not math.isfinite(lon) or not _MIN_LON <= lon <= _MAX_LON:
        raise CRSError(message_key="crs_lon_outside_zones",
                       params={"lon": lon, "min_lon": _MIN_LON, "max_lon": _MAX_LON})
    zone = min(math.floor(lon / 3.0 + 0.5), _LAST_ZONE)
    return _FIRST_CM_EPSG + zone - _FIRST_ZONE


def is_gk_cm(epsg: int) -> bool:
    """Tell whether ``epsg`` is a CGCS2000 GK 3° code without zone prefix (4534–4554)."""
    return _FIRST_CM_EPSG <= epsg <= _LAST_CM_EPSG


def is_gk_zone_prefixed(epsg: int) -> bool:
    """Tell whether ``epsg`` is a CGCS2000 GK 3° code with zone prefix (4513–4533)."""
    return _FIRST_PREFIXED_EPSG <= epsg <= _LAST_PREFIXED_EPSG


def cm_epsg_from_zone_prefixed(epsg: int) -> int:
    """Return the CM code of a zone-prefixed GK code, e.g. 4528 (zone 40) -> 4549 (CM 120°E).

    Raises
    ------
    ValueError
        If ``epsg`` is not a zone-prefixed CGCS2000 GK 3° code.
    """
    if not is_gk_zone_prefixed(epsg):
        raise ValueError(f"EPSG:{epsg} is not a zone-prefixed CGCS2000 3° zone (4513–4533)")
    return epsg + (_FIRST_CM_EPSG - _FIRST_PREFIXED_EPSG)


def _parse_override(override: str) -> pyproj.CRS:
    try:
        crs = pyproj.CRS.from_user_input(override)
    except PyprojCRSError:
        raise CRSError(message_key="work_crs_unknown", params={"value": override}) from None
    if not crs.is_projected:
        raise CRSError(message_key="work_crs_geographic", params={"value": override})
    return crs


def work_crs(
    crs: Any,
    bounds: tuple[float, float, float, float],
    *,
    override: str | None = None,
) -> pyproj.CRS:
    """Pick the metric CRS sijie measures in.

    Parameters
    ----------
    crs
        The data's CRS (anything ``pyproj.CRS.from_user_input`` accepts).
    bounds
        ``(minx, miny, maxx, maxy)`` of the data in ``crs``.
    override
        A rules-file ``work_crs``; wins when given.

    Returns
    -------
    pyproj.CRS
        The override; else the data's own CRS if it is a GK CM code (kept even if the data
        lies a little outside its zone); else the CM equivalent of a zone-prefixed code; else
        the CM zone of the centre of ``bounds`` taken in EPSG:4490.
    """
    if override is not None:
        return _parse_override(override)
    if crs is None:
        raise MissingCRSError(message_key="crs_missing")
    data_crs = pyproj.CRS.from_user_input(crs)
    epsg = data_crs.to_epsg()
    if epsg is not None and is_gk_cm(epsg):
        return data_crs
    if epsg is not None and is_gk_zone_prefixed(epsg):
        return pyproj.CRS.from_epsg(cm_epsg_from_zone_prefixed(epsg))
    if not all(math.isfinite(b) for b in bounds):
        raise CRSError(message_key="crs_no_extent")
    to_cgcs = pyproj.Transformer.from_crs(data_crs, _CGCS2000, always_xy=True)
    minx, _, maxx, _ = to_cgcs.transform_bounds(*bounds)
    chosen = gk_cm_epsg_for_longitude((minx + maxx) / 2.0)
    logger.debug("picked work CRS EPSG:%d for data in %s", chosen, data_crs.name)
    return pyproj.CRS.from_epsg(chosen)


def to_work_crs(gdf: gpd.GeoDataFrame, *, override: str | None = None) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in :func:`work_crs` (a plain copy if it is already there)."""
    bounds = tuple(float(b) for b in np.asarray(gdf.total_bounds, dtype=float))
    target = work_crs(gdf.crs, bounds, override=override)  # type: ignore[arg-type]
    if gdf.crs is not None and pyproj.CRS.from_user_input(gdf.crs) == target:
        return gdf.copy()
    return gdf.to_crs(target)
