"""One geometry type per layer, on both engines: which table holds which type, and the typed
views that show the tables holding several.

- The polygon tables (:data:`POLYGON_TABLES`) declare ``MULTIPOLYGON``: in a GeoPackage the
  column's SQL type and ``gpkg_geometry_columns`` say so and every blob is one, in PostGIS the
  column is ``geometry(MultiPolygon, 4490)``.
- The two mixed tables keep a generic geometry column, every geometry multi-part, and a plain
  column naming its kind (context features' ``shape``, survey findings' ``kind``: point, line
  or area). Each kind they hold is a layer of its own, a view (:data:`TYPED_VIEWS`) of that
  kind's rows with the table's key as its integer ``fid``. In a GeoPackage the view is
  registered in ``gpkg_contents`` and ``gpkg_geometry_columns`` (GDAL's *spatial views*), and
  its geometry comes from a virtual generated column of the table (``geom_area``…) whose SQL
  type is the view's geometry type, as GDAL's validator requires of a feature view's column;
  the mixed table itself is no longer registered, so it is not a layer, and keeps its R-tree
  and triggers for the service's own use. In PostGIS the view casts the column to the typed
  ``geometry(MultiPolygon, 4490)`` so QGIS lists it with its type.

:func:`type_layers` makes an existing database so (migration 0011); a second run changes
nothing. GDAL's validator and QGIS then list only typed layers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from api.db.geopackage import one_transaction
from api.db.models import STORAGE_SRID

__all__ = ["MIXED_TABLES", "POLYGON_TABLES", "TYPED_VIEWS", "TypedView", "alias_columns",
           "type_layers", "untype_layers"]

POLYGON_TABLES = ("proposal_versions", "grids", "microgrids", "facility_sites")
MIXED_TABLES = {"context_features": "shape", "survey_findings": "kind"}  # table: kind column


@dataclass(frozen=True)
class TypedView:
    """The rows of ``kind`` of a mixed ``table``, as a layer of ``geometry_type``."""

    table: str
    kind: str
    geometry_type: str

    @property
    def alias(self) -> str:
        """The table's generated column holding the geometry with this view's SQL type."""
        return f"geom_{self.kind}"

    @property
    def postgis_type(self) -> str:
        return {"MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString",
                "MULTIPOLYGON": "MultiPolygon"}[self.geometry_type]


TYPED_VIEWS = {
    "context_polygons": TypedView("context_features", "area", "MULTIPOLYGON"),
    "context_lines": TypedView("context_features", "line", "MULTILINESTRING"),
    "survey_points": TypedView("survey_findings", "point", "MULTIPOINT"),
    "survey_lines": TypedView("survey_findings", "line", "MULTILINESTRING"),
    "survey_polygons": TypedView("survey_findings", "area", "MULTIPOLYGON"),
}


def alias_columns() -> set[str]:
    """The generated columns of the mixed tables (GeoPackage only, not in the models)."""
    return {view.alias for view in TYPED_VIEWS.values()}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(connection: Connection, table: str) -> list[str]:
    """The table's stored columns (generated ones left out), in order."""
    return [row[1] for row in connection.exec_driver_sql(
        f"PRAGMA table_info({_quoted(table)})").all()]


def _shown(columns: list[str], view: TypedView) -> str:
    """What a view shows besides its ``fid`` (the table's key) and its geometry: every other
    column but the kind (the same in every row of the view); a context feature's number in
    its layer (``fid``) as ``layer_fid``."""
    kind = MIXED_TABLES[view.table]
    return ", ".join("fid AS layer_fid" if c == "fid" else c for c in columns
                     if c not in ("id", "geom", kind))


# --- GeoPackage --------------------------------------------------------------------------

_SHAPE_OF_GEOM = ("CASE ST_Dimension(geom) WHEN 0 THEN 'point' WHEN 1 THEN 'line' "
                  "ELSE 'area' END")


