"""approvals: who must approve, what is depicted, removal directions; posting log times

Issue 22. An approval request records the clause it is made under
(``approval_request.clause``: 3.21 §III.E/§III.R, the Chief decides; city procedure 4/5,
the department head decides), the decider's standing at the decision (``decided_as``),
§III.E.1's description of the proposed usage, the site's URL, and a direction to remove
the post (who, with what standing, when, by when, and when it was seen done). A case's
link to a request records what the case's post depicts (``case_approval.items``).

The posting log keeps three times apart: when the post went up (``posted_at``, entered),
when it was approved (``approved_at``, now entered too) and when it was logged
(``recorded_at``). Until now ``approved_at`` held the moment the post was logged, so it
moves to ``recorded_at`` (a post logged without an approval: its ``posted_at``, which
that release filled with the time of logging when none was given) and ``approved_at``
is left empty: the time of an old approval was never asked, and the log says so rather
than show a logging time as the approval's. An official account's one "shows contact"
box becomes two (§I.D wants the phone number and the address); both take its value.

Existing requests are under §III.E (3.21) or procedure 4 (city), as their policy says;
their decisions keep an empty standing, which the case view names ("standing not
recorded") instead of counting. On a server the backfill is the schema's own change,
made by the tables' owner, so the server's change log of those tables is paused for
its statements (as in 0022): recorded, they would stand in every ``audit verify`` from
then on as rows changed outside IA Desk. No table is created, so no grant is needed.

Revision ID: 20261204_0026
Revises: 20261204_0025
Create Date: 2026-12-04 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261204_0026"
down_revision = "20261204_0025"
branch_labels = None
depends_on = None

CHANGE_LOG_TRIGGER = "{table}_server_change"  # ia_desk.db.pg.record_changes_of
BACKFILLED = ("approval_request", "official_post", "official_account")
REMOVAL_COLUMNS = (
    ("removal_directed_by", sa.String(length=120)),
    ("removal_directed_as", sa.String(length=30)),
    ("removal_due_on", sa.Date()),
    ("removal_reason", sa.Text()),
    ("removal_done_on", sa.Date()),
)


def _logged(table: str) -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return (
        bind.execute(
            sa.text(
                "SELECT 1 FROM pg_trigger WHERE tgname = :name AND NOT tgisinternal "
                "AND tgrelid = CAST(:table AS regclass)"
            ),
            {"name": CHANGE_LOG_TRIGGER.format(table=table), "table": table},
        ).first()
        is not None
    )


def _backfill(statements: list[str]) -> None:
    """Run the schema's own UPDATEs with the server's change log of their tables paused."""
    paused = [t for t in BACKFILLED if _logged(t)]
    for table in paused:
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {CHANGE_LOG_TRIGGER.format(table=table)}")
    for sql in statements:
        op.execute(sql)
    for table in paused:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {CHANGE_LOG_TRIGGER.format(table=table)}")


def upgrade() -> None:
    # Plain ADD COLUMNs: on SQLite a copy of approval_request or official_account (both
    # referenced by other tables' rows) cannot be dropped while foreign keys are checked,
    # so the request's clause stays nullable in the schema (IA Desk always writes it, and
    # every existing row is filled here) and the account's two boxes come with a default.
    op.add_column("approval_request", sa.Column("clause", sa.String(length=40), nullable=True))
    op.add_column("approval_request", sa.Column("description", sa.Text(), nullable=True))
    op.add_column("approval_request", sa.Column("site_url", sa.String(length=2000), nullable=True))
    op.add_column("approval_request", sa.Column("decided_as", sa.String(length=30), nullable=True))
    for name, kind in REMOVAL_COLUMNS:
        op.add_column("approval_request", sa.Column(name, kind, nullable=True))
    op.add_column("case_approval", sa.Column("items", sa.JSON(), nullable=True))
    op.add_column("official_post", sa.Column("recorded_at", sa.DateTime(), nullable=True))
    for name in ("shows_phone", "shows_address"):
        op.add_column(
            "official_account",
            sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False),
        )
    _backfill(
        [
            "UPDATE approval_request SET clause = CASE WHEN policy_id = 'city-sn' "
            "THEN 'city-sn/procedure.4' ELSE 'vpd-3.21/III.E' END",
            "UPDATE official_post SET recorded_at = COALESCE(approved_at, posted_at)",
            "UPDATE official_post SET approved_at = NULL",
            "UPDATE official_account SET shows_phone = shows_contact, "
            "shows_address = shows_contact",
        ]
    )
    # official_post is referenced by no other table: its copy may be made.
    with op.batch_alter_table("official_post") as batch:
        batch.alter_column("recorded_at", existing_type=sa.DateTime(), nullable=False)
    op.drop_column("official_account", "shows_contact")  # SQLite 3.35+: in place


def downgrade() -> None:
    op.add_column(
        "official_account",
        sa.Column("shows_contact", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _backfill(
        [
            "UPDATE official_account SET shows_contact = (shows_phone AND shows_address)",
            # That release's approved_at was the moment of logging, for approved posts.
            "UPDATE official_post SET approved_at = CASE WHEN approved_by IS NULL "
            "THEN NULL ELSE recorded_at END",
        ]
    )
    op.drop_column("official_account", "shows_address")
    op.drop_column("official_account", "shows_phone")
    op.drop_column("official_post", "recorded_at")
    op.drop_column("case_approval", "items")
    for name, _kind in reversed(REMOVAL_COLUMNS):
        op.drop_column("approval_request", name)
    for name in ("decided_as", "site_url", "description", "clause"):
        op.drop_column("approval_request", name)
