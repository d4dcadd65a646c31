"""IA's sealing key: each user key's sealing pair, IA's key and its grants, sealed notes

Issue 20 (sealed data). ``user_key`` gains an X25519 sealing pair beside its signing
key (the private half wrapped under the same password-derived key, the public half
signed by the signing key) and IA's endorsement of the key. ``ia_key`` holds IA's public sealing and endorsing keys; ``ia_key_grant``
its private half sealed to each IA user's key. ``case_note`` and ``case_task`` say
whether their text is sealed; a task's title, once sealed, is longer than its 200
characters, so the column is ``text``.

Revision ID: 20261203_0021
Revises: 20261203_0020
Create Date: 2026-12-03 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261203_0021"
down_revision = "20261203_0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_key") as batch:
        batch.add_column(sa.Column("seal_public", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("seal_wrapped", sa.Text(), nullable=True))
        batch.add_column(sa.Column("seal_signature", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("ia_endorsement", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("handover_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("handover_signature", sa.String(length=128), nullable=True))
    op.create_table(
        "ia_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sign_public", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("recovery_sealed", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ia_key")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_ia_key_fingerprint")),
    )
    op.create_table(
        "ia_key_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ia_key_id", sa.Integer(), nullable=False),
        sa.Column("user_key_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ia_key_id"], ["ia_key.id"], name=op.f("fk_ia_key_grant_ia_key_id_ia_key")
        ),
        sa.ForeignKeyConstraint(
            ["user_key_id"], ["user_key.id"], name=op.f("fk_ia_key_grant_user_key_id_user_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ia_key_grant")),
        sa.UniqueConstraint(
            "ia_key_id", "user_key_id", name=op.f("uq_ia_key_grant_ia_key_id")
        ),
    )
    op.create_index(op.f("ix_ia_key_grant_user_key_id"), "ia_key_grant", ["user_key_id"])
    with op.batch_alter_table("case_note") as batch:
        batch.add_column(
            sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("case_task") as batch:
        batch.add_column(
            sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.alter_column(
            "title", existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=False
        )
    if op.get_bind().dialect.name == "postgresql":
        pg.record_changes_of(op.execute, "ia_key")
        pg.record_changes_of(op.execute, "ia_key_grant")
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    sealed = op.get_bind().execute(
        sa.text(
            "SELECT (SELECT count(*) FROM ia_key) + (SELECT count(*) FROM case_note WHERE sealed)"
            " + (SELECT count(*) FROM case_task WHERE sealed)"
        )
    ).scalar()
    if sealed:
        raise RuntimeError(
            "This database has IA's key and sealed notes or tasks: going back to a version "
            "without sealing would lose them for good. Restore a backup from before the "
            "upgrade instead."
        )
    op.drop_table("ia_key_grant")
    op.drop_table("ia_key")
    with op.batch_alter_table("case_task") as batch:
        batch.alter_column("title", existing_type=sa.Text(), type_=sa.String(length=200))
        batch.drop_column("sealed")
    with op.batch_alter_table("case_note") as batch:
        batch.drop_column("sealed")
    with op.batch_alter_table("user_key") as batch:
        batch.drop_column("handover_signature")
        batch.drop_column("handover_from")
        batch.drop_column("ia_endorsement")
        batch.drop_column("seal_signature")
        batch.drop_column("seal_wrapped")
        batch.drop_column("seal_public")
