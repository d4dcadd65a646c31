"""signed trail: each person's events signed with their own key

``audit_event`` gains the signer's key fingerprint and an Ed25519 signature (plain
ADD COLUMN: the append-only guards refuse row changes, not a new nullable column);
``user_key`` keeps each user's public key and their private key wrapped under their
own password. Existing users get a key at their next sign-in; their earlier events stay
verifiable by the MAC chain alone (ia_desk.audit.signatures explains the rules).

Revision ID: 20261202_0011
Revises: 20261201_0010
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0011"
down_revision = "20261201_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("signer_key", sa.String(length=16), nullable=True))
    op.add_column("audit_event", sa.Column("signature", sa.String(length=100), nullable=True))
    op.create_table(
        "user_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=40), nullable=False),
        sa.Column("kdf", sa.String(length=120), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_key_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_key")),
    )
    op.create_index(op.f("ix_user_key_user_id"), "user_key", ["user_id"])
    op.create_index(op.f("ix_user_key_fingerprint"), "user_key", ["fingerprint"])
    if op.get_bind().dialect.name == "postgresql":
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_key_fingerprint"), table_name="user_key")
    op.drop_index(op.f("ix_user_key_user_id"), table_name="user_key")
    op.drop_table("user_key")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("signature")
        batch.drop_column("signer_key")
