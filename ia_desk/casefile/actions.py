"""What a user may do on a case now, asked of the rules the services enforce.

A window offers exactly these: the actions of the user's role, each enabled or not with
the reason in the user's words. Every rule is the service's own (the same function the
service calls before it writes), so the window can never offer what the service would
refuse, nor hide what it would allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ia_desk.casefile.referral import referral_problem
from ia_desk.cases.allegations import OPEN_TO_ALLEGATIONS
from ia_desk.cases.interviews import record_problem as interview_record_problem
from ia_desk.cases.review import STEP_PERMISSION, close_hold, review_problem
from ia_desk.cases.workflow import ACTIONS, blockers, case_write_problem, may_work_on
from ia_desk.db.models import Case
from ia_desk.discipline.immediate import status as immediate_status
from ia_desk.evidence.store import evidence_problem
from ia_desk.protection.retaliation import blocking_reason, protection_problem
from ia_desk.security.actor import Actor
from ia_desk.security.roles import IA, IA_ADMIN, allowed, sees_identities


@dataclass(frozen=True)
class CaseAction:
    """One thing the user could do on the case: ``why_not`` is None when they may now."""

    name: str
    label: str
    why_not: str | None = None
    needs_user: bool = False
    needs_reason: bool = False

    @property
    def allowed(self) -> bool:
        return self.why_not is None


def _first(*problems: str | None) -> str | None:
    return next((p for p in problems if p), None)


def _immediate_actions(
    session: Session, actor: Actor, case: Case, write: str | None, keep_record: str | None
) -> list[CaseAction]:
    """The Chief's immediate action (3.21 §V.B): raise it, the notification, a step."""
    out: list[CaseAction] = []
    state = immediate_status(session, case)
    if state is None:
        # Not needed (yet): IA may raise it on the facts; nothing else is offered.
        if allowed(actor, "case.immediate_action"):
            out.append(
                CaseAction("raise_immediate", "Raise immediate action…", write, needs_reason=True)
            )
        return out
    if allowed(actor, "case.immediate_action"):
        out.append(
            CaseAction(
                "chief_notified",
                "Chief notified…",
                _first(
                    keep_record,
                    "the notification is recorded already" if state["chief_notified_at"] else None,
                ),
                needs_reason=True,
            )
        )
    if allowed(actor, "immediate.act"):
        out.append(
            CaseAction(
                "immediate_step",
                "Record action taken…",
                None if actor.role == "command_staff" else keep_record,
                needs_reason=True,
            )
        )
    return out


def case_actions(session: Session, actor: Actor, case: Case) -> list[CaseAction]:
    """The actions of the actor's role on ``case``, in the order a window shows them."""
    out: list[CaseAction] = []
    write = case_write_problem(actor, case)
    keep_record = case_write_problem(actor, case, while_closed=True)
    if actor.role in IA:
        held = blocking_reason(session, case, ia=True) or close_hold(session, case)
        for name, action in ACTIONS.items():
            problems = blockers(case, name) + ([held] if name == "close" and held else [])
            why = _first(
                None if may_work_on(actor, case) else write,
                "only an IA administrator reopens"
                if name == "reopen" and actor.role != IA_ADMIN
                else None,
                "; ".join(problems) or None,
            )
            out.append(CaseAction(name, action.label, why, action.needs_user, action.needs_reason))
        tolled = case.tolled_since is not None
        out.append(
            CaseAction(
                "untoll" if tolled else "toll",
                "Resume deadline" if tolled else "Pause deadline…",
                write,
                needs_reason=not tolled,
            )
        )
        out.append(
            CaseAction("reporter_update", "Reporter updated…", keep_record, needs_reason=True)
        )
        out.append(CaseAction("redact", "Withhold text…", keep_record))
        out.append(
            CaseAction(
                "add_allegation",
                "Add allegation…",
                _first(
                    write,
                    None
                    if case.status in OPEN_TO_ALLEGATIONS
                    else "its findings are complete (an IA administrator reopens it)",
                ),
            )
        )
        out.append(
            CaseAction(
                "record_finding",
                "Record finding…",
                _first(
                    write,
                    None if case.status == "investigating" else "start the investigation first",
                ),
            )
        )
    out += _immediate_actions(session, actor, case, write, keep_record)
    if allowed(actor, "evidence.add"):
        out.append(CaseAction("add_evidence", "Add evidence…", evidence_problem(actor, case)))
    if allowed(actor, "retaliation.review"):
        held = blocking_reason(session, case, ia=True)
        out.append(
            CaseAction(
                "retaliation_review",
                "Record retaliation review…",
                _first(write, None if held else "no retaliation review is pending"),
                needs_reason=True,
            )
        )
    if allowed(actor, "protection.revoke"):
        out.append(
            CaseAction(
                "revoke_protection",
                "Revoke reporter protection…",
                protection_problem(case),
                needs_reason=True,
            )
        )
    if allowed(actor, "discipline.record"):
        held = blocking_reason(session, case, ia=sees_identities(actor))
        out.append(
            CaseAction(
                "record_discipline",
                "Record discipline…",
                _first(
                    held,
                    "the investigation has not started"
                    if case.status in ("received", "assigned")
                    else None,
                ),
            )
        )
    if any(allowed(actor, p) for p in STEP_PERMISSION.values()):
        why = review_problem(session, actor, case)
        out.append(CaseAction("sign_off", "Sign off findings…", why, needs_reason=True))
        out.append(CaseAction("return_findings", "Return findings…", why, needs_reason=True))
    if allowed(actor, "interview.read"):  # offered on the Interviews tab (issue 22)
        out.append(
            CaseAction(
                "record_interview", "Record interview…", interview_record_problem(actor, case)
            )
        )
    if allowed(actor, "referral.packet"):  # the CID packet: never a compelled statement
        out.append(
            CaseAction(
                "referral_packet",
                "CID referral packet…",
                _first(keep_record, referral_problem(session, case.id, case.number)),
            )
        )
    if allowed(actor, "summary.print_command"):
        out.append(CaseAction("print", "Print summary…"))  # its key is the window's
    return out
