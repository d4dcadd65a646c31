"""What readers outside IA never see of a case, wherever they read, print, export or search.

Two kinds of text are withheld from every reader who is not an IA role (command staff, a
supervisor) and from every command-staff audience (a summary printed for command):

- text IA marked to withhold (``case redact``): a juvenile's identity (3.21 §IV.B), the
  name of a victim of sexual assault or child molestation (§IV.G), anything that points
  to the reporter (§V.A), or other text IA must not pass on;
- the identity of a confidential reporter, automatically: their name (and each part of
  it), badge, phone number (in any formatting) and e-mail address (and its local part),
  wherever it appears in free text anyone wrote (the narrative, a finding's rationale, a
  review's reasoning, a note, a file name), and the numbers of the other reports a
  subject of the case made confidentially (in this case's text they would say who
  reported them; a retaliation review's reasoning cites them often).

Structured fields that are the case's point (its subjects, its clauses) are not free
text and are shown as the reader's role allows. A reader outside IA gets text through
:meth:`Withholding.text`; a search outside IA runs against the withheld text only (see
:mod:`ia_desk.cases.search`). Marking text is audited without the text itself.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ia_desk import validation as v
from ia_desk.audit.trail import append
from ia_desk.cases.queries import get_case
from ia_desk.cases.search import index_case
from ia_desk.cases.workflow import require_case_write
from ia_desk.db.models import Case, CaseRedaction, CaseSubject, Employee, Reporter, Setting
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require
from ia_desk.terms import REDACTION_KINDS

if TYPE_CHECKING:
    from ia_desk.db.engine import Database

KINDS = REDACTION_KINDS
WITHHELD = "[withheld]"
# Characters that do not show but would split a name so a plain match misses it.
_INVISIBLE = "[\u00ad\u200b-\u200d\u2060\ufeff]*"
_PHONE_GAP = r"[\s().\-/+]*"
MIN_NAME_PART = 3
MIN_PHONE_DIGITS = 7


def _fold(text: str) -> str:
    """Compatibility-normalised text (full-width letters read as their plain twins)."""
    return unicodedata.normalize("NFKC", text)


def _literal(term: str) -> str:
    """A term as a pattern: case-insensitive by the caller, any run of white space
    between words, invisible characters anywhere, and whole words only."""
    words = _fold(term).split()
    parts = [_INVISIBLE.join(re.escape(ch) for ch in w) for w in words]
    return r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"


def _phone(number: str) -> str | None:
    digits = re.sub(r"\D", "", _fold(number))
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return r"(?<!\d)" + _PHONE_GAP.join(digits) + r"(?!\d)"


@dataclass(frozen=True)
class Withholding:
    """The terms one case withholds from a reader outside IA (empty for IA readers)."""

    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[str], phones: Iterable[str] = ()) -> Withholding:
        clean = sorted({_fold(t).strip() for t in terms if t and t.strip()}, key=len, reverse=True)
        patterns = [_literal(t) for t in clean]
        patterns += [p for p in (_phone(n) for n in phones if n) if p]
        return cls(tuple(clean), tuple(patterns))

    @property
    def empty(self) -> bool:
        return not self.patterns

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        return re.compile("|".join(self.patterns), re.IGNORECASE) if self.patterns else None

    def text(self, value: str | None, replacement: str = WITHHELD) -> str:
        """``value`` with every withheld term replaced (None reads as empty text)."""
        if not value:
            return value or ""
        regex = self._regex
        if regex is None:
            return value
        return regex.sub(replacement, _fold(value))

    def details(self, raw: str) -> str:
        """An audit event's details (canonical JSON) with the terms withheld in every
        string it holds, keys included."""
        if self.empty or not raw:
            return raw

        def walk(value: Any) -> Any:
            if isinstance(value, str):
                return self.text(value)
            if isinstance(value, list):
                return [walk(x) for x in value]
            if isinstance(value, dict):
                return {self.text(str(k)): walk(x) for k, x in value.items()}
            return value

        try:
            data = json.loads(raw)
        except ValueError:
            return self.text(raw)
        return json.dumps(walk(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


NOTHING = Withholding()


def reporter_terms(reporter: Reporter | None) -> tuple[list[str], list[str]]:
    """The words and phone numbers that identify a confidential reporter."""
    if reporter is None or reporter.mode != "confidential":
        return [], []
    terms: list[str] = []
    if reporter.name:
        terms.append(reporter.name)
        terms += [p for p in re.split(r"[\s,.'\-]+", reporter.name) if len(p) >= MIN_NAME_PART]
    if reporter.badge:
        terms.append(reporter.badge)
    if reporter.email:
        terms.append(reporter.email)
        local = reporter.email.split("@", 1)[0]
        if len(local) >= MIN_NAME_PART + 1:
            terms.append(local)
    return terms, [reporter.phone] if reporter.phone else []


def withholding_for(session: Session, case: Case, ia: bool) -> Withholding:
    """What ``case`` withholds from a reader (``ia``: an IA role or an IA audience, who
    see everything: :data:`NOTHING`)."""
    if ia:
        return NOTHING
    terms = [r.text for r in redactions(session, case)]
    named, phones = reporter_terms(case.reporter)
    terms += named
    terms += reports_made_by_subjects(session, case)
    return Withholding.of(terms, phones)


def reports_made_by_subjects(session: Session, case: Case) -> list[str]:
    """Numbers of other cases whose confidential reporter is a subject of ``case``."""
    subjects = select(CaseSubject.employee_id).where(CaseSubject.case_id == case.id)
    badges = select(Employee.badge).join(CaseSubject).where(CaseSubject.case_id == case.id)
    return list(
        session.scalars(
            select(Case.number)
            .join(Reporter, Reporter.case_id == Case.id)
            .where(
                Reporter.mode == "confidential",
                Reporter.case_id != case.id,
                or_(Reporter.employee_id.in_(subjects), Reporter.badge.in_(badges)),
            )
        )
    )


def add_redaction(session: Session, actor: Actor, number: str, text: str, kind: str) -> None:
    """Mark text of a case to be withheld from everyone outside IA (IA roles working on
    the case; a closed case too, since marking only ever withholds more). Audited,
    without the text itself; the case's search entry is rebuilt without it."""
    require(actor, "allegation.add", "case.redact", "case", number)
    case = get_case(session, number)
    require_case_write(actor, case, "case.redact", while_closed=True)
    value = v.text(text, "text", max_len=200)
    kind = v.choice(kind, "kind", list(KINDS))
    session.add(CaseRedaction(case_id=case.id, text=value or "", kind=kind, added_by=actor.login))
    session.flush()
    index_case(session, case, public=withholding_for(session, case, ia=False))
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
    return list(
        session.scalars(
            select(CaseRedaction).where(CaseRedaction.case_id == case.id).order_by(CaseRedaction.id)
        )
    )


