"""server change log: PostgreSQL records every change to a data table itself

``server_change`` (PostgreSQL only) gets a row for each row inserted, updated or deleted
in a data table and each truncate, naming the database role that signed in and the
server's transaction number; ``audit_event.server_tx`` (both backends, set by the
server on PostgreSQL and empty on SQLite) names the transaction of each event. A change
in a transaction that wrote no audit event was made outside IA Desk, and ``audit
verify`` says so (ia_desk.audit.server).

Revision ID: 20261202_0012
Revises: 20261202_0011
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ia_desk.db import pg

revision = "20261202_0012"
down_revision = "20261202_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("server_tx", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_audit_event_server_tx"), "audit_event", ["server_tx"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    pg.create_server_change_log(op.execute, pg.recorded_tables(bind))
    pg.grant_workstation_role(op.execute)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in pg.recorded_tables(bind):
            name = pg.SERVER_CHANGE_TRIGGER.format(table=table)
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {name}_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_event_server_tx ON audit_event")
        op.execute(f"DROP FUNCTION IF EXISTS {pg.SERVER_TX_FUNCTION}()")
        op.execute(f"DROP TABLE IF EXISTS {pg.SERVER_CHANGE_TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {pg.SERVER_CHANGE_FUNCTION}()")
    op.drop_index(op.f("ix_audit_event_server_tx"), table_name="audit_event")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("server_tx")
