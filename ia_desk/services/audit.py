"""The audit trail: verifying its chain, its checkpoint, listing and exporting events
(IA administrators: each asks the permission)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ia_desk.audit.trail import VerifyResult, export_events, list_events, parse_checkpoint, verify
from ia_desk.db.engine import Database
from ia_desk.db.models import AuditHead
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

__all__ = ["VerifyResult", "checkpoint", "events", "export", "parse_checkpoint", "verify_trail"]


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
    """The trail, newest first, filtered. A denied listing is audited."""
    with db.read(actor) as s:
        return list_events(
            s, actor, user=user, case=case, event=event, since=since, until=until, limit=limit
        )


def export(db: Database, actor: Actor, out: Path, **filters: Any) -> int:
    """The filtered trail as CSV; the export is audited. Returns how many rows."""
    with db.write(actor, audit_only=True) as s:
        return export_events(s, actor, out, **filters)
