"""immediate action: the Chief's immediate action on a case (3.21 §V.B) as a fact of it

``immediate_action`` (one per case: raised by a flagged clause or by IA on the facts,
who told the Chief and when) and ``immediate_action_step`` (what was done, when). A
case raised before this version is raised by its clause, at its receipt, when it is
first read (ia_desk.discipline.immediate).

Revision ID: 20261202_0013
Revises: 20261202_0012
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0013"
down_revision = "20261202_0012"
branch_labels = None
depends_on = None

TABLES = ("immediate_action", "immediate_action_step")


def upgrade() -> None:
    op.create_table(
        "immediate_action",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_clause", sa.String(length=80), nullable=True),
        sa.Column("grounds", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("chief_notified_at", sa.DateTime(), nullable=True),
        sa.Column("chief_notified_by_id", sa.Integer(), nullable=True),
        sa.Column("notified_how", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ia_case.id"], name=op.f("fk_immediate_action_case_id_ia_case")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["app_user.id"],
            name=op.f("fk_immediate_action_raised_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["chief_notified_by_id"],
            ["app_user.id"],
            name=op.f("fk_immediate_action_chief_notified_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immediate_action")),
        sa.UniqueConstraint("case_id", name=op.f("uq_immediate_action_case_id")),
    )
    op.create_table(
        "immediate_action_step",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ia_case.id"], name=op.f("fk_immediate_action_step_case_id_ia_case")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_immediate_action_step_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_immediate_action_step")),
    )
    op.create_index(
        op.f("ix_immediate_action_step_case_id"), "immediate_action_step", ["case_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            pg.record_changes_of(op.execute, table)
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_index(op.f("ix_immediate_action_step_case_id"), table_name="immediate_action_step")
    op.drop_table("immediate_action_step")
    op.drop_table("immediate_action")
