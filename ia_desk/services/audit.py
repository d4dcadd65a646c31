"""The audit trail: verifying its chain, its checkpoint, listing and exporting events
(IA administrators: each asks the permission)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ia_desk import labels
from ia_desk.audit.server import outside_changes
from ia_desk.audit.trail import VerifyResult, export_events, list_events, parse_checkpoint, verify
from ia_desk.db.engine import Database
from ia_desk.db.models import AuditHead, User
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

__all__ = [
    "VerifyResult",
    "checkpoint",
    "events",
    "export",
    "outside",
    "parse_checkpoint",
    "verify_trail",
]


def verify_trail(
    db: Database, actor: Actor, checkpoint: tuple[int, str] | None = None
) -> VerifyResult:
    """Walk the whole chain (and, given one, against a checkpoint kept elsewhere)."""
    with db.write(actor, audit_only=True) as s:
        require(actor, "audit.read", "audit.verify")
    with db.read(actor) as s:
        return verify(s, checkpoint)


def checkpoint(db: Database, actor: Actor) -> str:
    """The current head, SEQ:HASH, to keep outside the system."""
    with db.write(actor, audit_only=True) as s:
        require(actor, "audit.read", "audit.checkpoint")
        head = s.get(AuditHead, 1)
        return f"{head.seq}:{head.mac}" if head else "0:" + "0" * 64


def events(
    db: Database,
    actor: Actor,
    *,
    user: str | None = None,
    case: str | None = None,
    event: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The trail, newest first, filtered. A denied listing is audited. Each event also
    says in words what it acted on (``object_words``: a user account by its sign-in name,
    a case by its number), for the screen; ``object`` stays as stored, for the export."""
    with db.read(actor) as s:
        rows = list_events(
            s, actor, user=user, case=case, event=event, since=since, until=until, limit=limit
        )
        ids = {i for r in rows if (i := _user_id(r)) is not None}
        logins = {
            i: login for i, login in s.execute(select(User.id, User.login).where(User.id.in_(ids)))
        }
    for r in rows:
        user_id = _user_id(r)
        r["object_words"] = labels.audit_object(
            r["object_type"],
            r["object_id"],
            case_number=r["case"],
            login=logins.get(user_id) if user_id is not None else None,
        )
    return rows


def _user_id(row: dict[str, Any]) -> int | None:
    """The user account an event acted on, if it names one by its id."""
    value = str(row["object_id"] or "")
    return int(value) if row["object_type"] == "user" and value.isdigit() else None


def export(db: Database, actor: Actor, out: Path, **filters: Any) -> int:
    """The filtered trail as CSV; the export is audited. Returns how many rows."""
    with db.write(actor, audit_only=True) as s:
        return export_events(s, actor, out, **filters)


def outside(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """What the server recorded of changes made outside IA Desk (PostgreSQL; nothing on
    an embedded database), oldest first: the transaction, the database role that signed
    in, when, and what it changed. Audited like every reading of the trail."""
    with db.write(actor, audit_only=True) as s:
        require(actor, "audit.read", "audit.outside")
        return [
            {"tx": c.tx, "db_role": c.db_role, "at": c.at.isoformat() + "Z", "what": c.what}
            for c in outside_changes(s)
        ]
