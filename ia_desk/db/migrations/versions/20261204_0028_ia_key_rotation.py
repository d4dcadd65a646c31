"""changing IA's key: the key a new one replaces, and its signature over the succession

Issue 20. When an IA user who held IA's key leaves, an IA administrator changes it: a new
key replaces the old, everything sealed is sealed again to the new one, and the old one's
grants go. ``ia_key.replaces_id`` names the key a new one replaces and
``ia_key.succession`` is the old key's signature over the change
(:mod:`ia_desk.audit.iakeys`), so an IA user whose own key committed to the old one takes
the new one at their next sign-in only when the old key and a signed event say so. Every
existing key replaces none.

Revision ID: 20261204_0028
Revises: 20261204_0027
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261204_0028"
down_revision = "20261204_0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no copy of the table on SQLite (grants point at it), and no
    # foreign key, which SQLite could not drop again on a downgrade; the key a new one
    # replaces is looked up by its id where the succession is read, and a missing one
    # breaks the succession.
    op.add_column("ia_key", sa.Column("replaces_id", sa.Integer(), nullable=True))
    op.add_column("ia_key", sa.Column("succession", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ia_key", "succession")
    op.drop_column("ia_key", "replaces_id")
