"""Coordinate systems at the service's edge (OGC API Features Part 2).

Geometries are stored in CGCS2000 longitude/latitude (EPSG:4490, which sijie treats as
CRS84 at map scale). Responses and request bodies may use CRS84, EPSG:4490 or a CGCS2000
Gauss–Krüger zone, with coordinates in that CRS's own axis order, as Part 2 requires.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from api.problems import Problem

__all__ = [
    "CRS84",
    "crs_uri",
    "from_storage",
    "is_geographic",
    "parse_crs",
    "storage_bbox",
    "supported_crs",
    "to_storage",
]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
_DEFAULT_CODES = (4490, 4549)


def crs_uri(epsg: int | None) -> str:
    """The OGC URI of an EPSG code; CRS84 for ``None``."""
    return CRS84 if epsg is None else f"{_EPSG}{epsg}"


def supported_crs(extra: tuple[int, ...] = ()) -> list[str]:
    """CRS84, EPSG:4490, EPSG:4549 and the towns' own zones."""
    codes = dict.fromkeys((*_DEFAULT_CODES, *extra))
    return [CRS84, *(crs_uri(c) for c in codes)]


def parse_crs(value: str | None, allowed: list[str]) -> str:
    """The canonical URI of a CRS given as URI, ``[URI]`` or ``EPSG:n``; 400 if not allowed."""
    if value is None or value.strip() == "":
        return CRS84
    text = value.strip().strip("[]<>")
    upper = text.upper()
    if upper in ("CRS84", "OGC:CRS84", CRS84.upper()):
        uri = CRS84
    elif upper.startswith("EPSG:") and upper[5:].isdigit():
        uri = crs_uri(int(upper[5:]))
    else:
        uri = text
    if uri not in allowed:
        raise Problem(400, "crs_unsupported", crs=value, allowed=", ".join(allowed))
    return uri


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    def crs(uri: str) -> pyproj.CRS:
        return (
            pyproj.CRS("OGC:CRS84")
            if uri == CRS84
            else pyproj.CRS.from_epsg(int(uri.rsplit("/", 1)[1]))
        )

    return pyproj.Transformer.from_crs(crs(source), crs(target), always_xy=False)


def _apply(geom: BaseGeometry, transformer: pyproj.Transformer) -> BaseGeometry:
    def move(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


@lru_cache(maxsize=32)
def is_geographic(uri: str) -> bool:
    """Whether the CRS ``uri`` has degrees (CRS84, EPSG:4490) rather than metres."""
    return uri == CRS84 or pyproj.CRS.from_epsg(int(uri.rsplit("/", 1)[1])).is_geographic


def from_storage(geom: BaseGeometry, uri: str) -> BaseGeometry:
    """A stored (lon/lat) geometry in the CRS ``uri``, in that CRS's axis order."""
    if uri == CRS84 or geom is None:
        return geom
    return _apply(geom, _transformer(CRS84, uri))


def to_storage(geom: BaseGeometry, uri: str) -> BaseGeometry:
    """A geometry given in ``uri`` (its axis order) as stored lon/lat."""
    if uri == CRS84:
        return geom
    return _apply(geom, _transformer(uri, CRS84))


def storage_bbox(
    bbox: tuple[float, float, float, float], uri: str
) -> tuple[float, float, float, float]:
    """A ``bbox`` given in ``uri`` as lon/lat bounds (densified edges, so nothing is cut off)."""
    if uri == CRS84:
        return bbox
    return tuple(_transformer(uri, CRS84).transform_bounds(*bbox, densify_pts=21))  # type: ignore[return-value]
