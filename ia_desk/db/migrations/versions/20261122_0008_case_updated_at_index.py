"""index cases by their last change (SQLite workstations look up the newest change)

Revision ID: 20261122_0008
Revises: 20261122_0007
Create Date: 2026-11-22 08:10:00
"""

from __future__ import annotations

from alembic import op

revision = "20261122_0008"
down_revision = "20261122_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ia_case") as batch_op:
        batch_op.create_index(batch_op.f("ix_ia_case_updated_at"), ["updated_at"])


def downgrade() -> None:
    with op.batch_alter_table("ia_case") as batch_op:
        batch_op.drop_index(batch_op.f("ix_ia_case_updated_at"))
