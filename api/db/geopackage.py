"""What makes sijie's database file a GeoPackage that GDAL, QGIS and ArcGIS trust.

- Each connection loads SpatiaLite in GeoPackage *amphibious* mode (its functions read
  GeoPackage binary and SpatiaLite geometries alike) and makes the GeoPackage base tables of
  a new file, through GeoAlchemy2's GeoPackage dialect, but without SpatiaLite's VirtualGPKG
  wrappers (``AutoGpkgStart``): those are virtual tables in the file that no other reader can
  open.
- Every geometry is written as GeoPackage binary ("GP" header with the srs_id and envelope,
  then WKB): GeoAlchemy2 binds geometries through ``ST_GeomFromEWKT``, which is compiled here
  as SpatiaLite's ``AsGPB(GeomFromEWKT(…))`` for the GeoPackage dialect.
- :func:`conform` (run by a migration, and again harmlessly by any later one that adds a
  feature table) gives every feature table its R-tree spatial index with the spec's triggers
  (``gpkgAddSpatialIndex``, registered in ``gpkg_extensions``) and its existing rows indexed,
  rewrites geometries stored by earlier versions as SpatiaLite blobs, removes the GeoPackage
  1.0 geometry-type and srs-id trigger extensions that 1.2 no longer has, and registers the
  plain record tables users may browse (towns, proposals) as ``attributes``. GDAL (and so
  QGIS) then lists only the tables ``gpkg_contents`` registers: ``users``, ``runs``, the
  idempotency keys and Alembic's table are never layers.
- Each layer has one geometry type: the polygon tables are MULTIPOLYGON, and the tables that
  mix kinds of geometry are shown through typed spatial views, one per kind, while the mixed
  tables themselves are not registered (:mod:`api.db.typed_layers`).

GDAL must never open the live file in the service's process (two copies of SQLite in one
process drop each other's file locks); tools and tests read it from a process of their own.
"""

from __future__ import annotations

import os
from typing import Any

import geoalchemy2.admin.dialects.geopackage  # noqa: F401  (registers the dialect first)
from geoalchemy2 import functions
from geoalchemy2.admin.dialects.geopackage import init_geopackage
from geoalchemy2.admin.dialects.sqlite import load_spatialite_driver
from sqlalchemy import Connection, text
from sqlalchemy.ext.compiler import compiles

from geo.i18n import N_, t

__all__ = ["ATTRIBUTE_TABLES", "LAYER_STYLES", "conform", "connect_geopackage", "one_transaction",
           "style_layers"]

# record tables a GIS analyst may open beside the layers (no secrets in them)
ATTRIBUTE_TABLES = {"towns": N_("gpkg_table_towns"), "proposals": N_("gpkg_table_proposals")}

# the style (geo.palette) each layer opens with in QGIS: the polygon tables and the typed
# views of the mixed ones (api.db.typed_layers)
LAYER_STYLES = {"proposal_versions": "proposal", "grids": "grids", "microgrids": "microgrids",
                "facility_sites": "sites", "context_polygons": "neighbours",
                "context_lines": "roads", "survey_points": "findings",
                "survey_lines": "findings", "survey_polygons": "findings"}

# GeoPackage 1.0 extensions (Annex N) that 1.2 removed; SpatiaLite still adds their triggers
_OLD_TRIGGER_EXTENSIONS = ("gpkg_geometry_type_trigger", "gpkg_srs_id_trigger")
_OLD_TRIGGERS = ("fgti", "fgtu", "fgsi", "fgsu")


def connect_geopackage(dbapi_conn: Any, _record: Any = None) -> None:
    """Connection hook: SpatiaLite in amphibious mode, the GeoPackage base tables if new."""
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    load_spatialite_driver(dbapi_conn)
    dbapi_conn.execute("SELECT EnableGpkgAmphibiousMode()")
    init_geopackage(dbapi_conn)


@compiles(functions.ST_GeomFromEWKT, "geopackage")
def _write_geopackage_binary(element: Any, compiler: Any, **kw: Any) -> str:
    return f"AsGPB(GeomFromEWKT({compiler.process(element.clauses, **kw)}))"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _append_only_triggers(connection: Connection, table: str) -> list[tuple[str, str]]:
    """The triggers refusing updates of ``table`` (name, SQL), to lift for a rewrite."""
    rows = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t "
        "AND name NOT LIKE 'rtree_%' AND sql LIKE '%RAISE(ABORT%'"), {"t": table}).all()
    return [(row.name, row.sql) for row in rows]


def _rewrite_as_geopackage_binary(connection: Connection, table: str, column: str) -> int:
    """Rewrite ``column``'s SpatiaLite blobs as GeoPackage binary; how many were rewritten."""
    where = f"{_quoted(column)} IS NOT NULL AND substr(hex({_quoted(column)}), 1, 4) != '4750'"
    old = connection.execute(text(
        f"SELECT count(*) FROM {_quoted(table)} WHERE {where}")).scalar_one()
    if not old:
        return 0
    guards = _append_only_triggers(connection, table)
    for name, _sql in guards:
        connection.execute(text(f"DROP TRIGGER {_quoted(name)}"))
    connection.execute(text(
        f"UPDATE {_quoted(table)} SET {_quoted(column)} = AsGPB({_quoted(column)}) "
        f"WHERE {where}"))
    for _name, sql in guards:
        connection.execute(text(sql))
    return int(old)


