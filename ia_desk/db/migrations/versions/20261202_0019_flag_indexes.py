"""flag indexes: the case list's flags stay index lookups whatever the statistics say

Two partial indexes (issue 24): the protected good-faith reporters by employee (the
retaliation-review flag) and the reporter-update events by case (the "reporter update
due" flag). Each holds only the rows its flag looks for, so neither grows with the rest
of its table, and both cover their query: on a database whose statistics call
``reporter.employee_id`` useless (every reporter anonymous, say) SQLite scanned every
reporter for each page of the list. Their conditions are the models' own text
(ia_desk.db.models), which the queries repeat word for word.

Revision ID: 20261202_0019
Revises: 20261202_0018
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0019"
down_revision = "20261202_0018"
branch_labels = None
depends_on = None

# Written out, not imported: a migration states the schema of its day.
PROTECTED_REPORTER = (
    "good_faith = TRUE AND employee_id IS NOT NULL AND mode <> 'anonymous' "
    "AND protection_revoked_at IS NULL"
)
REPORTER_UPDATE_EVENT = "event_type = 'case.reporter_update'"


def upgrade() -> None:
    op.create_index(
        "ix_reporter_protected",
        "reporter",
        ["employee_id", "case_id"],
        sqlite_where=sa.text(PROTECTED_REPORTER),
        postgresql_where=sa.text(PROTECTED_REPORTER),
    )
    op.create_index(
        "ix_audit_event_reporter_update",
        "audit_event",
        ["case_number"],
        sqlite_where=sa.text(REPORTER_UPDATE_EVENT),
        postgresql_where=sa.text(REPORTER_UPDATE_EVENT),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_reporter_update", table_name="audit_event")
    op.drop_index("ix_reporter_protected", table_name="reporter")
