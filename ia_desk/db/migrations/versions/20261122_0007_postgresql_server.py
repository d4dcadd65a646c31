"""PostgreSQL: full-text search table, append-only grants and triggers, change notices

On SQLite these exist since the first schema (FTS5 table, triggers) or are not needed.

Revision ID: 20261122_0007
Revises: 20261122_0006
Create Date: 2026-11-22 02:40:00
"""

from __future__ import annotations

from alembic import op

from ia_desk.db import pg

revision = "20261122_0007"
down_revision = "20261122_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    pg.create_search_table(op.execute)
    pg.protect_append_only(op.execute)
    pg.create_change_notification(op.execute)
    pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS ia_case_changed ON ia_case")
    op.execute("DROP FUNCTION IF EXISTS ia_desk_case_changed()")
    for table in pg.APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"GRANT UPDATE, DELETE ON {table} TO CURRENT_USER")
    op.execute("DROP FUNCTION IF EXISTS ia_desk_refuse()")
    op.execute("DROP TABLE IF EXISTS case_search")
