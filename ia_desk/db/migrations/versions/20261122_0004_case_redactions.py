"""case redactions for command-staff summaries

Revision ID: 20261122_0004
Revises: 20261122_0003
Create Date: 2026-11-22 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261122_0004"
down_revision = "20261122_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("added_by", sa.String(length=40), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ia_case.id"],
                                name=op.f("fk_case_redaction_case_id_ia_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_redaction")),
    )
    with op.batch_alter_table("case_redaction") as batch_op:
        batch_op.create_index(batch_op.f("ix_case_redaction_case_id"), ["case_id"])


def downgrade() -> None:
    op.drop_table("case_redaction")
