"""early warning: alerts on patterns in an employee's cases

Revision ID: 20261202_0018
Revises: 20261202_0017
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0018"
down_revision = "20261202_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "early_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=120), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_early_warning_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["app_user.id"],
            name=op.f("fk_early_warning_acknowledged_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_warning")),
    )
    op.create_index(op.f("ix_early_warning_employee_id"), "early_warning", ["employee_id"])
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "early_warning")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("early_warning")
