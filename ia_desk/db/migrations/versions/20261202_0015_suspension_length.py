"""suspension length: a suspension's days and whether it is without pay

A discipline decision of Suspension records how many days and whether with or without
pay (3.21 §V.B names the step; a department's labour agreement needs the length). Both
columns are empty for every other step and for decisions recorded before this version.

Revision ID: 20261202_0015
Revises: 20261202_0014
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0015"
down_revision = "20261202_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("discipline_action") as batch_op:
        batch_op.add_column(sa.Column("suspension_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("without_pay", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discipline_action") as batch_op:
        batch_op.drop_column("without_pay")
        batch_op.drop_column("suspension_days")