def _add_spatial_index(connection: Connection, table: str, column: str) -> None:
    """The R-tree ``rtree_<table>_<column>`` with the spec's triggers, rows indexed."""
    rtree = f"rtree_{table}_{column}"
    exists = connection.execute(text(
        "SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": rtree}).first()
    if exists is None:
        connection.execute(text("SELECT gpkgAddSpatialIndex(:t, :c)"),
                           {"t": table, "c": column})
    geom = _quoted(column)
    connection.execute(text(
        f"INSERT OR REPLACE INTO {_quoted(rtree)} SELECT rowid, ST_MinX({geom}), "
        f"ST_MaxX({geom}), ST_MinY({geom}), ST_MaxY({geom}) FROM {_quoted(table)} "
        f"WHERE {geom} IS NOT NULL AND NOT ST_IsEmpty({geom})"))


# GeoPackage 1.2 Annex C's definitions of the base tables SpatiaLite makes with other defaults
_SPEC_TABLES = {
    "gpkg_contents": """CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    "gpkg_metadata": """CREATE TABLE gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT '')""",
    "gpkg_metadata_reference": """CREATE TABLE gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))""",
}


def _to_spec(connection: Connection, table: str, ddl: str) -> None:
    """Re-make ``table`` as the spec defines it, rows kept (tables referring to it keep
    their references: the foreign keys are checked at commit)."""
    current = connection.execute(text(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
        {"t": table}).scalar()
    if current == ddl:
        return
    connection.execute(text("PRAGMA defer_foreign_keys = ON"))
    kept = f"{table}_kept"
    if current is not None:
        connection.execute(text(f"CREATE TEMP TABLE {kept} AS SELECT * FROM {table}"))
        connection.execute(text(f"DROP TABLE {table}"))
    connection.execute(text(ddl))
    if current is not None:
        connection.execute(text(f"INSERT INTO {table} SELECT * FROM temp.{kept}"))
        connection.execute(text(f"DROP TABLE temp.{kept}"))


def one_transaction(connection: Connection) -> Any:
    """The driver's connection, in a transaction: the whole change is one (the driver would
    begin one only at the first INSERT or UPDATE)."""
    raw = connection.connection.driver_connection
    if not raw.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return raw


def style_layers(connection: Connection) -> None:
    """Each feature table's QGIS style (``layer_styles``, the colours of sijie's maps) and a
    Chinese alias for every field of the feature and attribute tables (``gpkg_data_columns``);
    a second run rewrites the same rows."""
    from geo.io.qgis import write_field_aliases, write_qgis_tables
    from geo.palette import file_layer_style

    raw = one_transaction(connection)
    now = connection.execute(text("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")).scalar_one()
    types = dict(raw.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    for table in (*LAYER_STYLES, *ATTRIBUTE_TABLES):
        # a table's primary key is GDAL's FID; a view's fid is too, once it has a row
        columns = [row[1] for row in raw.execute(f"PRAGMA table_info({_quoted(table)})")
                   if row[1] != "geom" and not row[5]]
        if table in ATTRIBUTE_TABLES:
            write_field_aliases(raw, table, columns)
        elif table in types:  # a layer of this version of the schema
            geometry_type = types[table]
            drawn = ("point" if "POINT" in geometry_type
                     else "line" if "LINE" in geometry_type else "polygon")
            write_qgis_tables(raw, table, geometry_column="geom", geometry=drawn,
                              fields=columns, style=file_layer_style(LAYER_STYLES[table]),
                              lang="zh", timestamp=now)


def conform(connection: Connection) -> None:
    """Make the GeoPackage on ``connection`` conform (see the module's description); a
    second run changes nothing."""
    # its foreign keys of the re-made base tables are checked at the transaction's end
    one_transaction(connection)
    # SpatiaLite's VirtualGPKG wrappers of earlier versions
    connection.execute(text("SELECT AutoGpkgStop()"))
    for (name,) in connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'vgpkg_%' "
            "AND sql LIKE '%VirtualGPKG%'")).all():
        connection.execute(text(f"DROP TABLE IF EXISTS {_quoted(name)}"))
    for table, ddl in _SPEC_TABLES.items():
        _to_spec(connection, table, ddl)
    connection.execute(text(
        "UPDATE gpkg_spatial_ref_sys SET definition = 'undefined' WHERE srs_id IN (-1, 0) "
        "AND definition != 'undefined'"))
    features = connection.execute(text(  # tables, not the typed views of api.db.typed_layers
        "SELECT table_name, column_name FROM gpkg_geometry_columns WHERE table_name IN "
        "(SELECT name FROM sqlite_master WHERE type = 'table')")).all()
    for table, column in features:
        for prefix in _OLD_TRIGGERS:
            trigger = _quoted(f"{prefix}_{table}_{column}")
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        _rewrite_as_geopackage_binary(connection, table, column)
        _add_spatial_index(connection, table, column)
    connection.execute(text(
        "DELETE FROM gpkg_extensions WHERE extension_name IN "
        f"({', '.join(repr(e) for e in _OLD_TRIGGER_EXTENSIONS)})"))
    for table, key in ATTRIBUTE_TABLES.items():
        connection.execute(text(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES (:t, 'attributes', :i, '', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"), {"t": table, "i": t(key)})
