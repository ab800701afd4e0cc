"""DXF drawings: text encoding from the header, closed outlines to polygons, CAD layers.

GDAL reads a whole DXF as one layer called ``entities`` with the CAD layer of every entity
in a ``Layer`` field. Closed LWPOLYLINE/POLYLINE outlines arrive as closed LineStrings and
HATCH entities as polygons; a planner means an area by both, so closed outlines are turned
into polygons here. Open lines stay lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.i18n import Text

__all__ = ["GDAL_DXF_LAYER", "dxf_encoding", "dxf_to_planning", "select_cad_layer"]

GDAL_DXF_LAYER = "entities"
_HEADER_BYTES = 1 << 16
_UNICODE_ESCAPE = re.compile(r"\\U\+([0-9A-Fa-f]{4})")
_TEXT_FIELDS = ("layer", "Text")
_UTF8_FROM = "AC1021"  # DXF R2007: from this version on the file is always UTF-8
# "  9 / $ACADVER /  1 / AC1027": a header variable, its group code and its value.
_HEADER_VAR = re.compile(
    rb"^[ \t]*9[ \t]*\r?\n[ \t]*\$(ACADVER|DWGCODEPAGE)[ \t]*\r?\n[ \t]*\d+[ \t]*\r?\n([^\r\n]*)",
    re.M,
)


def dxf_encoding(path: Path) -> str | None:
    """Return the text encoding of the DXF file ``path`` from its header variables.

    ``"UTF-8"`` for R2007 (AC1021) and later, whatever ``$DWGCODEPAGE`` says (GDAL 3.12
    would otherwise decode those UTF-8 bytes as the code page and garble Chinese layer
    names); ``"CP936"`` and the like for older files; ``None`` when unknown (binary DXF).
    """
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
    if head.startswith(b"AutoCAD Binary DXF"):
        return None
    found = {
        m.group(1).decode(): m.group(2).strip().decode("ascii", "replace").upper()
        for m in _HEADER_VAR.finditer(head)
    }
    version = found.get("ACADVER", "")
    if version.startswith("AC") and version >= _UTF8_FROM:
        return "UTF-8"
    codepage = found.get("DWGCODEPAGE", "")
    if codepage.startswith("ANSI_") and codepage[5:].isdigit():
        return f"CP{codepage[5:]}"
    return "CP1252" if version else None


def _unescape(value: object) -> object:
    """Decode AutoCAD's ``\\U+89C4`` escapes, used for characters outside the code page."""
    if isinstance(value, str) and "\\U+" in value:
        return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def _as_area(geom: BaseGeometry | None) -> BaseGeometry | None:
    if isinstance(geom, LineString) and geom.is_closed and len(geom.coords) >= 4:
        return Polygon(geom.coords)
    return geom


def dxf_to_planning(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn closed outlines into polygons, drop the constant Z, rename ``Layer``.

    ``\\U+XXXX`` escapes in the layer name and text are decoded.

    Parameters
    ----------
    gdf
        The ``entities`` layer as GDAL reads it.

    Returns
    -------
    GeoDataFrame
        A copy with the CAD layer in a ``layer`` column.
    """
    out = gdf.rename(columns={"Layer": "layer"})
    for column in _TEXT_FIELDS:
        if column in out.columns:
            out[column] = out[column].map(_unescape)
    geoms = np.array([_as_area(g) for g in shapely.force_2d(out.geometry.values)], dtype=object)
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out


def select_cad_layer(gdf: gpd.GeoDataFrame, layer: str | None, path: Path) -> gpd.GeoDataFrame:
    """Keep the entities on CAD layer ``layer``; all of them for ``None`` or ``entities``.

    Raises
    ------
    InputError
        No entity lies on that CAD layer; the message lists the CAD layers there are.
    """
    if layer is None or layer == GDAL_DXF_LAYER:
        return gdf
    if "layer" not in gdf.columns:
        raise InputError(message_key="dxf_no_layer_names", path=path, layer=layer)
    mask = gdf["layer"] == layer
    if not mask.any():
        names = ", ".join(sorted(gdf["layer"].dropna().unique())) or Text("none")
        raise InputError(
            message_key="dxf_layer_not_found",
            params={"layers": names},
            path=path,
            layer=layer,
        )
    return gdf.loc[mask]
