"""withheld search entries, discipline amendments, forced password changes, reporter badges

- ``case_fts_public`` (SQLite) / ``case_search.public_document`` (PostgreSQL): the
  search entry of a case as readers outside IA may find it (see ia_desk.cases.search);
  filled for existing cases at the next start (ia_desk.cases.redaction.reindex_withheld).
- ``discipline_action.amends_id`` / ``superseded_by_id``: a second decision for the same
  employee and case amends the first (with a reason) instead of standing beside it.
- ``app_user.must_change_password``: set by an administrator's reset.
- ``reporter.badge`` indexed, and reporters linked to the roster by their badge
  (good-faith protection follows the badge, 3.21 §V.C).

Revision ID: 20261201_0009
Revises: 20261122_0008
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261201_0009"
down_revision = "20261122_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN on both backends: SQLite's batch mode would copy and drop tables
    # that other tables reference (refused with foreign keys on), and SQLite takes a
    # column's REFERENCES clause in ADD COLUMN itself.
    op.add_column(
        "app_user",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for column in ("amends_id", "superseded_by_id"):
        name = f"fk_discipline_action_{column}_discipline_action"
        if dialect == "sqlite":
            op.execute(
                f"ALTER TABLE discipline_action ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {name} REFERENCES discipline_action (id)"
            )
        else:
            op.add_column("discipline_action", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, "discipline_action", "discipline_action", [column], ["id"])
    op.create_index("ix_reporter_badge", "reporter", ["badge"])
    op.execute(
        "UPDATE reporter SET employee_id = "
        "(SELECT employee.id FROM employee WHERE employee.badge = reporter.badge) "
        "WHERE employee_id IS NULL AND badge IS NOT NULL AND mode <> 'anonymous'"
    )
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE case_fts_public USING fts5("
            "number, narrative, platform, url, subjects, clauses, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute("ALTER TABLE case_search ADD COLUMN public_document tsvector")
        op.execute(
            "CREATE INDEX ix_case_search_public_document ON case_search "
            "USING gin (public_document)"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS case_fts_public")
    else:
        op.execute("DROP INDEX IF EXISTS ix_case_search_public_document")
        op.execute("ALTER TABLE case_search DROP COLUMN IF EXISTS public_document")
    op.drop_index("ix_reporter_badge", "reporter")
    for column in ("superseded_by_id", "amends_id"):
        if dialect != "sqlite":
            op.drop_constraint(
                f"fk_discipline_action_{column}_discipline_action",
                "discipline_action",
                type_="foreignkey",
            )
        op.drop_column("discipline_action", column)
    op.drop_column("app_user", "must_change_password")
