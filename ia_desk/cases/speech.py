"""The scope and First Amendment screen, before a finding under a clause that punishes
speech for discrediting the employer.

Courts have struck "discredit" and "reflect unfavorably" rules like 3.21 §III.J and
§III.L and city procedure 8 and 9 when applied to an employee's speech on a matter of
public concern (Liverman v. City of Petersburg, 4th Cir. 2016, applying Pickering v.
Board of Education and Connick v. Myers). So before such an allegation is sustained, IA
records two things, and the IA summary prints them:

1. **Scope** (3.21 purpose and scope, item 9): the policy reaches an employee's personal
   account only when they identify themselves on it as an employee of the Department,
   use its resources, appear in its uniform, or when the conduct reasonably affects
   workplace harmony, discipline or public trust. A 3.21 allegation none of these
   facts supports is outside the policy and cannot be sustained.
2. **The public-concern balance**: whether the speech touched a matter of public concern
   (misconduct, public safety, how the Department spends or polices) and, if it did,
   IA's balance of the employee's interest in speaking against the Department's interest
   in efficient, disciplined service. Speech on a public concern that the balance finds
   protected cannot be sustained under these clauses.

The clauses screened, and why each is here, are :data:`SCREENED`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import Allegation, SpeechScreen, User, utcnow
from ia_desk.errors import InputError, NotFound
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import SPEECH_OUTCOMES, SPEECH_SCOPE_FACTS

_DISCREDIT = "punishes speech that discredits the employer (the Liverman kind of rule)"
_CONFIDENCE = "punishes speech that undermines the public's confidence (a speech rule)"
SCREENED: dict[str, str] = {
    "vpd-3.21/III.J": _DISCREDIT,
    "vpd-3.21/III.L": _DISCREDIT,
    "city-sn/procedure.8": _DISCREDIT,
    "city-sn/procedure.9": _DISCREDIT,
    "vpd-3.21/policy": "forbids material that reflects negatively on the Department",
    "city-sn/policy": "forbids material that reflects negatively on the City",
    "vpd-3.21/II.E": _CONFIDENCE,
    "vpd-3.21/III.F": _CONFIDENCE,
}

OUTCOMES = SPEECH_OUTCOMES
SCOPE_FACTS = SPEECH_SCOPE_FACTS


def needs_screen(clause_id: str) -> bool:
    return clause_id in SCREENED


def _allegation(session: Session, allegation_id: int) -> Allegation:
    allegation = session.get(Allegation, allegation_id)
    if allegation is None:
        raise NotFound(f"There is no allegation {allegation_id}.", field="allegation")
    return allegation


def record_screen(
    session: Session,
    actor: Actor,
    allegation_id: int,
    facts: dict[str, Any],
) -> SpeechScreen:
    """Record (or record again) the screen of an allegation. ``facts``: the booleans of
    :data:`SCOPE_FACTS`, ``workplace_effect`` (how the conduct affects workplace harmony,
    discipline or public trust; empty for none), ``public_concern`` (bool),
    ``concern_note``, ``balance`` (IA's reasoning) and ``outcome`` (:data:`OUTCOMES`;
    needed when the speech is on a public concern). Audited."""
    require(actor, "allegation.find", "allegation.screen", "allegation", str(allegation_id))
    allegation = _allegation(session, allegation_id)
    require_case_write(actor, allegation.case, "allegation.screen")
    clause_id = allegation.clause.clause_id
    if not needs_screen(clause_id):
        raise InputError(
            f"{clause_id} is not a clause that punishes speech for discrediting the "
            "employer: it needs no scope and First Amendment screen.",
            field="allegation",
        )
    known = set(SCOPE_FACTS) | {
        "workplace_effect",
        "public_concern",
        "concern_note",
        "balance",
        "outcome",
    }
    unknown = sorted(set(facts) - known)
    if unknown:
        raise InputError(f"{unknown[0]}: not a fact of the screen.", field=unknown[0])
    scope = {k: v.boolean(facts.get(k), k, False) for k in SCOPE_FACTS}
    effect = v.text(
        facts.get("workplace_effect"),
        "workplace_effect",
        required=False,
        max_len=5000,
        multiline=True,
    )
    concern = facts.get("public_concern")
    if not isinstance(concern, bool):
        raise InputError(
            "public_concern: say whether the speech touched a matter of public concern "
            "(misconduct, public safety, how the Department spends or polices).",
            field="public_concern",
        )
    note = v.text(
        facts.get("concern_note"), "concern_note", required=False, max_len=5000, multiline=True
    )
    balance = v.text(facts.get("balance"), "balance", max_len=20_000, multiline=True)
    outcome = facts.get("outcome")
    if concern:
        outcome = v.choice(outcome, "outcome", list(OUTCOMES))
        if not note:
            raise InputError(
                "concern_note: say what the matter of public concern is.", field="concern_note"
            )
    elif outcome not in (None, ""):
        outcome = v.choice(outcome, "outcome", list(OUTCOMES))
    else:
        outcome = None
    row = session.scalar(select(SpeechScreen).where(SpeechScreen.allegation_id == allegation.id))
    previous = row.outcome if row else None
    if row is None:
        row = SpeechScreen(allegation_id=allegation.id)
        session.add(row)
    for key, value in scope.items():
        setattr(row, key, value)
    row.workplace_effect = effect
    row.public_concern = concern
    row.concern_note = note
    row.balance = balance or ""
    row.outcome = outcome
    row.recorded_by_id = actor.user_id
    row.recorded_at = utcnow()
    session.flush()
    append(
        session,
        actor,
        "allegation.screen",
        object_type="allegation",
        object_id=allegation.id,
        case_number=allegation.case.number,
        details={
            "clause": clause_id,
            "in_scope": in_scope(row),
            "public_concern": concern,
            "outcome": outcome,
            "previous": previous,
        },
    )
    return row


def in_scope(row: SpeechScreen) -> bool:
    """Whether the facts bring the conduct under the policy (3.21 purpose and scope, 9)."""
    return any(getattr(row, k) for k in SCOPE_FACTS) or bool((row.workplace_effect or "").strip())


def screen_of(session: Session, allegation: Allegation) -> SpeechScreen | None:
    return session.scalar(select(SpeechScreen).where(SpeechScreen.allegation_id == allegation.id))


def sustain_problem(session: Session, allegation: Allegation) -> str | None:
    """Why this allegation cannot be sustained yet for want of (or because of) its
    screen (None: it may be)."""
    clause_id = allegation.clause.clause_id
    if not needs_screen(clause_id):
        return None
    row = screen_of(session, allegation)
    if row is None:
        return (
            f"{clause_id} {SCREENED[clause_id]}: record the scope and First Amendment screen "
            "first (is the account within the policy, 3.21 purpose and scope 9; did the "
            "speech touch a matter of public concern, and how does the balance come out)"
        )
    if clause_id.startswith("vpd-3.21/") and not in_scope(row):
        return (
            "the screen finds the conduct outside the policy's scope (3.21 purpose and scope "
            "9: not identified as an employee, no Department resources or uniform, no effect "
            "on workplace harmony, discipline or public trust)"
        )
    if row.public_concern and row.outcome == "speech_protected":
        return (
            "the screen finds the speech protected (a matter of public concern whose "
            "balance favours the employee)"
        )
    return None


def screen_view(session: Session, allegation: Allegation) -> dict[str, Any] | None:
    """The screen as IA reads it (None: none recorded)."""
    row = screen_of(session, allegation)
    if row is None:
        return None
    user = session.get(User, row.recorded_by_id)
    return {
        "scope": [words for k, words in SCOPE_FACTS.items() if getattr(row, k)],
        "workplace_effect": row.workplace_effect,
        "in_scope": in_scope(row),
        "public_concern": row.public_concern,
        "concern_note": row.concern_note,
        "balance": row.balance,
        "outcome": OUTCOMES.get(row.outcome or ""),
        "by": user.login if user else None,
        "at": row.recorded_at.isoformat() + "Z",
    }
