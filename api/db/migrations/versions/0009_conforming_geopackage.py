"""conforming GeoPackage: geometries as GeoPackage binary, R-tree spatial indexes, only the
tables meant to be opened listed in gpkg_contents

A GeoPackage made by an earlier version keeps every row: its SpatiaLite geometry blobs are
rewritten as GeoPackage binary, each feature table gets its R-tree (rows indexed), the
VirtualGPKG wrappers and the GeoPackage 1.0 trigger extensions go, and towns and proposals
are registered as attribute tables so that GDAL and QGIS list no other plain table (users
never a layer). PostGIS is unchanged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from api.db.geopackage import ATTRIBUTE_TABLES, conform

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "geopackage":
        conform(op.get_bind())


def downgrade() -> None:
    # the geometries stay GeoPackage binary, which the earlier versions read as well
    if op.get_bind().dialect.name != "geopackage":
        return
    for (table, column) in op.get_bind().exec_driver_sql(
            "SELECT table_name, column_name FROM gpkg_geometry_columns").all():
        for suffix in ("insert", "update1", "update2", "update3", "update4", "delete"):
            op.execute(f'DROP TRIGGER IF EXISTS "rtree_{table}_{column}_{suffix}"')
        op.execute(f'DROP TABLE IF EXISTS "rtree_{table}_{column}"')
    op.execute("DELETE FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'")
    names = ", ".join(f"'{t}'" for t in ATTRIBUTE_TABLES)
    op.execute(f"DELETE FROM gpkg_contents WHERE table_name IN ({names})")
