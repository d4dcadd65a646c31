"""evidence thumbnails, made once per stored image

Revision ID: 20261122_0002
Revises: 20261121_0001
Create Date: 2026-11-22 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261122_0002"
down_revision = "20261121_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_thumb",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["evidence_blob.sha256"],
            name=op.f("fk_evidence_thumb_sha256_evidence_blob"),
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_thumb")),
    )


def downgrade() -> None:
    op.drop_table("evidence_thumb")
