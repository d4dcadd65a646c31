"""The audit trail: append-only, hash-chained rows of who did and saw what, and the head
that appenders lock so the chain never forks (written by :mod:`ia_desk.audit.trail`).

Nothing here points to another table: a row names its user, object and case in text,
so the trail stays whole and verifiable whatever happens to the rows it speaks of.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ia_desk.db.models.base import Base

# The condition of the partial index below, repeated word for word by the query that
# uses it (SQLite matches a partial index's WHERE to the query's literally).
REPORTER_UPDATE_EVENT = "event_type = 'case.reporter_update'"


class AuditEvent(Base):
    """One row of the append-only, hash-chained audit trail.

    ``mac`` is HMAC-SHA256 over the row's canonical form, which includes ``prev_mac``:
    editing, deleting or reordering a row breaks the chain from that row on. The MAC
    key is shared by every workstation, so the chain alone cannot tell who wrote a row;
    ``signature`` can: only its signer holds the private key.
    """

    __tablename__ = "audit_event"
    # The reporter updates by case (the case list's "reporter update due" flag, a page at
    # a time): only those events, so the lookup stays small however many millions of
    # other events the trail holds and whatever the statistics say (issue 24).
    __table_args__ = (
        Index(
            "ix_audit_event_reporter_update",
            "case_number",
            sqlite_where=text(REPORTER_UPDATE_EVENT),
            postgresql_where=text(REPORTER_UPDATE_EVENT),
        ),
    )
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user_login: Mapped[str | None] = mapped_column(String(40), index=True)
    workstation: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    case_number: Mapped[str | None] = mapped_column(String(20), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    # The acting person's Ed25519 signature over the canonical form (prev_mac included),
    # and the fingerprint of the key that made it (ia_desk.audit.signatures). Empty for
    # events no person signs: failed sign-ins, the database's own events, and events
    # from before the trail was signed.
    signer_key: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[str | None] = mapped_column(String(100))
    # PostgreSQL only: the server's number of the transaction that wrote the event, set
    # by the server itself (a trigger; whatever the client sends is overwritten). It ties
    # the changes the server recorded (``server_change``) to the event of their
    # transaction: a change in a transaction with no event was made outside IA Desk.
    server_tx: Mapped[int | None] = mapped_column(BigInteger, index=True)


class AuditHead(Base):
    """The newest audit row's sequence number and MAC (one row, id = 1).

    Appenders lock this row, so the chain never forks, even with several workstations;
    a table cut short behind the head's back is detected by the verifier.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))
