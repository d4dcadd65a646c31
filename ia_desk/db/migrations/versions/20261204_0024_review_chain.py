"""review chain: the IA commander's and the Chief's sign-off of a case's findings

Issue 22. ``case_review`` holds each reviewer's decision on a case's findings: a
sign-off, or a return to the investigator with comments. Rows are never updated; a
return (or a reopening) starts a new round, counted on the case (``review_round``,
1 for every case there is), and only the current round's sign-offs let a case close.
Which reviewers a round needs is the ``review_chain`` setting (default: the IA
commander, then the Chief) as it stood when its findings were recorded complete
(``review_steps``), so changing the setting never skips a step of findings already
awaiting one. A case already awaiting sign-off when this runs takes the setting; a
department that does without sets it to 0.

Revision ID: 20261204_0024
Revises: 20261204_0023
Create Date: 2026-12-04 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261204_0024"
down_revision = "20261204_0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no copy of the table on SQLite: its triggers and search index
    # stay as they are); every existing case is in its first round.
    op.add_column(
        "ia_case",
        sa.Column("review_round", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    # The steps a round's findings need, fixed when they are recorded complete (empty:
    # findings recorded before the chain; they take the setting, or none once closed).
    op.add_column("ia_case", sa.Column("review_steps", sa.Integer(), nullable=True))
    op.create_table(
        "case_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["ia_case.id"], name=op.f("fk_case_review_case_id_ia_case")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["app_user.id"], name=op.f("fk_case_review_reviewer_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_review")),
        sa.UniqueConstraint("case_id", "round", "step", name=op.f("uq_case_review_case_id")),
    )
    op.create_index(op.f("ix_case_review_case_id"), "case_review", ["case_id"])
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "case_review")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("case_review")
    with op.batch_alter_table("ia_case") as batch:
        batch.drop_column("review_steps")
        batch.drop_column("review_round")
