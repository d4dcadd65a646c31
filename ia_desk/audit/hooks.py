"""The storage room's transaction hooks, kept by the audit room: an actor's standing is
checked before each of their transactions, refusals and the database's own events go
into the trail (see :class:`ia_desk.db.engine.TransactionHooks`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ia_desk.audit.trail import append, case_number_or_none
from ia_desk.errors import PermissionDenied, RefusedInput
from ia_desk.security.actor import check_standing


class AuditedTransactions:
    """Installed on every database the start-up opens."""

    def standing(self, session: Session, actor: Any) -> None:
        check_standing(session, actor)

    def refused(self, session: Session, actor: Any, exc: PermissionDenied | RefusedInput) -> None:
        refusal = exc.refusal
        if refusal is None:
            return
        details = dict(refusal.details)
        details["reason"] = str(exc)
        number = refusal.case_number or details.get("case")
        if number is None and refusal.object_type == "case":
            number = refusal.object_id
        append(
            session,
            actor,
            refusal.event_type,
            object_type=refusal.object_type,
            object_id=refusal.object_id,
            case_number=case_number_or_none(number),
            outcome="denied" if isinstance(exc, PermissionDenied) else "refused",
            details=details,
        )

    def record(
        self, session: Session, event_type: str, details: dict[str, Any], outcome: str = "ok"
    ) -> None:
        append(session, None, event_type, object_type="database", outcome=outcome, details=details)
