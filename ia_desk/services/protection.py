"""Good-faith reporter protection (3.21 §V.C): the retaliation review and revoking a
protection."""

from __future__ import annotations

from ia_desk.db.engine import Database
from ia_desk.protection.retaliation import CONCLUSIONS
from ia_desk.protection.retaliation import record_review as _review
from ia_desk.protection.retaliation import revoke_protection as _revoke
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done

__all__ = ["CONCLUSIONS", "record_review", "revoke_protection"]


def record_review(
    db: Database, actor: Actor, number: str, conclusion: str, reasoning: str
) -> Done[None]:
    """An IA administrator's review of a case held for one."""
    with db.write(actor) as s:
        _review(s, actor, number, conclusion, reasoning)
    return Done(None, Changes.case(number))


def revoke_protection(db: Database, actor: Actor, number: str, reason: str) -> Done[None]:
    """End the protection the report of ``number`` gave its reporter, with the reason."""
    with db.write(actor) as s:
        _revoke(s, actor, number, reason)
    return Done(None, Changes(case_list=True, cases=frozenset({number})))
