"""Brady/Giglio disclosure review (ia_desk.discipline.brady): the flags a sustained
finding under a credibility clause raises, IA's decision on each, and the log of each
disclosure to a prosecutor. Flags are raised and withdrawn by the finding itself
(:func:`ia_desk.services.allegations.record_finding_in`), never by hand."""

from __future__ import annotations

from typing import Any

from ia_desk.db.engine import Database
from ia_desk.discipline import brady
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed
from ia_desk.services import Changes, Done

__all__ = ["STATUSES", "decide", "disclose", "flag", "flags", "may_review"]

STATUSES = brady.STATUSES


def flags(
    db: Database, actor: Actor, *, status: str | None = None, badge: str | None = None
) -> list[dict[str, Any]]:
    """The flags, newest first (IA and command staff); ``status`` one of
    :data:`STATUSES`. Audited."""
    with db.write(actor) as s:  # the read is audited
        return brady.flags(s, actor, status=status, badge=badge)


def flag(db: Database, actor: Actor, flag_id: Any) -> dict[str, Any]:
    """One flag with its decision and its disclosures. Audited."""
    with db.write(actor) as s:  # the read is audited
        return brady.show(s, actor, flag_id)


def decide(
    db: Database, actor: Actor, flag_id: Any, decision: Any, reason: Any
) -> Done[dict[str, Any]]:
    """The IA commander decides a flag under review: ``disclose`` or ``not_disclosable``,
    with the written reason."""
    with db.write(actor) as s:
        row = brady.decide(s, actor, flag_id, decision, reason)
        out = brady.view(s, row, actor)
    return Done(out, Changes.case(out["case"]) | Changes(roster=True))


def disclose(
    db: Database,
    actor: Actor,
    flag_id: Any,
    disclosed_on: Any,
    office: Any,
    disclosed_by: Any,
    what: Any,
) -> Done[dict[str, Any]]:
    """Log a disclosure of a flagged finding to a prosecutor (the day, the prosecutor's
    office, who disclosed it, what was disclosed)."""
    with db.write(actor) as s:
        row = brady.disclose(s, actor, flag_id, disclosed_on, office, disclosed_by, what)
        out = brady.view(s, row.flag, actor)
    return Done(out, Changes.case(out["case"]) | Changes(roster=True))


def may_review(actor: Actor) -> bool:
    """Whether the actor reads the flags (IA and command staff): what a window asks
    before it offers the review."""
    return allowed(actor, "brady.read")
