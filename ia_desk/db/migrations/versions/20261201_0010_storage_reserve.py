"""storage reserve: filler rows an embedded database gives up when its disk is full

The rows are made at start-up (ia_desk.db.storage), not here: a migration runs once,
the reserve is refilled whenever it is missing. On PostgreSQL the table stays empty (a
full server disk is the server's to handle) but exists, so both schemas are the same.

Revision ID: 20261201_0010
Revises: 20261201_0009
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261201_0010"
down_revision = "20261201_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storage_reserve",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("filler", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_reserve")),
    )
    if op.get_bind().dialect.name == "postgresql":
        pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    op.drop_table("storage_reserve")
