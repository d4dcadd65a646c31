"""Marking what command-staff summaries withhold (policy 3.21 §IV.B and §IV.G)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.db.models import Case, CaseRedaction
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

KINDS = {
    "juvenile": "identity or address of a juvenile (3.21 §IV.B)",
    "victim": "name of a victim of sexual assault or child molestation (3.21 §IV.G)",
}
WITHHELD = "[withheld]"


def add_redaction(session: Session, actor: Actor, number: str, text: str, kind: str) -> None:
    """Mark text of a case to be withheld from command-staff summaries (IA roles). Audited,
    without the text itself."""
    require(actor, "allegation.add", "case.redact", "case", number)
    case = get_case(session, number)
    value = v.text(text, "text", max_len=200)
    kind = v.choice(kind, "kind", list(KINDS))
    session.add(CaseRedaction(case_id=case.id, text=value or "", kind=kind, added_by=actor.login))
    session.flush()
    append(
        session,
        actor,
        "case.redact",
        object_type="case",
        object_id=case.id,
        case_number=case.number,
        details={"kind": kind, "length": len(value or "")},
    )


def redactions(session: Session, case: Case) -> list[CaseRedaction]:
    return list(session.scalars(select(CaseRedaction).where(CaseRedaction.case_id == case.id)))


def redact(text: str | None, terms: list[str]) -> str:
    """Replace every marked term (case-insensitive, longest first) with [withheld]."""
    if not text:
        return text or ""
    for term in sorted({t for t in terms if t.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(term), WITHHELD, text, flags=re.IGNORECASE)
    return text
