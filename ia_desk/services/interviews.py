"""Interviews of a case's subjects and witnesses (issue 22): the one door of the CLI's
``case interview`` and ``case referral`` commands and of the case window's Interviews
tab. The rules, and who sees what, are :mod:`ia_desk.cases.interviews`'; the packet of a
referral to CID, which never holds a compelled statement, is
:mod:`ia_desk.casefile.referral`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ia_desk.accounts.users import investigators as _investigators
from ia_desk.casefile.referral import make_packet
from ia_desk.cases import advisements as _advisements
from ia_desk.cases import interviews as _interviews
from ia_desk.cases.queries import get_case
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done
from ia_desk.terms import ADVISEMENT_KINDS

__all__ = [
    "FIELDS",
    "advisement_texts",
    "amend",
    "interviewers",
    "list_interviews",
    "record",
    "referral_packet",
]

FIELDS = _interviews.FIELDS


def record(db: Database, actor: Actor, number: str, given: dict[str, Any]) -> Done[int]:
    """Record an interview on a case: its number (the interview's id)."""
    with db.write(actor) as s:
        row = _interviews.record_interview(s, actor, number, given)
        result, stored = row.id, get_case(s, number).number
    return Done(result, Changes.case(stored))


def amend(
    db: Database,
    actor: Actor,
    number: str,
    interview_id: Any,
    reason: Any,
    changes: dict[str, Any],
) -> Done[int]:
    """Amend an interview (the earlier version is kept): the new version's id."""
    with db.write(actor) as s:
        row = _interviews.amend_interview(s, actor, number, interview_id, reason, changes)
        result, stored = row.id, get_case(s, number).number
    return Done(result, Changes.case(stored))


def list_interviews(db: Database, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The case's interviews as the actor may see them. Audited."""
    with db.read(actor) as s:
        return _interviews.interviews(s, actor, number)


def interviewers(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(login, name) of the IA users who may conduct an interview."""
    with db.read(actor) as s:
        return _investigators(s, actor)


def advisement_texts() -> dict[str, list[dict[str, str]]]:
    """Every shipped advisement version by kind (the dialog shows the one in force)."""
    return {
        kind: [
            {"version": a.version, "text": a.text, "sha256": a.sha256}
            for a in _advisements.versions(kind)
        ]
        for kind in ADVISEMENT_KINDS
    }


def referral_packet(
    db: Database, actor: Actor, number: str, out_dir: Path, evidence: list[int] | None = None
) -> Done[dict[str, Any]]:
    """Write the packet of a case referred to CID (never a compelled statement): its
    manifest. Audited."""
    with db.write(actor, audit_only=True) as s:
        manifest = make_packet(s, actor, number, out_dir, evidence)
    return Done(manifest)
