"""Records bound to the trail: each event that writes evidence, a finding, a
discipline decision, a review decision or an interview carries the SHA-256 of the row
as it wrote it.

The event is signed by its author (:mod:`ia_desk.audit.signatures`), so the digest is
theirs too. A row changed afterwards outside IA Desk (an evidence row pointed at another
blob, a finding's disposition or a decision's step edited in ``psql`` or ``sqlcipher3``)
no longer matches its latest event, and a row inserted outside IA Desk has no event at
all. :func:`record_problems` names both; ``audit verify`` and ``evidence verify`` report
them. A row whose events all predate the binding (a database from before this version)
is counted apart, never called broken.

Only the columns that a person decides are bound: where a later step legitimately
changes a row (``superseded_by_id`` when a decision is amended, ``note`` on evidence),
that column is left out, and the later step is itself an event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ia_desk.audit.signatures import SIGNING_BEGINS
from ia_desk.db.models import (
    Allegation,
    ApprovalRequest,
    AuditEvent,
    BradyDisclosure,
    BradyFlag,
    CaseApproval,
    CaseReview,
    DisciplineAction,
    Evidence,
    Interview,
    OfficialAccount,
    OfficialPost,
)

RECORD_KEY = "record"  # the key of the digest in an event's details
# The key of the digests an event carries for rows it wrote besides its own object
# ({kind: {row id: digest}}): an intake writes the case's first allegations.
RECORDS_KEY = "records"
# In the event that begins signing: {kind: the first row id written under the binding}.
# A row below it with no digest is from before the binding; at or above it, a row with
# no event was put in outside IA Desk.
BOUND_FROM_KEY = "bound_from"


@dataclass(frozen=True)
class Bound:
    """One kind of record: its table, the columns its events vouch for, and the events
    that write it (the latest one is the one the row must match)."""

    name: str  # as in audit_event.object_type
    model: type[Any]
    columns: tuple[str, ...]
    events: tuple[str, ...]
    what: str  # in people's words
    carried_by: tuple[str, ...] = ()  # events that write such rows in RECORDS_KEY
    creating: tuple[str, ...] = ()  # the events that create a row (each row has one)
    # Columns added after the binding began: vouched for when set, left out of the
    # digest while empty, so a row written before they existed still matches its event
    # (and emptying one afterwards changes the digest).
    optional: tuple[str, ...] = ()
    # A table that held rows before its binding began (written by a version that bound
    # other records already): its binding begins at a later marker of its own
    # (BINDING_EXTENDS), so its earlier rows and their digest-less events count apart.
    extended: bool = False


BOUND: dict[str, Bound] = {
    b.name: b
    for b in (
        Bound(
            "evidence",
            Evidence,
            (
                "case_id",
                "sha256",
                "file_name",
                "media_type",
                "size",
                "source_url",
                "captured_at",
                "captured_tz",
                "captured_by_id",
                "method",
            ),
            ("evidence.add",),
            "evidence item",
            creating=("evidence.add",),
        ),
        Bound(
            "allegation",
            Allegation,
            (
                "case_id",
                "employee_id",
                "clause_pk",
                "disposition",
                "finding_on",
                "finding_by_id",
                "rationale",
            ),
            ("allegation.add", "allegation.find"),
            "allegation",
            ("case.intake",),
            creating=("allegation.add", "case.intake"),
        ),
        Bound(
            "discipline",
            DisciplineAction,
            (
                "case_id",
                "employee_id",
                "step",
                "recommended_step",
                "reason",
                "decided_by_id",
                "within_range",
                "matrix_version",
                "amends_id",
            ),
            ("discipline.record", "discipline.amend"),
            "discipline decision",
            creating=("discipline.record", "discipline.amend"),
            optional=("suspension_days", "without_pay"),
        ),
        Bound(
            "brady_flag",
            BradyFlag,
            (
                "case_id",
                "employee_id",
                "allegation_id",
                "clause_id",
                "status",
                "reason",
                "decided_by_id",
                "decided_at",
                "withdrawn_at",
            ),
            ("brady.raised", "brady.decide", "brady.withdrawn"),
            "Brady/Giglio flag",
            creating=("brady.raised",),
        ),
        Bound(
            "brady_disclosure",
            BradyDisclosure,
            ("flag_id", "disclosed_on", "office", "disclosed_by", "what", "recorded_by_id"),
            (),
            "disclosure to a prosecutor",
            carried_by=("brady.disclose",),
            creating=("brady.disclose",),
        ),
        Bound(
            "review",
            CaseReview,
            ("case_id", "round", "step", "decision", "reviewer_id", "decided_at", "comments"),
            ("review.sign_off", "review.return"),
            "review decision",
            creating=("review.sign_off", "review.return"),
        ),
        # The registers of 3.21 that a case's approval status is read from (issue 22):
        # the request with its decision, the decider's standing and any removal
        # direction; the case's link with what its post depicts; the posting log.
        Bound(
            "approval",
            ApprovalRequest,
            (
                "employee_id",
                "policy_id",
                "clause",
                "items",
                "purpose",
                "description",
                "site_url",
                "layout_sha256",
                "layout_file_name",
                "submitted_on",
                "decision",
                "decided_by",
                "decided_as",
                "decided_on",
                "conditions",
                "removal_directed_on",
                "removal_directed_by",
                "removal_directed_as",
                "removal_due_on",
                "removal_reason",
                "removal_done_on",
            ),
            (
                "approval.add",
                "approval.decide",
                "approval.direct_removal",
                "approval.removal_done",
            ),
            "approval request",
            creating=("approval.add",),
            extended=True,
        ),
        Bound(
            "approval_link",
            CaseApproval,
            ("case_id", "approval_id", "items"),
            (),
            "approval linked to a case",
            carried_by=("approval.link",),
            creating=("approval.link",),
            extended=True,
        ),
        Bound(
            "account",
            OfficialAccount,
            ("platform", "handle", "shows_phone", "shows_address", "authorised"),
            ("account.add",),
            "official account",
            creating=("account.add",),
            extended=True,
        ),
        Bound(
            "post",
            OfficialPost,
            (
                "account_id",
                "posted_at",
                "text",
                "capture_sha256",
                "posted_by",
                "approved_by",
                "approved_at",
                "recorded_at",
                "recorded_by",
            ),
            ("post.log",),
            "posting log entry",
            creating=("post.log",),
            extended=True,
        ),
        # Interviews (issue 22): every version is a row of its own, written once.
        Bound(
            "interview",
            Interview,
            (
                "case_id",
                "supersedes_id",
                "amend_reason",
                "interviewee_kind",
                "employee_id",
                "civilian_name",
                "started_at",
                "ended_at",
                "offset_min",
                "place",
                "interviewer_id",
                "second_interviewer_id",
                "rep_requested",
                "representation",
                "rep_name",
                "rep_capacity",
                "advisement_kind",
                "advisement_version",
                "advisement_sha256",
                "advised_at",
                "acknowledgement",
                "compelled",
                "statement_evidence_id",
                "summary",
                "recorded_by_id",
                "recorded_at",
            ),
            ("interview.record", "interview.amend"),
            "interview record",
            creating=("interview.record", "interview.amend"),
        ),
    )
}
BINDING_EXTENDS = "audit.binding_extends"
"""The database's own event marking where the binding of kinds added to an existing
database begins (:func:`unmarked_kinds`)."""


def without_digests(details: str) -> str:
    """An event's details as people read them in a case's timeline: the digests of the
    rows it wrote left out (they are for verifying, and the audit list keeps them)."""
    found = _loads(details)
    if RECORD_KEY not in found and RECORDS_KEY not in found:
        return details
    kept = {k: v for k, v in found.items() if k not in (RECORD_KEY, RECORDS_KEY)}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def digest_of(kind: str, row_id: int, values: Mapping[str, Any]) -> str:
    """The SHA-256 of a record as its event vouches for it: its kind, id and the bound
    columns' values (from an ORM object's attributes or a plain row mapping)."""
    bound = BOUND[kind]
    vouched = {c: _plain(values[c]) for c in bound.columns}
    vouched.update({c: _plain(values[c]) for c in bound.optional if values.get(c) is not None})
    body = {"kind": kind, "id": int(row_id), "values": vouched}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def digest(kind: str, row: Any) -> str:
    """:func:`digest_of` for an ORM object (flushed, so it has its id)."""
    bound = BOUND[kind]
    return digest_of(kind, row.id, {c: getattr(row, c) for c in bound.columns + bound.optional})


def next_ids(session: Session) -> dict[str, int]:
    """{kind: the id its next row will have at least} (for :data:`BOUND_FROM_KEY`)."""
    out = {}
    for kind, bound in BOUND.items():
        table = bound.model.__table__
        out[kind] = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
    return out


@dataclass(frozen=True)
class Binding:
    """Where the binding begins: the start of signing's sequence number (events after it
    must carry their digest) and, per kind, the first row id written under it; for a
    kind first named by a later marker (BINDING_EXTENDS), that marker's number."""

    seq: int
    first_ids: dict[str, int]
    seqs: dict[str, int] = field(default_factory=dict)

    def seq_of(self, kind: str) -> int:
        return self.seqs.get(kind, self.seq)


