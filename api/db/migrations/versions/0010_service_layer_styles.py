"""service layer styles: in a GeoPackage, each feature table opens in QGIS with the colours of
sijie's maps (layer_styles) and every field of the feature and attribute tables with a Chinese
alias (gpkg_data_columns). PostGIS is unchanged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from api.db.geopackage import ATTRIBUTE_TABLES, LAYER_STYLES, style_layers

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "geopackage":
        style_layers(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "geopackage":
        return
    names = ", ".join(f"'{t}'" for t in (*LAYER_STYLES, *ATTRIBUTE_TABLES))
    op.execute(f"DELETE FROM gpkg_data_columns WHERE table_name IN ({names})")
    op.execute(f"DELETE FROM layer_styles WHERE f_table_name IN ({names})")