def _rebuild(connection: Connection, table: str, geometry_type: str,
             added: dict[str, tuple[str, str]] | None = None) -> None:
    """Re-make ``table`` with its ``geom`` column of SQL type ``geometry_type`` and every
    geometry multi-part, rows, keys, indexes and triggers (the R-tree's and the append-only
    guards) kept; ``added`` columns ({name: (declaration, value from the row)}) follow
    ``geom``. The R-tree keeps its entries: keys and envelopes are unchanged."""
    ddl = connection.execute(text(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
        {"t": table}).scalar_one()
    added = added or {}
    declared = "".join(f", \n\t{name} {declaration}" for name, (declaration, _) in added.items())
    new_ddl, found = re.subn(r"(\bgeom) [A-Z]+ NOT NULL", rf"\1 {geometry_type} NOT NULL{declared}",
                             ddl, count=1)
    if found != 1:
        raise RuntimeError(f"{table}: no geom column in {ddl!r}")
    if new_ddl == ddl and not connection.execute(text(
            f"SELECT 1 FROM {_quoted(table)} WHERE GeometryType(geom) IN "
            "('POINT', 'LINESTRING', 'POLYGON') LIMIT 1")).first():
        return
    dependants = [sql for (sql,) in connection.execute(text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name"), {"t": table}).all()]
    columns = _columns(connection, table)
    kept = f"{table}_kept"
    # the rows that refer to this table's keys find them again before the commit
    connection.execute(text("PRAGMA defer_foreign_keys = ON"))
    connection.execute(text(f"CREATE TEMP TABLE {kept} AS SELECT * FROM {_quoted(table)}"))
    connection.execute(text(f"DROP TABLE {_quoted(table)}"))  # fires no trigger
    connection.execute(text(new_ddl))
    names = [*columns, *added]
    values = ["AsGPB(CastToMulti(geom))" if c == "geom" else c for c in columns]
    values += [value for _, value in added.values()]
    connection.execute(text(
        f"INSERT INTO {_quoted(table)} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM temp.{kept}"))
    connection.execute(text(f"DROP TABLE temp.{kept}"))
    for sql in dependants:
        connection.execute(text(sql))


def _register_view(connection: Connection, name: str, view: TypedView) -> None:
    """The view of one kind of a mixed table, registered as a feature layer."""
    table_columns = connection.exec_driver_sql(
        f"PRAGMA table_xinfo({_quoted(view.table)})").all()
    if view.alias not in {row[1] for row in table_columns}:
        connection.execute(text(
            f"ALTER TABLE {_quoted(view.table)} ADD COLUMN {view.alias} {view.geometry_type} "
            "GENERATED ALWAYS AS (geom) VIRTUAL"))
    shown = _shown(_columns(connection, view.table), view)
    kind = MIXED_TABLES[view.table]
    connection.execute(text(f"DROP VIEW IF EXISTS {_quoted(name)}"))
    connection.execute(text(
        f"CREATE VIEW {_quoted(name)} AS SELECT id AS fid, {shown}, {view.alias} AS geom "
        f"FROM {_quoted(view.table)} WHERE {kind} = '{view.kind}'"))
    connection.execute(text(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change, srs_id) VALUES (:n, 'features', :n, '', "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), :srid)"), {"n": name, "srid": STORAGE_SRID})
    connection.execute(text(
        "INSERT OR REPLACE INTO gpkg_geometry_columns (table_name, column_name, "
        "geometry_type_name, srs_id, z, m) VALUES (:n, 'geom', :g, :srid, 0, 0)"),
        {"n": name, "g": view.geometry_type, "srid": STORAGE_SRID})


def _unregister(connection: Connection, tables: list[str]) -> None:
    """``tables`` no longer listed as layers (their rows, R-trees and triggers stay)."""
    for table in tables:
        for statement in (
                "DELETE FROM gpkg_extensions WHERE table_name = :t",
                "DELETE FROM gpkg_data_columns WHERE table_name = :t",
                "DELETE FROM layer_styles WHERE f_table_name = :t",
                "DELETE FROM gpkg_geometry_columns WHERE table_name = :t",
                "DELETE FROM gpkg_contents WHERE table_name = :t"):
            if connection.execute(text(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
                    {"n": statement.split()[2]}).first():
                connection.execute(text(statement), {"t": table})


def _type_geopackage(connection: Connection) -> None:
    one_transaction(connection)  # the deferred foreign keys are checked at its end
    for table in POLYGON_TABLES:
        _rebuild(connection, table, "MULTIPOLYGON")
        connection.execute(text(
            "UPDATE gpkg_geometry_columns SET geometry_type_name = 'MULTIPOLYGON' "
            "WHERE table_name = :t"), {"t": table})
    has_shape = "shape" in _columns(connection, "context_features")
    _rebuild(connection, "context_features", "GEOMETRY",
             None if has_shape else {"shape": ("TEXT NOT NULL", _SHAPE_OF_GEOM)})
    _rebuild(connection, "survey_findings", "GEOMETRY")
    _unregister(connection, list(MIXED_TABLES))
    for name, view in TYPED_VIEWS.items():
        _register_view(connection, name, view)


def _untype_geopackage(connection: Connection) -> None:
    one_transaction(connection)
    _unregister(connection, list(TYPED_VIEWS))
    for name in TYPED_VIEWS:
        connection.execute(text(f"DROP VIEW IF EXISTS {_quoted(name)}"))
    for table in POLYGON_TABLES:
        _rebuild(connection, table, "GEOMETRY")
    for table in MIXED_TABLES:
        for alias in sorted(alias_columns()):
            if alias in {row[1] for row in connection.exec_driver_sql(
                    f"PRAGMA table_xinfo({_quoted(table)})").all()}:
                connection.execute(text(f"ALTER TABLE {_quoted(table)} DROP COLUMN {alias}"))
        connection.execute(text(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change, srs_id) VALUES (:t, 'features', :t, '', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), :srid)"), {"t": table, "srid": STORAGE_SRID})
        connection.execute(text(
            "INSERT OR IGNORE INTO gpkg_geometry_columns (table_name, column_name, "
            "geometry_type_name, srs_id, z, m) VALUES (:t, 'geom', 'GEOMETRY', :srid, 0, 0)"),
            {"t": table, "srid": STORAGE_SRID})
        connection.execute(text(
            "INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, "
            "definition, scope) VALUES (:t, 'geom', 'gpkg_rtree_index', "
            "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')"), {"t": table})
    connection.execute(text("ALTER TABLE context_features DROP COLUMN shape"))
    connection.execute(text(
        "UPDATE gpkg_geometry_columns SET geometry_type_name = 'GEOMETRY' WHERE table_name IN "
        f"({', '.join(repr(t) for t in POLYGON_TABLES)})"))


# --- PostGIS -----------------------------------------------------------------------------

def _type_postgis(connection: Connection) -> None:
    srid = STORAGE_SRID
    for table in POLYGON_TABLES:
        # a column's new type rewrites the table without firing the append-only triggers
        connection.execute(text(
            f"ALTER TABLE {table} ALTER COLUMN geom TYPE geometry(MultiPolygon, {srid}) "
            "USING ST_Multi(geom)"))
    for table in MIXED_TABLES:
        connection.execute(text(
            f"ALTER TABLE {table} ALTER COLUMN geom TYPE geometry(Geometry, {srid}) "
            "USING ST_Multi(geom)"))
    connection.execute(text(
        "ALTER TABLE context_features ADD COLUMN IF NOT EXISTS shape VARCHAR(10)"))
    connection.execute(text(
        "UPDATE context_features SET shape = CASE ST_Dimension(geom) WHEN 0 THEN 'point' "
        "WHEN 1 THEN 'line' ELSE 'area' END WHERE shape IS NULL"))
    connection.execute(text("ALTER TABLE context_features ALTER COLUMN shape SET NOT NULL"))
    for name, view in TYPED_VIEWS.items():
        shown = _shown(_postgis_columns(connection, view.table), view)
        kind = MIXED_TABLES[view.table]
        connection.execute(text(
            f"CREATE OR REPLACE VIEW {name} AS SELECT id AS fid, {shown}, "
            f"geom::geometry({view.postgis_type}, {srid}) AS geom FROM {view.table} "
            f"WHERE {kind} = '{view.kind}'"))


def _postgis_columns(connection: Connection, table: str) -> list[str]:
    return list(connection.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = :t ORDER BY ordinal_position"),
        {"t": table}).scalars().all())


def _untype_postgis(connection: Connection) -> None:
    for name in TYPED_VIEWS:
        connection.execute(text(f"DROP VIEW IF EXISTS {name}"))
    for table in POLYGON_TABLES:
        connection.execute(text(
            f"ALTER TABLE {table} ALTER COLUMN geom TYPE geometry(Geometry, {STORAGE_SRID})"))
    connection.execute(text("ALTER TABLE context_features DROP COLUMN shape"))


def type_layers(connection: Connection) -> None:
    """Give every layer of the database on ``connection`` one geometry type (see the
    module's description), rows kept."""
    if connection.dialect.name == "postgresql":
        _type_postgis(connection)
    else:
        _type_geopackage(connection)


def untype_layers(connection: Connection) -> None:
    """Undo :func:`type_layers` (the geometries stay multi-part, which earlier versions read
    as well)."""
    if connection.dialect.name == "postgresql":
        _untype_postgis(connection)
    else:
        _untype_geopackage(connection)
