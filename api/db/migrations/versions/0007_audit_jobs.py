"""audit jobs: a town's communities re-validated at once in the background, kept with results

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_jobs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_jobs_town_id", "audit_jobs", ["town_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_jobs_town_id", table_name="audit_jobs")
    op.drop_table("audit_jobs")
