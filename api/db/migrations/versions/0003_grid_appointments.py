"""grid appointments: who holds each 1+3+N role of a grid, append-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grid_appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("appointed_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["appointed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_grid_appointments_proposal_id"), "grid_appointments", ["proposal_id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER grid_appointments_append_only BEFORE UPDATE OR DELETE ON "
            "grid_appointments FOR EACH ROW EXECUTE FUNCTION sijie_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER grid_appointments_no_{event.lower()} BEFORE {event} ON "
                "grid_appointments BEGIN SELECT RAISE(ABORT, 'sijie: grid_appointments "
                "rows are never changed or deleted'); END"
            )


def downgrade() -> None:
    op.drop_index(op.f("ix_grid_appointments_proposal_id"), table_name="grid_appointments")
    op.drop_table("grid_appointments")
