"""employment figures: the 人力社保局's verified employment per enterprise and town, append-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employment_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_employment_figures_town", "employment_figures",
                    ["town_id", "import_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER employment_figures_append_only BEFORE UPDATE OR DELETE ON "
            "employment_figures FOR EACH ROW EXECUTE FUNCTION sijie_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER employment_figures_no_{event.lower()} BEFORE {event} ON "
                "employment_figures BEGIN SELECT RAISE(ABORT, 'sijie: employment_figures "
                "rows are never changed or deleted'); END"
            )


def downgrade() -> None:
    op.drop_index("ix_employment_figures_town", table_name="employment_figures")
    op.drop_table("employment_figures")
