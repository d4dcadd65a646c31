"""reporter received: the protected reporters' lookup reads one index, never the cases

Issue 24. The retaliation-review flag of every page of the case list asks, for each
subject of the page, whether that employee reported in good faith within the
protection window before the case. It found the employee's protected reports through
``ix_reporter_protected`` and then read each report's case for its date: at 100,000
cases a page's subjects had 469 such reports, 469 case rows read at random, which
cost 24 ms and pushed the rest of the list out of SQLite's page cache (the next count
of the cases read its index from the disk again: 11 ms instead of 0.4).

``reporter.received_at`` keeps the case's time of receipt beside the reporter (it is
written at intake and never changes after it), and the partial index of the protected
reporters now holds it, so the lookup is a range of one index, covered: the
employee, the dates within the window, nothing else read. Filled from the cases on
upgrade, then required. On a server the backfill is the schema's own change, made by
the tables' owner from the cases' own column, so the server's change log of
``reporter`` is paused for that one statement: recorded, it would stand in every
``audit verify`` from then on as rows changed outside IA Desk, and teach IA to pass over
the warning that matters. (Only the owner can pause it; no workstation role can.)

Revision ID: 20261203_0022
Revises: 20261203_0021
Create Date: 2026-12-03 18:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261203_0022"
down_revision = "20261203_0021"
branch_labels = None
depends_on = None

# Written out, not imported: a migration states the schema of its day.
PROTECTED_REPORTER = (
    "good_faith = TRUE AND employee_id IS NOT NULL AND mode <> 'anonymous' "
    "AND protection_revoked_at IS NULL"
)
CHANGE_LOG_TRIGGER = "reporter_server_change"  # ia_desk.db.pg.record_changes_of
PROTECTED_COLUMNS = [
    "employee_id",
    "received_at",
    "case_id",
    "good_faith",
    "mode",
    "protection_revoked_at",
]


def upgrade() -> None:
    op.drop_index("ix_reporter_protected", table_name="reporter")
    with op.batch_alter_table("reporter") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    bind = op.get_bind()
    logged = (
        bind.dialect.name == "postgresql"
        and bind.execute(
            sa.text(
                "SELECT 1 FROM pg_trigger WHERE tgname = :name AND NOT tgisinternal "
                "AND tgrelid = 'reporter'::regclass"
            ),
            {"name": CHANGE_LOG_TRIGGER},
        ).first()
        is not None
    )
    if logged:
        op.execute(f"ALTER TABLE reporter DISABLE TRIGGER {CHANGE_LOG_TRIGGER}")
    op.execute(
        "UPDATE reporter SET received_at = "
        "(SELECT received_at FROM ia_case WHERE ia_case.id = reporter.case_id)"
    )
    if logged:
        op.execute(f"ALTER TABLE reporter ENABLE TRIGGER {CHANGE_LOG_TRIGGER}")
    with op.batch_alter_table("reporter") as batch:
        batch.alter_column("received_at", existing_type=sa.DateTime(), nullable=False)
    op.create_index(
        "ix_reporter_protected",
        "reporter",
        PROTECTED_COLUMNS,
        sqlite_where=sa.text(PROTECTED_REPORTER),
        postgresql_where=sa.text(PROTECTED_REPORTER),
    )


def downgrade() -> None:
    op.drop_index("ix_reporter_protected", table_name="reporter")
    with op.batch_alter_table("reporter") as batch:
        batch.drop_column("received_at")
    op.create_index(
        "ix_reporter_protected",
        "reporter",
        ["employee_id", "case_id"],
        sqlite_where=sa.text(PROTECTED_REPORTER),
        postgresql_where=sa.text(PROTECTED_REPORTER),
    )
