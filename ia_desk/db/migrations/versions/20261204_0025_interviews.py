"""interviews of a case's subjects and witnesses

Issue 22. ``interview`` holds each version of an interview's record: the interviewee
(a subject or witness employee, or a civilian witness by name), when, where and by whom,
the representative present (Weingarten), the advisement read (its kind, the version in
force and the SHA-256 of its text) with when it was given and whether it was signed,
whether the statement is compelled (Garrity: administrative use only), the statement as
an evidence item of the case, and IA's summary. Rows are never updated: an amendment is
a new row that supersedes the one it corrects, with the reason. Each row is bound to its
signed event (``audit verify`` names a row changed or put in outside IA Desk); on the
server, every change of the table is recorded like every other data table's.

Revision ID: 20261204_0025
Revises: 20261204_0024
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261204_0025"
down_revision = "20261204_0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.Column("interviewee_kind", sa.String(length=20), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("civilian_name", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("offset_min", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("second_interviewer_id", sa.Integer(), nullable=True),
        sa.Column("rep_requested", sa.Boolean(), nullable=False),
        sa.Column("representation", sa.String(length=20), nullable=False),
        sa.Column("rep_name", sa.String(length=120), nullable=True),
        sa.Column("rep_capacity", sa.String(length=20), nullable=True),
        sa.Column("advisement_kind", sa.String(length=20), nullable=False),
        sa.Column("advisement_version", sa.String(length=20), nullable=False),
        sa.Column("advisement_sha256", sa.String(length=64), nullable=False),
        sa.Column("advised_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledgement", sa.String(length=20), nullable=False),
        sa.Column("compelled", sa.Boolean(), nullable=False),
        sa.Column("statement_evidence_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ia_case.id"], name=op.f("fk_interview_case_id_ia_case")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["interview.id"], name=op.f("fk_interview_supersedes_id_interview")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_interview_employee_id_employee")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["app_user.id"], name=op.f("fk_interview_interviewer_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["second_interviewer_id"],
            ["app_user.id"],
            name=op.f("fk_interview_second_interviewer_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_evidence_id"],
            ["evidence.id"],
            name=op.f("fk_interview_statement_evidence_id_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_interview_recorded_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_interview_supersedes_id")),
    )
    op.create_index(op.f("ix_interview_case_id"), "interview", ["case_id"])
    op.create_index(op.f("ix_interview_employee_id"), "interview", ["employee_id"])
    op.create_index(
        op.f("ix_interview_statement_evidence_id"), "interview", ["statement_evidence_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "interview")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("interview")