def _markers(session: Session) -> list[tuple[int, str, str]]:
    t = AuditEvent.__table__
    return [
        (int(seq), str(event_type), details)
        for seq, event_type, details in session.execute(
            select(t.c.seq, t.c.event_type, t.c.details)
            .where(
                t.c.event_type.in_([SIGNING_BEGINS, BINDING_EXTENDS]),
                t.c.user_login == "system",
            )
            .order_by(t.c.seq)
        )
    ]


def unmarked_kinds(session: Session) -> list[str] | None:
    """The extended kinds no marker names yet (their binding has not begun), or None
    before the start of signing (whose marker names every kind)."""
    markers = _markers(session)
    if not any(event_type == SIGNING_BEGINS for _s, event_type, _d in markers):
        return None
    named: set[str] = set()
    for _seq, _type, details in markers:
        named |= set(_as_dict(_loads(details).get(BOUND_FROM_KEY)))
    return [k for k, b in BOUND.items() if b.extended and k not in named]


def _as_dict(value: Any) -> dict[str, Any]:
    """A JSON object as a dict; anything else (a junk row's list, number, text) as {}."""
    return value if isinstance(value, dict) else {}


def _loads(details: str | None) -> dict[str, Any]:
    try:
        return _as_dict(json.loads(details or "{}"))
    except (ValueError, RecursionError):
        return {}


