"""GCJ-02 ("Mars coordinates"), the obfuscated lon/lat of AMap/Gaode and other Chinese web maps.

GCJ-02 is never a storage CRS: sijie converts GCJ-02 input to WGS 84 / CGCS2000 lon/lat on
reading, and converts to GCJ-02 only to draw over a GCJ-02 base map. CGCS2000 and WGS 84 are
treated as equal here (they differ by centimetres). Outside China's rough bounding box the
offset is zero and points are returned unchanged.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["gcj02_to_wgs84", "geometry_from_gcj02", "geometry_to_gcj02", "wgs84_to_gcj02"]

logger = logging.getLogger(__name__)

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323  # its first eccentricity squared
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
_METRES_PER_DEGREE = 111_320.0  # rough, for the convergence test of the inverse only
_TOLERANCE_M = 0.001  # inverse stops when the round trip is within 1 mm (promise: < 1 cm)
_MAX_ITERATIONS = 30

Coord = float | npt.NDArray[np.float64]
G = TypeVar("G")


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    outside_lon = (lon < _CHINA_LON[0]) | (lon > _CHINA_LON[1])
    return outside_lon | (lat < _CHINA_LAT[0]) | (lat > _CHINA_LAT[1])


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS 84, in degrees, at WGS 84 position (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    common = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += common * 2.0 / 3.0
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += common * 2.0 / 3.0
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _as_output(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> tuple[Coord, Coord]:
    return (float(lon), float(lat)) if scalar else (lon, lat)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert WGS 84 (≈ CGCS2000) lon/lat in degrees to GCJ-02.

    Accepts scalars or arrays (broadcast together); returns floats for scalar input.
    """
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
    d_lon, d_lat = _offset(lon_a, lat_a)
    return _as_output(lon_a + d_lon, lat_a + d_lat, lon_a.ndim == 0)


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Coord, Coord]:
    """Convert GCJ-02 lon/lat in degrees to WGS 84 (≈ CGCS2000).

    Fixed-point iteration on the forward formula until the round trip GCJ→WGS→GCJ is within
    1 mm (at most 30 iterations; three normally suffice). Accepts scalars or arrays.
    """
    gcj_lon, gcj_lat = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float))
    wgs_lon, wgs_lat = gcj_lon.copy(), gcj_lat.copy()
    cos_lat = np.cos(np.radians(gcj_lat))
    for _ in range(_MAX_ITERATIONS):
        d_lon, d_lat = _offset(wgs_lon, wgs_lat)
        err_lon, err_lat = gcj_lon - (wgs_lon + d_lon), gcj_lat - (wgs_lat + d_lat)
        wgs_lon, wgs_lat = wgs_lon + err_lon, wgs_lat + err_lat
        err_m = _METRES_PER_DEGREE * np.hypot(err_lon * cos_lat, err_lat)
        if not np.any(err_m >= _TOLERANCE_M):  # NaN coordinates count as done
            break
    else:
        logger.warning("GCJ-02 inverse did not converge in %d iterations", _MAX_ITERATIONS)
    outside = _out_of_china(gcj_lon, gcj_lat)
    wgs_lon, wgs_lat = np.where(outside, gcj_lon, wgs_lon), np.where(outside, gcj_lat, wgs_lat)
    return _as_output(wgs_lon, wgs_lat, gcj_lon.ndim == 0)


def _forward_xy(coords: np.ndarray) -> np.ndarray:
    out = coords.copy()
    out[:, 0], out[:, 1] = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
    return out


def _inverse_xy(coords: np.ndarray) -> np.ndarray:
    out = coords.copy()
    out[:, 0], out[:, 1] = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return out


def _apply(geoms: G, func: Callable[[np.ndarray], np.ndarray]) -> G:
    """Apply ``func`` to the x/y of every vertex, keeping z, index, name and CRS label."""
    # a GeoSeries comes only from a loaded geopandas: nothing else loads it here
    geopandas = sys.modules.get("geopandas")
    if geopandas is not None and isinstance(geoms, geopandas.GeoSeries):
        values = _apply(np.asarray(geoms.values, dtype=object), func)
        series: G = geopandas.GeoSeries(values, index=geoms.index, crs=geoms.crs,
                                        name=geoms.name)
        return series
    arr = np.asarray(geoms, dtype=object)
    has_z = shapely.has_z(arr)
    out = np.asarray(shapely.transform(arr, func, include_z=False), dtype=object)
    if np.any(has_z):
        out = np.where(has_z, shapely.transform(arr, func, include_z=True), out)
    return out.item() if out.ndim == 0 else out  # type: ignore[return-value]


def geometry_to_gcj02(geoms: G) -> G:
    """Shift shapely geometries (or a GeoSeries) in WGS 84/CGCS2000 lon/lat to GCJ-02.

    For drawing over a GCJ-02 base map only; the result keeps the input's CRS label and must
    not be stored.
    """
    return _apply(geoms, _forward_xy)


def geometry_from_gcj02(geoms: G) -> G:
    """Shift shapely geometries (or a GeoSeries) in GCJ-02 lon/lat to WGS 84/CGCS2000."""
    return _apply(geoms, _inverse_xy)
