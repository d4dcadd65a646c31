"""brady: Brady/Giglio disclosure review flags and the disclosures to prosecutors

Issue 23. A sustained finding under a clause the discipline matrix says bears on an
officer's credibility or bias raises a ``brady_flag`` for the employee (the case, the
allegation and clause, the grounds, when raised); IA decides it (disclose / not
disclosable, with a reason) and logs each disclosure to a prosecutor in
``brady_disclosure``. A flag under review or decided "disclose" stops a later disposal
of the employee's records (ia_desk.discipline.brady.has_open_brady_flag).

On a server both tables are in the server's change log, like every data table.

Revision ID: 20261204_0023
Revises: 20261203_0022
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261204_0023"
down_revision = "20261203_0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brady_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("allegation_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.String(length=80), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("matrix_version", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["ia_case.id"], name=op.f("fk_brady_flag_case_id_ia_case")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_brady_flag_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["allegation_id"], ["allegation.id"], name=op.f("fk_brady_flag_allegation_id_allegation")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["app_user.id"], name=op.f("fk_brady_flag_decided_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brady_flag")),
    )
    op.create_index(op.f("ix_brady_flag_case_id"), "brady_flag", ["case_id"])
    op.create_index(op.f("ix_brady_flag_employee_id"), "brady_flag", ["employee_id"])
    op.create_index(op.f("ix_brady_flag_allegation_id"), "brady_flag", ["allegation_id"])
    op.create_table(
        "brady_disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=False),
        sa.Column("disclosed_by", sa.String(length=120), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["brady_flag.id"], name=op.f("fk_brady_disclosure_flag_id_brady_flag")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_brady_disclosure_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brady_disclosure")),
    )
    op.create_index(op.f("ix_brady_disclosure_flag_id"), "brady_disclosure", ["flag_id"])
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "brady_flag")
        pg.record_changes_of(op.execute, "brady_disclosure")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("brady_disclosure")
    op.drop_table("brady_flag")