def _row_id(value: Any) -> int | None:
    """A row id from an event (text or number), or None for anything else."""
    text_ = str(value)
    if not (text_.isascii() and text_.isdecimal()):
        return None
    return int(text_)


def _binding(session: Session) -> Binding:
    """Read from the start of signing. A marker put in later (or before the trail, at
    seq 0 or below) can only lower the thresholds, never raise them: the lowest of every
    marker's is taken, so a row cannot be made to pass as older than the binding."""
    found = _markers(session)
    markers = [(seq, details) for seq, event_type, details in found if event_type == SIGNING_BEGINS]
    if not markers:
        return Binding(0, {})
    first: dict[str, int] = {}
    named_at: dict[str, int] = {}
    for seq, _type, details in found:
        for kind, value in _as_dict(_loads(details).get(BOUND_FROM_KEY)).items():
            if kind in BOUND and isinstance(value, int) and not isinstance(value, bool):
                first[kind] = min(first.get(kind, value), value)
                if seq >= 1:
                    named_at[kind] = min(named_at.get(kind, seq), seq)
    for kind in BOUND:
        first.setdefault(kind, 0)  # a marker that names no threshold binds every row
    real = [seq for seq, _ in markers if seq >= 1]
    start = min(real) if real else 0
    # A kind first named after the start of signing (an extended kind on a database
    # that signed before it was bound) begins at that marker; never before the start.
    seqs = {kind: max(at, start) for kind, at in named_at.items() if BOUND[kind].extended}
    return Binding(start, first, seqs)


@dataclass(frozen=True)
class RecordCheck:
    """What comparing the records with their events found."""

    checked: int  # rows compared with a digest
    before_binding: int  # rows whose events predate the binding
    problems: tuple[tuple[int, str], ...]  # (event seq, or 0 for none; what is wrong)


