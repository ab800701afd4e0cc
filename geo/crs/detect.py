"""Settle the CRS of an input layer and refuse coordinates that cannot be right.

sijie works on Chinese planning data, so every layer must lie in China once its CRS is
known. The checks here catch the usual mistakes: no CRS, latitude/longitude swapped, a
CRS that puts the data abroad, and GK zone-prefixed eastings declared as CM codes (or the
other way round).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyproj
from pyproj.exceptions import CRSError as PyprojCRSError
from pyproj.exceptions import ProjError

from geo.crs.zones import cm_epsg_from_zone_prefixed, is_gk_cm, is_gk_zone_prefixed
from geo.errors import CRSError, MissingCRSError
from geo.i18n import Text

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["check_plausible", "gcj02_may_apply", "resolve_crs", "zone_prefixed_epsg"]

logger = logging.getLogger(__name__)

_CGCS2000 = "EPSG:4490"
_CHINA_LON = (73.0, 136.0)
_CHINA_LAT = (3.0, 54.0)
_GCJ02_NAMES = {"GCJ02", "GCJ-02"}
_WGS84_EPSG = 4326


def _parse_declared(declared: str, path: str | Path | None, layer: str | None) -> pyproj.CRS:
    text = declared.strip()
    try:
        return pyproj.CRS.from_user_input(f"EPSG:{text}" if text.isdigit() else text)
    except PyprojCRSError:
        raise CRSError(
            message_key="crs_declared_unknown",
            params={"declared": declared},
            path=path,
            layer=layer,
        ) from None


def _wgs84_projected(crs: pyproj.CRS) -> bool:
    """Whether ``crs`` is a projection of WGS 84 (Web Mercator, UTM …)."""
    geodetic = crs.geodetic_crs
    return crs.is_projected and geodetic is not None and geodetic.to_epsg() == _WGS84_EPSG


def gcj02_may_apply(crs: pyproj.CRS) -> bool:
    """Whether coordinates in ``crs`` may be GCJ-02 ones, as web maps export them: lon/lat,
    or a projection of WGS 84 (AMap's Web Mercator); never a CGCS2000 or older projection."""
    return bool(crs.is_geographic) or _wgs84_projected(crs)


def _from_gcj02(gdf: gpd.GeoDataFrame, path: str | Path | None,
                layer: str | None) -> gpd.GeoDataFrame:
    """GCJ-02 lon/lat to CGCS2000 lon/lat, whatever lon/lat CRS the file declares (GCJ-02
    files usually call themselves WGS 84); a file in a projection of WGS 84 (AMap's Web
    Mercator) is taken to its lon/lat first. Other coordinates that are no lon/lat in China
    are refused."""
    import geopandas as gpd

    from geo.crs.gcj02 import geometry_from_gcj02

    if gdf.crs is not None and _wgs84_projected(pyproj.CRS.from_user_input(gdf.crs)):
        gdf = gdf.to_crs(_WGS84_EPSG)
    bounds = _total_bounds(gdf)
    if all(math.isfinite(b) for b in bounds) and not _in_china(*bounds):
        raise CRSError(message_key="crs_gcj02_not_lonlat", params={"bounds": _fmt(bounds)},
                       path=path, layer=layer)
    out = gdf.set_crs(_CGCS2000, allow_override=True)
    shifted = geometry_from_gcj02(np.asarray(gdf.geometry.values, dtype=object))
    out[gdf.geometry.name] = gpd.GeoSeries(shifted, index=gdf.index, crs=_CGCS2000)
    logger.info("converted %d GCJ-02 features to CGCS2000 lon/lat", len(out))
    return out


def _in_china(minx: float, miny: float, maxx: float, maxy: float) -> bool:
    return (
        _CHINA_LON[0] <= minx <= maxx <= _CHINA_LON[1]
        and _CHINA_LAT[0] <= miny <= maxy <= _CHINA_LAT[1]
    )


def _fmt(bounds: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{b:.6g}" for b in bounds) + ")"


def _zone_hint(epsg: int | None, minx: float) -> Text | str:
    """Suggest the right GK code when the eastings do not match the declared prefix style."""
    if epsg is None or not (is_gk_cm(epsg) or is_gk_zone_prefixed(epsg)):
        return ""
    zone = int(minx // 1_000_000)
    if is_gk_cm(epsg) and 25 <= zone <= 45:
        return Text("crs_hint_add_prefix",
                    {"zone": zone, "suggested": 4513 + zone - 25, "epsg": epsg})
    if is_gk_zone_prefixed(epsg) and 0 <= minx < 1_000_000:
        return Text("crs_hint_drop_prefix",
                    {"suggested": cm_epsg_from_zone_prefixed(epsg), "epsg": epsg})
    return Text("crs_hint_prefix")


def _total_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = (float(b) for b in np.asarray(gdf.total_bounds, dtype=float))
    return minx, miny, maxx, maxy


def check_plausible(crs: pyproj.CRS, bounds: tuple[float, float, float, float], *,
                    path: str | Path | None = None, layer: str | None = None) -> None:
    """Refuse coordinates that cannot be right in ``crs``: lon/lat swapped, or a place outside
    China.

    Parameters
    ----------
    crs
        The layer's CRS, as settled.
    bounds
        ``(minx, miny, maxx, maxy)`` of the layer in ``crs``; NaN bounds (no geometry, or
        only empty ones) pass.
    path, layer
        Where the layer came from, named in error messages.

    Raises
    ------
    CRSError
        The coordinates look like latitude/longitude given in the wrong order, or lie outside
        China; the message gives the bounds and, for a GK zone, the code that fits them.
    """
    if not all(math.isfinite(b) for b in bounds):
        return  # empty layer or only empty geometries: nothing to check
    minx, miny, maxx, maxy = bounds
    if crs.is_geographic:
        if (
            _CHINA_LAT[0] <= minx <= maxx <= _CHINA_LAT[1]
            and _CHINA_LON[0] <= miny <= maxy <= _CHINA_LON[1]
        ):
            raise CRSError(
                message_key="crs_axes_swapped",
                params={"minx": minx, "maxx": maxx, "miny": miny, "maxy": maxy},
                path=path,
                layer=layer,
            )
        if not _in_china(*bounds):
            raise CRSError(
                message_key="crs_outside_china",
                params={"bounds": _fmt(bounds), "crs": crs.name},
                path=path,
                layer=layer,
            )
        return
    try:  # a CRS with no datum (an engineering one) has no way to lon/lat at all
        to_cgcs = pyproj.Transformer.from_crs(crs, _CGCS2000, always_xy=True)
        lonlat = to_cgcs.transform_bounds(minx, miny, maxx, maxy)
    except ProjError:
        lonlat = (math.nan,) * 4
    if not all(math.isfinite(b) for b in lonlat) or not _in_china(*lonlat):
        where = (
            Text("crs_where_lonlat", {"bounds": _fmt(lonlat)})
            if all(math.isfinite(b) for b in lonlat)
            else Text("crs_where_unconvertible")
        )
        raise CRSError(
            message_key="crs_outside_china_projected",
            params={"crs": crs.name, "bounds": _fmt(bounds), "where": where,
                    "hint": _zone_hint(crs.to_epsg(), minx)},
            path=path,
            layer=layer,
        )


def zone_prefixed_epsg(crs: pyproj.CRS) -> int | None:
    """The EPSG code of ``crs`` when it is a zone-prefixed CGCS2000 GK zone (4513–4533), which
    :func:`resolve_crs` converts to the zone's CM code; ``None`` for any other CRS."""
    epsg = crs.to_epsg()
    return epsg if epsg is not None and is_gk_zone_prefixed(epsg) else None


def resolve_crs(
    gdf: gpd.GeoDataFrame,
    *,
    declared: str | None = None,
    path: str | Path | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` with a trustworthy CRS, or raise a :class:`~geo.errors.CRSError`.

    Parameters
    ----------
    gdf
        The layer as read.
    declared
        A user-named CRS (``--crs``); wins over the file's. ``GCJ02``/``GCJ-02`` means the
        coordinates are GCJ-02 lon/lat (or Web Mercator, when the file says so), whatever
        datum the file names: they are converted to EPSG:4490.
    path, layer
        Where the layer came from, named in error messages.

    Returns
    -------
    GeoDataFrame
        The layer, with the declared CRS set, GCJ-02 converted to EPSG:4490 and zone-prefixed
        GK data converted to its CM code; nothing else is reprojected.
    """
    if declared is not None:
        if declared.strip().upper() in _GCJ02_NAMES:
            gdf = _from_gcj02(gdf, path, layer)
        else:
            gdf = gdf.set_crs(_parse_declared(declared, path, layer), allow_override=True)
    elif gdf.crs is None:
        raise MissingCRSError(
            message_key="crs_missing",
            path=path,
            layer=layer,
        )
    crs = pyproj.CRS.from_user_input(gdf.crs)
    check_plausible(crs, _total_bounds(gdf), path=path, layer=layer)
    epsg = zone_prefixed_epsg(crs)
    if epsg is not None:
        cm = cm_epsg_from_zone_prefixed(epsg)
        logger.info("converting EPSG:%d (zone-prefixed) to EPSG:%d", epsg, cm)
        gdf = gdf.to_crs(epsg=cm)
    return gdf
