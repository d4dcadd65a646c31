"""speech screen: the scope and First Amendment screen of an allegation

Before an allegation under a clause that punishes speech for discrediting the employer
(3.21 §III.J, §III.L, city procedure 8 and 9, ...) is sustained, IA records whether the
conduct is within the policy (3.21 purpose and scope, 9) and how the public-concern
balance comes out (ia_desk.cases.speech).

Revision ID: 20261202_0014
Revises: 20261202_0013
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0014"
down_revision = "20261202_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speech_screen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("allegation_id", sa.Integer(), nullable=False),
        sa.Column("identified_as_employee", sa.Boolean(), nullable=False),
        sa.Column("department_resources", sa.Boolean(), nullable=False),
        sa.Column("in_uniform", sa.Boolean(), nullable=False),
        sa.Column("official_account", sa.Boolean(), nullable=False),
        sa.Column("workplace_effect", sa.Text(), nullable=True),
        sa.Column("public_concern", sa.Boolean(), nullable=False),
        sa.Column("concern_note", sa.Text(), nullable=True),
        sa.Column("balance", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allegation_id"],
            ["allegation.id"],
            name=op.f("fk_speech_screen_allegation_id_allegation"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_speech_screen_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_screen")),
        sa.UniqueConstraint("allegation_id", name=op.f("uq_speech_screen_allegation_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "speech_screen")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("speech_screen")
