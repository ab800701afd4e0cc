"""joint review record: workflow events keep what each step established (details); review
conditions and their fulfilment, append-only; the conditions of earlier "agree with
conditions" opinions carried over

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NEW_TABLES = ("review_conditions", "condition_fulfilments")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sijie_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'sijie: {table} rows are never changed or "
            "deleted'); END"
        )


def upgrade() -> None:
    # a column with a constant default fills the existing rows without updating them, so the
    # append-only triggers of workflow_events stay in force
    with op.batch_alter_table("workflow_events", recreate="never") as batch:
        batch.add_column(
            sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    op.create_table(
        "review_conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("opinion_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["opinion_id"], ["opinions.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_conditions_proposal_id", "review_conditions", ["proposal_id"])
    op.create_index("ix_review_conditions_opinion_id", "review_conditions", ["opinion_id"])
    op.create_table(
        "condition_fulfilments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("met_by", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("met_on", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["condition_id"], ["review_conditions.id"]),
        sa.ForeignKeyConstraint(["met_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_condition_fulfilments_condition_id", "condition_fulfilments", ["condition_id"]
    )
    op.create_index(
        "ix_condition_fulfilments_proposal_id", "condition_fulfilments", ["proposal_id"]
    )
    for table in NEW_TABLES:
        _append_only(table)
    # an earlier "agree with conditions" opinion said its conditions in its text: that text
    # becomes its one condition, to be marked met before approval like any other
    op.execute(
        "INSERT INTO review_conditions (proposal_id, opinion_id, department, text, created_at) "
        "SELECT proposal_id, id, department, text, created_at FROM opinions "
        "WHERE verdict = 'agree_with_conditions'"
    )


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    with op.batch_alter_table("workflow_events", recreate="never") as batch:
        batch.drop_column("details")
