"""pre-disciplinary hearings and appeals

Before a suspension or termination, the employee's notice of the charges and the
evidence and their response (Loudermill); after a decision, its appeals (grievance,
Board of Civil Service Commission, arbitration) with their dates and outcomes.

Revision ID: 20261202_0017
Revises: 20261202_0015
Create Date: 2026-12-02 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0017"
down_revision = "20261202_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "predisciplinary_hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=False),
        sa.Column("charges", sa.Text(), nullable=False),
        sa.Column("noticed_by_id", sa.Integer(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(), nullable=False),
        sa.Column("response_on", sa.Date(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("heard_by", sa.String(length=120), nullable=True),
        sa.Column("waived", sa.Boolean(), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ia_case.id"], name=op.f("fk_predisciplinary_hearing_case_id_ia_case")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employee.id"],
            name=op.f("fk_predisciplinary_hearing_employee_id_employee"),
        ),
        sa.ForeignKeyConstraint(
            ["noticed_by_id"],
            ["app_user.id"],
            name=op.f("fk_predisciplinary_hearing_noticed_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"],
            ["app_user.id"],
            name=op.f("fk_predisciplinary_hearing_responded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predisciplinary_hearing")),
        sa.UniqueConstraint(
            "case_id", "employee_id", name=op.f("uq_predisciplinary_hearing_case_id")
        ),
    )
    op.create_index(
        op.f("ix_predisciplinary_hearing_case_id"), "predisciplinary_hearing", ["case_id"]
    )
    op.create_index(
        op.f("ix_predisciplinary_hearing_employee_id"), "predisciplinary_hearing", ["employee_id"]
    )
    op.create_table(
        "discipline_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discipline_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("heard_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["discipline_id"],
            ["discipline_action.id"],
            name=op.f("fk_discipline_appeal_discipline_id_discipline_action"),
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["discipline_action.id"],
            name=op.f("fk_discipline_appeal_result_id_discipline_action"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"],
            ["app_user.id"],
            name=op.f("fk_discipline_appeal_filed_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_discipline_appeal_decided_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discipline_appeal")),
    )
    op.create_index(
        op.f("ix_discipline_appeal_discipline_id"), "discipline_appeal", ["discipline_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "predisciplinary_hearing")
        pg.record_changes_of(op.execute, "discipline_appeal")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("discipline_appeal")
    op.drop_table("predisciplinary_hearing")
