"""How sijie draws its layers: one set of colours and lines for the web maps and for the QGIS
styles of the GeoPackages it writes, so a layer looks the same in both.

Each style holds Leaflet path options: ``color`` and ``weight`` (pixels) of the outline or
line, ``dashArray``, ``opacity``, ``fillColor`` and ``fillOpacity`` (no fill when ``fill`` is
False or no ``fillColor`` is given); a file's layer drawn class by class also has ``classes``,
``(field, {value: (the options that differ, the message naming the class)})``.
"""

from __future__ import annotations

from typing import Any

from geo.i18n import N_

__all__ = ["ADJUSTED", "AUDIT_FAIL", "AUDIT_PASS", "BEFORE", "BROKEN", "BUILDINGS",
           "EMPLOYEE_RAMP", "FILE_LAYER_STYLES", "GIVEN", "GRID", "LANDUSE", "LANDUSE_COLOURS",
           "LANDUSE_LABELS", "MICROGRID", "OVERLAP", "PARCELS", "SITE_STYLES", "STYLES", "TOWN",
           "Style", "file_layer_style"]

Style = dict[str, Any]

# colours a GIS reviewer reads at a glance; findings by severity
STYLES: dict[str, Style] = {
    "proposal": {"color": "#1f4e9c", "weight": 3, "fillColor": "#4a7bd0", "fillOpacity": 0.12},
    "neighbours": {"color": "#8c8c8c", "weight": 1, "dashArray": "4 3", "fillColor": "#d9d4c7",
                   "fillOpacity": 0.25},
    "roads": {"color": "#9a9a9a", "weight": 2, "opacity": 0.9},
    "water": {"color": "#3d8fd1", "weight": 3, "fillColor": "#9ccbf0", "fillOpacity": 0.6},
    "terrain": {"color": "#8d6e63", "weight": 2, "dashArray": "6 4"},
    "error": {"color": "#d32f2f", "weight": 5, "fillColor": "#ef5350", "fillOpacity": 0.45},
    "warning": {"color": "#ef6c00", "weight": 4, "fillColor": "#ffa726", "fillOpacity": 0.35},
    "info": {"color": "#1565c0", "weight": 3, "fillColor": "#64b5f6", "fillOpacity": 0.3},
}
# the adjustment: neighbours before (outline) and after, one left broken, the land given
BEFORE: Style = {"color": "#6d6d6d", "weight": 2, "dashArray": "6 4", "fill": False}
ADJUSTED: Style = {"color": "#2e7d32", "weight": 2, "fillColor": "#a5d6a7", "fillOpacity": 0.25}
BROKEN: Style = {"color": "#c62828", "fillColor": "#ef9a9a"}
GIVEN: Style = {"color": "#e65100", "weight": 1, "fillColor": "#ff9800", "fillOpacity": 0.55}
# grids, filled light to dark by employees, and micro-grids
EMPLOYEE_RAMP = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
GRID: Style = {"color": "#1b2a49", "weight": 2, "fillOpacity": 0.6}
MICROGRID: Style = {"color": "#6a1b9a", "weight": 1, "fillColor": "#ce93d8", "fillOpacity": 0.2}
# candidate sites for the service facilities: the best, the others ranked, near misses
SITE_STYLES: dict[str, Style] = {
    "best": {"color": "#b71c1c", "weight": 3, "fillColor": "#e53935", "fillOpacity": 0.6},
    "ranked": {"color": "#e65100", "weight": 2, "fillColor": "#ffb74d", "fillOpacity": 0.5},
    "miss": {"color": "#616161", "weight": 2, "dashArray": "5 4", "fillColor": "#bdbdbd",
             "fillOpacity": 0.45},
}
# the audit of a town's communities
AUDIT_PASS: Style = {"color": "#1a7f37", "weight": 2, "fillColor": "#66bb6a", "fillOpacity": 0.3}
AUDIT_FAIL: Style = {"color": "#c62828", "weight": 3, "fillColor": "#ef5350", "fillOpacity": 0.35}
OVERLAP: Style = {"color": "#6a1b9a", "weight": 2, "dashArray": "5 3", "fillColor": "#8e24aa",
                  "fillOpacity": 0.6}
# the town's boundary
TOWN: Style = {"color": "#5d4037", "weight": 3, "dashArray": "10 6", "fill": False}
# the printed maps' land parcels, buildings and land use
PARCELS: Style = {"color": "#7B4F2C", "weight": 1, "fillColor": "#D9BFA6", "fillOpacity": 0.35}
BUILDINGS: Style = {"color": "#7B4F2C", "weight": 1, "fillColor": "#EBB9CF", "fillOpacity": 0.5}
#: land-use colours after GB 50137's map colours, lightened for print
LANDUSE_COLOURS = {
    "industrial": "#D9BFA6", "office": "#EBB9CF", "commercial": "#F4A9A9",
    "residential": "#F8EDA0", "public": "#EFC9E3", "green": "#B9DBA3", "road": "#EDEDED",
    "water": "#B7D7EC", "farmland_protected": "#E4EDB8", "ecological_redline": "#9CC79F",
    "vacant": "#F4F4F0", "to_consolidate": "#E8DDCC",
}
LANDUSE_LABELS = {
    "industrial": N_("lu_industrial"), "office": N_("lu_office"),
    "commercial": N_("lu_commercial"), "residential": N_("lu_residential"),
    "public": N_("lu_public"), "green": N_("lu_green"), "road": N_("lu_road"),
    "water": N_("lu_water"), "farmland_protected": N_("lu_farmland_protected"),
    "ecological_redline": N_("lu_ecological_redline"), "vacant": N_("lu_vacant"),
    "to_consolidate": N_("lu_to_consolidate"),
}
# in a file, land use is drawn class by class: "classes" is (field, {value: (style, message)})
LANDUSE: Style = {"color": "#9a9a9a", "weight": 1, "fillColor": "#E8DDCC", "fillOpacity": 0.8,
                  "classes": ("class", {c: ({"fillColor": colour}, LANDUSE_LABELS[c])
                                        for c, colour in LANDUSE_COLOURS.items()})}

#: the style of each layer sijie writes to a GeoPackage, by layer name
FILE_LAYER_STYLES: dict[str, Style] = {
    "proposal": STYLES["proposal"],
    "suggested": STYLES["proposal"],
    "communities": AUDIT_PASS,
    "overlaps": OVERLAP,
    "neighbours": STYLES["neighbours"],
    "neighbours_history": BEFORE,
    "given": GIVEN,
    "grids": {**GRID, "fillColor": EMPLOYEE_RAMP[2]},
    "microgrids": MICROGRID,
    "sites": SITE_STYLES["ranked"],
    "jurisdiction": TOWN,
    "roads": STYLES["roads"],
    "water": STYLES["water"],
    "terrain": STYLES["terrain"],
    "landuse": LANDUSE,
    "parcels": PARCELS,
    "buildings": BUILDINGS,
    "findings": STYLES["error"],
}


def file_layer_style(layer: str) -> Style:
    """The style of ``layer`` in the files sijie writes (a context layer's otherwise)."""
    return FILE_LAYER_STYLES.get(layer, STYLES["neighbours"])
