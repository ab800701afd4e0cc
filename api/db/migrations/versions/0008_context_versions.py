"""context versions: a town's context is re-uploaded or changed by a registration as a new
version (append-only); each context feature says from which version it holds and until which,
and from when until when it was valid; each run names the context version it used

Existing towns get their version 1 (the context as loaded), their features hold from it, and
the runs made so far used it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "context_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("layer", sa.String(length=50), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("town_id", "version", name="uq_context_versions_town_version"),
    )
    # plain ADD COLUMN: a GeoPackage's feature table must not be copied (its spatial index)
    op.add_column("context_features", sa.Column("version_from", sa.Integer(), nullable=False,
                                                server_default="1"))
    op.add_column("context_features", sa.Column("version_to", sa.Integer(), nullable=True))
    op.add_column("context_features",
                  sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True))
    op.add_column("context_features",
                  sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_context_features_current", "context_features",
                    ["town_id", "layer", "version_to"], unique=False)
    op.add_column("runs", sa.Column("context_version", sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO context_versions (town_id, version, reason, source, created_at) "
        "SELECT id, 1, 'load', source, created_at FROM towns"
    )
    op.execute("UPDATE runs SET context_version = 1")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER context_versions_append_only BEFORE UPDATE OR DELETE ON "
            "context_versions FOR EACH ROW EXECUTE FUNCTION sijie_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER context_versions_no_{event.lower()} BEFORE {event} ON "
                "context_versions BEGIN SELECT RAISE(ABORT, 'sijie: context_versions "
                "rows are never changed or deleted'); END"
            )


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("context_version")
    op.drop_index("ix_context_features_current", table_name="context_features")
    with op.batch_alter_table("context_features") as batch:
        for column in ("valid_to", "valid_from", "version_to", "version_from"):
            batch.drop_column(column)
    op.drop_table("context_versions")
