"""What GDAL and QGIS see in a GeoPackage, read in a process of its own with Debian's GDAL
(``python3-gdal``): GDAL's validator, and each layer as QGIS lists it (geometry type, fields,
its style in ``layer_styles`` and its fields' aliases in ``gpkg_data_columns``).

A process of its own because GDAL must never open a live service GeoPackage in the service's
process (two copies of SQLite in one process drop each other's file locks).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["SYSTEM_PYTHON", "gdal_layers", "validate_gpkg"]

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-gdal

_LAYERS = r"""
import json, sqlite3, sys
from osgeo import ogr
ogr.UseExceptions()
path = sys.argv[1]
source = ogr.Open(path)
layers = {}
for i in range(source.GetLayerCount()):
    layer = source.GetLayer(i)
    d = layer.GetLayerDefn()
    fields = {d.GetFieldDefn(j).GetName(): {
        "type": d.GetFieldDefn(j).GetTypeName(),
        "subtype": ogr.GetFieldSubTypeName(d.GetFieldDefn(j).GetSubType()),
        "alias": d.GetFieldDefn(j).GetAlternativeName()} for j in range(d.GetFieldCount())}
    layers[layer.GetName()] = {
        "geometry": ogr.GeometryTypeToName(layer.GetGeomType()) if layer.GetGeometryColumn()
        else None,
        "fields": fields, "count": layer.GetFeatureCount()}
source = None
db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
styles = {}
if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'layer_styles'").fetchone():
    for table, name, qml, default in db.execute(
            "SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles"):
        styles[table] = {"name": name, "qml": qml, "default": default}
aliases = {}
if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_data_columns'").fetchone():
    for table, column, alias in db.execute(
            "SELECT table_name, column_name, name FROM gpkg_data_columns"):
        aliases.setdefault(table, {})[column] = alias
print(json.dumps({"layers": layers, "styles": styles, "aliases": aliases}))
"""


def validate_gpkg(path: Path) -> list[str]:
    """GDAL's ``validate_gpkg`` (with its extra content checks, warnings as errors) on
    ``path``: the problems it names, none for a valid GeoPackage."""
    run = subprocess.run(
        [SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", "-k", "--extra",
         "--warning-as-error", str(path)],
        capture_output=True, text=True, timeout=300, cwd=Path(path).parent)
    problems = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    if run.returncode != 0 and not problems:
        problems = [f"validate_gpkg exited {run.returncode}"]
    return problems


def gdal_layers(path: Path) -> dict[str, Any]:
    """``{"layers": {name: {"geometry", "fields": {name: {type, subtype, alias}}, "count"}},
    "styles": {table: {name, qml, default}}, "aliases": {table: {column: alias}}}`` as GDAL
    and QGIS see the file (aliases as ``gpkg_data_columns`` holds them)."""
    run = subprocess.run([SYSTEM_PYTHON, "-c", _LAYERS, str(path)], capture_output=True,
                         text=True, timeout=300, check=True)
    result: dict[str, Any] = json.loads(run.stdout)
    return result
