"""index reporters by employee (retaliation checks look good-faith reporters up by it)

Revision ID: 20261122_0006
Revises: 20261122_0005
Create Date: 2026-11-22 01:25:00
"""

from __future__ import annotations

from alembic import op

revision = "20261122_0006"
down_revision = "20261122_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reporter") as batch_op:
        batch_op.create_index(batch_op.f("ix_reporter_employee_id"), ["employee_id"])


def downgrade() -> None:
    with op.batch_alter_table("reporter") as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporter_employee_id"))
