"""typed layers: every layer has one geometry type, on both engines

The polygon tables (proposal versions, grids, micro-grids, facility sites) declare
MULTIPOLYGON and hold their geometries as MultiPolygons; context features (with a new
``shape`` column: point, line or area) and survey findings keep a generic column of multi-part
geometries and are shown as one typed view per kind (context_polygons, context_lines,
survey_points, survey_lines, survey_polygons). In a GeoPackage the tables are re-made with
their rows, keys, indexes, R-trees and triggers, and the mixed tables are no longer layers
themselves. See api.db.typed_layers.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from api.db.geopackage import style_layers
from api.db.typed_layers import type_layers, untype_layers

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    type_layers(op.get_bind())
    if op.get_bind().dialect.name == "geopackage":
        style_layers(op.get_bind())


def downgrade() -> None:
    untype_layers(op.get_bind())
    if op.get_bind().dialect.name == "geopackage":
        style_layers(op.get_bind())