@dataclass
class _Written:
    """What the trail says wrote one row: its latest writing event and every event that
    created it (one, for a row IA Desk wrote)."""

    seq: int
    event_type: str
    recorded: Any
    created_by: list[int]


def _writing_events(session: Session, kind: str, ids: list[int] | None) -> dict[int, _Written]:
    """{row id: what wrote it} from the trail. Events that do not parse, or name no row,
    are skipped: a junk row is the chain's business (it is named there), never a crash."""
    bound = BOUND[kind]
    t = AuditEvent.__table__
    own = and_(t.c.object_type == kind, t.c.event_type.in_(bound.events))
    if ids is not None:
        own = and_(own, t.c.object_id.in_([str(i) for i in ids]))
    where = or_(own, t.c.event_type.in_(bound.carried_by)) if bound.carried_by else own
    stmt = (
        select(t.c.seq, t.c.object_id, t.c.event_type, t.c.details)
        .where(where, t.c.outcome == "ok")
        .order_by(t.c.seq)
    )
    written: dict[int, _Written] = {}

    def saw(row_id: int | None, seq: int, event_type: str, recorded: Any) -> None:
        if row_id is None:
            return
        entry = written.get(row_id)
        if entry is None:
            entry = written[row_id] = _Written(seq, event_type, recorded, [])
        else:
            entry.seq, entry.event_type, entry.recorded = seq, event_type, recorded
        if event_type in bound.creating:
            entry.created_by.append(seq)

    for seq, object_id, event_type, details in session.execute(stmt):
        found = _loads(details)
        if event_type in bound.carried_by:
            carried = _as_dict(_as_dict(found.get(RECORDS_KEY)).get(kind))
            for row_id, recorded in carried.items():
                saw(_row_id(row_id), seq, event_type, recorded)
            continue
        saw(_row_id(object_id), seq, event_type, found.get(RECORD_KEY))
    return written


def check_records(
    session: Session, kinds: Iterable[str] = tuple(BOUND), ids: Iterable[int] | None = None
) -> RecordCheck:
    """Compare each record (of ``kinds``; of ``ids`` only, given them) with the digest its
    latest event recorded. Named: a row no event wrote (at or above the binding's first
    id), a row that differs from its latest event, a row created twice (a second
    ``evidence.add`` for an existing item is how someone covers a swapped row with an
    event of their own), and an event after the start of signing without its digest."""
    checked = before = 0
    problems: list[tuple[int, str]] = []
    wanted = list(ids) if ids is not None else None
    binding = _binding(session)
    for kind in kinds:
        bound = BOUND[kind]
        written = _writing_events(session, kind, wanted)
        table = bound.model.__table__
        stmt = select(table.c.id, *(table.c[c] for c in bound.columns + bound.optional)).order_by(
            table.c.id
        )
        if wanted is not None:
            stmt = stmt.where(table.c.id.in_(wanted))
        for row in session.execute(stmt).mappings():
            what = f"{bound.what} {row['id']}"
            entry = written.get(row["id"])
            if entry is None:
                if row["id"] < binding.first_ids.get(kind, 0):
                    before += 1
                else:
                    problems.append(
                        (0, f"{what} has no event that recorded it: it was written outside IA Desk")
                    )
                continue
            if len(entry.created_by) > 1:
                seqs = ", ".join(str(n) for n in entry.created_by)
                problems.append(
                    (
                        entry.created_by[1],
                        f"{what} is recorded as created more than once (events {seqs}): IA "
                        "Desk creates a row once, so the later event covers a change made "
                        "outside it",
                    )
                )
            if entry.recorded is None:
                if entry.seq > binding.seq_of(kind) > 0:
                    problems.append(
                        (
                            entry.seq,
                            f"{what}: its {entry.event_type} event (event {entry.seq}) comes "
                            "after the start of signing without the digest of what it wrote",
                        )
                    )
                else:
                    before += 1
                continue
            checked += 1
            if entry.recorded != digest_of(kind, row["id"], dict(row)):
                problems.append(
                    (
                        entry.seq,
                        f"{what} is not what its {entry.event_type} event "
                        f"(event {entry.seq}) recorded: it was changed outside IA Desk",
                    )
                )
    return RecordCheck(checked, before, tuple(problems))
