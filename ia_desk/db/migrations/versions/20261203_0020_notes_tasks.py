"""notes and tasks: IA's case notes (append-only, an edit supersedes) and case tasks

Issue 22. ``case_note`` rows are never updated: an edit is a new row whose
``supersedes_id`` names the note it replaces. ``case_task`` holds one thing to do on a
case, its assignee, due date and who marked it done.

Revision ID: 20261203_0020
Revises: 20261202_0019
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261203_0020"
down_revision = "20261202_0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["ia_case.id"], name=op.f("fk_case_note_case_id_ia_case")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_case_note_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["case_note.id"], name=op.f("fk_case_note_supersedes_id_case_note")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_case_note_supersedes_id")),
    )
    op.create_index(op.f("ix_case_note_case_id"), "case_note", ["case_id"])
    op.create_table(
        "case_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ia_case.id"], name=op.f("fk_case_task_case_id_ia_case")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["app_user.id"], name=op.f("fk_case_task_assignee_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_case_task_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["app_user.id"], name=op.f("fk_case_task_done_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_task")),
    )
    op.create_index(op.f("ix_case_task_case_id"), "case_task", ["case_id"])
    op.create_index(op.f("ix_case_task_assignee_id"), "case_task", ["assignee_id"])
    op.create_index(op.f("ix_case_task_due_on"), "case_task", ["due_on"])
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "case_note")
        pg.record_changes_of(op.execute, "case_task")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("case_task")
    op.drop_table("case_note")