def marked(session: Session, actor: Actor, number: str) -> list[dict[str, Any]]:
    """The text marked on a case, for IA (the case window lists it)."""
    require(actor, "reporter.identity.read", "case.redactions", "case", number)
    case = get_case(session, number)
    return [
        {"text": r.text, "kind": r.kind, "by": r.added_by, "at": r.added_at.isoformat() + "Z"}
        for r in redactions(session, case)
    ]


WITHHELD_INDEX_SETTING = "search_withheld_index"


def reindex_withheld(session: Session) -> int:
    """Give every case that may withhold something its withheld search entry (cases of
    a database from before entries existed). Returns how many cases were indexed."""
    reporters = select(Reporter.employee_id).where(
        Reporter.mode == "confidential", Reporter.employee_id.is_not(None)
    )
    ids = set(session.scalars(select(Reporter.case_id).where(Reporter.mode == "confidential")))
    ids |= set(session.scalars(select(CaseRedaction.case_id)))
    ids |= set(
        session.scalars(select(CaseSubject.case_id).where(CaseSubject.employee_id.in_(reporters)))
    )
    for case_id in sorted(ids):
        case = session.get(Case, case_id)
        if case is not None:
            index_case(session, case, public=withholding_for(session, case, ia=False))
    return len(ids)


def ensure_withheld_index(db: Database) -> None:
    """At start-up, once per database: fill the withheld search entries."""

    with db.read() as session:
        if session.get(Setting, WITHHELD_INDEX_SETTING) is not None:
            return
    with db.write(None) as session:
        if session.get(Setting, WITHHELD_INDEX_SETTING) is None:
            n = reindex_withheld(session)
            session.add(Setting(key=WITHHELD_INDEX_SETTING, value=1))
            append(session, None, "search.reindex_withheld", details={"cases": n})
