"""hire date: the social media training owed upon hiring (3.21 §VI.A)

Issue 22. ``employee.hired_on`` is the date an employee was hired, recorded by IA (the
roster comes from the reports that name people, which never say it). With it the
training register can say whether the mandatory social media training was received
"upon his/her hiring": a completion on or after the hire date, within the
``hiring_training_days`` setting. Every existing employee's date is empty: not on file,
which the register says in those words.

Revision ID: 20261204_0027
Revises: 20261204_0026
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261204_0027"
down_revision = "20261204_0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: the roster's table is referenced from many others, and a copy of
    # it (SQLite's batch mode) would have to drop and rebuild each of their keys.
    op.add_column("employee", sa.Column("hired_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("employee", "hired_on")
