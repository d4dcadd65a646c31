"""Desktop session events that belong in the audit trail (lock, unlock, sign-out)."""

from __future__ import annotations

from ia_desk.audit.trail import append
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor

EVENTS = {"lock": "auth.session_lock", "sign_out": "auth.sign_out"}


def record(db: Database, actor: Actor, what: str, **details: object) -> None:
    """Write a session event in its own transaction (``what``: lock or sign_out)."""
    with db.write(actor, audit_only=True) as session:
        append(
            session,
            actor,
            EVENTS[what],
            object_type="user",
            object_id=actor.user_id,
            details=dict(details),
        )
