"""The case list: filters, search, sort order, pages, and the flags of each row.

Supervisors get only the cases they submitted (their status); readers outside IA search
only what they may read (:mod:`ia_desk.cases.search`). A page is not audited (a list, not
a read of a case); opening a case is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, false, func, literal_column, or_, select, text
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from ia_desk import validation
from ia_desk.cases.queries import local_time, today
from ia_desk.cases.review import REVIEW_STEPS, STEP_PERMISSION, chain
from ia_desk.cases.search import count_text_matches, filter_by_text
from ia_desk.db.models import (
    CASE_STATUSES,
    REPORTER_UPDATE_EVENT,
    Allegation,
    AuditEvent,
    Case,
    CaseReview,
    CaseSubject,
    CaseTask,
    Clause,
    Employee,
    Reporter,
    RetaliationReview,
    User,
    utcnow,
)
from ia_desk.discipline.immediate import states as immediate_states
from ia_desk.discipline.matrix import current, is_immediate
from ia_desk.errors import InputError
from ia_desk.protection.retaliation import cases_needing_review
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, require, sees_identities
from ia_desk.settings import get_settings


class CaseFacts(NamedTuple):
    """What the flags of a case are computed from (read as plain rows for a page; a
    tuple, since a page makes hundreds of them)."""

    id: int
    number: str
    status: str
    received_at: dt.datetime
    deadline_on: dt.date
    tolled_since: dt.date | None
    clause_ids: tuple[str, ...]

    @classmethod
    def of(cls, case: Case) -> CaseFacts:
        return cls(
            case.id,
            case.number,
            case.status,
            case.received_at,
            case.deadline_on,
            case.tolled_since,
            tuple(a.clause.clause_id for a in case.allegations),
        )


def flags_for(
    session: Session, cases: Sequence[Case | CaseFacts], *, tasks: bool = False
) -> dict[int, list[str]]:
    """The short flags of each case, computed together for a page of cases.

    ``overdue`` (past the deadline, not tolled, not closed), ``tolled``,
    ``immediate_action`` (the Chief must act at once, 3.21 §V.B: a clause cited calls
    for it or IA raised it on the facts), ``immediate_action_overdue`` (open, and
    nothing done within the hours the department set),
    ``retaliation_review`` (a good-faith reporter is a subject), followed by
    ``retaliation_reviewed`` once an IA administrator has recorded the review (the case
    is no longer held: a window says so instead of the hold), ``reporter_update_due``
    (open for the update period without a recorded reporter update), and with ``tasks``
    (for a reader of IA's tasks only: IA) ``task_overdue`` (a task on the case not done
    and due before today, :mod:`ia_desk.cases.notes`).
    """
    if not cases:
        return {}
    facts = [c if isinstance(c, CaseFacts) else CaseFacts.of(c) for c in cases]
    on = today()
    matrix = current(session)
    settings = get_settings(
        session, ("reporter_update_days", "retaliation_window_months", "immediate_action_hours")
    )
    update_days = int(settings["reporter_update_days"])
    under_review = cases_needing_review(
        session, [c.id for c in facts], int(settings["retaliation_window_months"])
    )
    reviewed: set[int] = set()
    if under_review:
        reviewed = set(
            session.scalars(
                select(RetaliationReview.case_id).where(
                    RetaliationReview.case_id.in_(sorted(under_review))
                )
            )
        )
    immediate = immediate_states(session, [c.id for c in facts])
    action_hours = dt.timedelta(hours=int(settings["immediate_action_hours"]))
    now = utcnow()
    updated = set(
        session.connection()
        .execute(_REPORTER_UPDATED, {"numbers": [c.number for c in facts]})
        .scalars()
    )
    late_tasks: set[int] = set()
    if tasks:
        late_tasks = set(
            session.connection()
            .execute(_TASK_OVERDUE, {"ids": [c.id for c in facts], "today": on})
            .scalars()
        )
    out: dict[int, list[str]] = {}
    for c in facts:
        flags = []
        open_ = c.status != "closed"
        if open_ and c.tolled_since is None and c.deadline_on < on:
            flags.append("overdue")
        if c.tolled_since is not None and open_:
            flags.append("tolled")
        if c.id in immediate or any(is_immediate(matrix, cid) for cid in c.clause_ids):
            flags.append("immediate_action")
            # Raised at its record (or, cited before records, at the case's receipt);
            # overdue while nothing is done within the hours the department set.
            raised_at, acted = immediate.get(c.id, (c.received_at, False))
            if open_ and not acted and raised_at + action_hours < now:
                flags.append("immediate_action_overdue")
        if c.id in under_review:
            flags.append("retaliation_review")
            if c.id in reviewed:
                flags.append("retaliation_reviewed")
        if open_ and c.number not in updated and (on - c.received_at.date()).days >= update_days:
            flags.append("reporter_update_due")
        if c.id in late_tasks:
            flags.append("task_overdue")
        out[c.id] = flags
    return out


# The page's cases with a recorded reporter update, through the partial index of those
# events alone (``ix_audit_event_reporter_update``): its condition is written here as
# the index states it, literally, since SQLite uses a partial index only for a query
# whose WHERE contains its condition (a bound value would not do), and the lookup then
# stays small however the rest of the trail is spread (issue 24).
_REPORTER_UPDATED = select(AuditEvent.case_number).where(
    text(REPORTER_UPDATE_EVENT),
    AuditEvent.case_number.in_(bindparam("numbers", expanding=True)),
)


# The page's cases with a task not done and due before today (through the case index of
# the tasks: a page's cases hold a few tasks each).
_TASK_OVERDUE = (
    select(CaseTask.case_id)
    .where(
        CaseTask.case_id.in_(bindparam("ids", expanding=True)),
        CaseTask.done_at.is_(None),
        CaseTask.due_on < bindparam("today"),
    )
    .distinct()
)


def case_flags(session: Session, case: Case, *, tasks: bool = False) -> list[str]:
    """The flags of one case (``tasks``: with ``task_overdue``, for IA readers)."""
    return flags_for(session, [case], tasks=tasks)[case.id]


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    status: str
    received_at: dt.datetime
    deadline_on: dt.date
    subjects: str
    clauses: str
    flags: list[str]
    assigned_to: str | None = None
    # The kind of reporter (named, confidential, anonymous: never who) and the findings
    # of the allegations (None: not yet found), for readers of the case (not a
    # supervisor's status-only row).
    reporter_mode: str | None = None
    dispositions: tuple[str | None, ...] = ()
    tolled: bool = False

    def days_left(self, on: dt.date | None = None) -> int | None:
        """Days to the deadline (negative: past it); None when closed or paused."""
        if self.status == "closed" or self.tolled:
            return None
        return (self.deadline_on - (on or today())).days

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.number,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "deadline": self.deadline_on.isoformat(),
            "days_left": self.days_left(),
            "assigned_to": self.assigned_to,
            "reporter": self.reporter_mode,
            "subjects": self.subjects,
            "clauses": self.clauses,
            "dispositions": list(self.dispositions),
            "flags": self.flags,
        }


SORT_KEYS = (
    "number",
    "received",
    "status",
    "subjects",
    "clauses",
    "deadline",
    "flags",
    "days_left",
    "assignee",
    "reporter",
    "disposition",
)


@dataclass(frozen=True)
class CaseQuery:
    """What the case list shows: filters, search words and the sort order."""

    status: str | None = None
    clause: str | None = None
    employee: str | None = None  # badge
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    mine: bool = False
    search: str | None = None
    sort: str = "received"
    descending: bool = True
    overdue_only: bool = False
    assigned_to_me: bool = False  # assigned to the actor (not those they submitted)
    open_only: bool = False  # not closed
    work: str | None = None  # one of WORK_LISTS: a count of the home screen


def _filtered(session: Session, actor: Actor, q: CaseQuery) -> Select[Any]:
    if q.status is not None and q.status not in CASE_STATUSES:
        raise InputError(f"status: must be one of {', '.join(CASE_STATUSES)}.", field="status")
    if q.sort not in SORT_KEYS:
        raise InputError(f"sort: must be one of {', '.join(SORT_KEYS)}.", field="sort")
    if q.work is not None:
        return _work_list(session, actor, q)
    stmt = select(Case.id)
    if not allowed(actor, "case.read"):
        require(actor, "case.read_own_status", "case.list")
        stmt = stmt.where(Case.created_by_id == actor.user_id)
    if q.status:
        stmt = stmt.where(Case.status == q.status)
    if q.mine:
        stmt = stmt.where(
            or_(Case.assigned_to_id == actor.user_id, Case.created_by_id == actor.user_id)
        )
    if q.assigned_to_me:
        stmt = stmt.where(Case.assigned_to_id == actor.user_id)
    if q.open_only:
        stmt = stmt.where(Case.status != "closed")
    if q.clause and allowed(actor, "case.read"):
        _known_clause(session, q.clause.strip())
    if q.employee and allowed(actor, "case.read"):
        _known_badge(session, q.employee)
    if q.clause:
        stmt = stmt.where(
            Case.id.in_(
                select(Allegation.case_id).join(Clause).where(Clause.clause_id == q.clause.strip())
            )
        )
    if q.employee:
        stmt = stmt.where(
            Case.id.in_(
                select(CaseSubject.case_id)
                .join(Employee)
                .where(Employee.badge == validation.identifier(q.employee, "employee", max_len=20))
            )
        )
    if q.received_from:
        stmt = stmt.where(Case.received_at >= dt.datetime.combine(q.received_from, dt.time()))
    if q.received_to:
        stmt = stmt.where(
            Case.received_at < dt.datetime.combine(q.received_to + dt.timedelta(days=1), dt.time())
        )
    if q.overdue_only:
        stmt = stmt.where(
            Case.status != "closed", Case.deadline_on < today(), Case.tolled_since.is_(None)
        )
    if q.search and q.search.strip():
        stmt = filter_by_text(session, stmt, q.search, public=not sees_identities(actor))
    return stmt


def _known_clause(session: Session, clause_id: str) -> None:
    """A clause filter names a clause of the catalogue (else the list would be silently
    empty: a typing slip read as "no case cites it")."""
    if session.scalar(select(Clause.id).where(Clause.clause_id == clause_id).limit(1)) is None:
        raise InputError(
            f"There is no clause {clause_id} in the catalogue; pick one from the Policies "
            "screen (e.g. vpd-3.21/III.D).",
            field="clause",
        )


def _known_badge(session: Session, badge: str) -> None:
    """A badge filter names an employee on the roster (readers of cases only)."""
    badge = validation.identifier(badge, "employee", max_len=20) or ""
    if session.scalar(select(Employee.id).where(Employee.badge == badge).limit(1)) is None:
        raise InputError(f"No employee with badge {badge} is on the roster.", field="employee")


def _sort_column(key: str) -> Any:
    if key == "number":
        return Case.number
    if key == "status":  # the workflow's order (received first), not the alphabet's
        return sql_case(
            {name: i for i, name in enumerate(CASE_STATUSES)},
            value=Case.status,
            else_=len(CASE_STATUSES),
        )
    if key in ("deadline", "days_left"):  # (a paused deadline sorts by its date)
        return Case.deadline_on
    if key == "subjects":
        return (
            select(func.min(Employee.name))
            .join(CaseSubject)
            .where(CaseSubject.case_id == Case.id)
            .scalar_subquery()
        )
    if key == "clauses":
        return (
            select(func.min(Clause.clause_id))
            .join(Allegation)
            .where(Allegation.case_id == Case.id)
            .scalar_subquery()
        )
    if key == "assignee":
        return select(User.login).where(User.id == Case.assigned_to_id).scalar_subquery()
    if key == "reporter":
        return select(Reporter.mode).where(Reporter.case_id == Case.id).scalar_subquery()
    if key == "disposition":
        return (
            select(func.min(Allegation.disposition))
            .where(Allegation.case_id == Case.id)
            .scalar_subquery()
        )
    if key == "flags":
        return sql_case((and_(Case.status != "closed", Case.deadline_on < today()), 1), else_=0)
    return Case.received_at


def count_matching(session: Session, actor: Actor, q: CaseQuery) -> int:
    if _search_only(actor, q):
        assert q.search is not None
        direct = count_text_matches(session, q.search, public=not sees_identities(actor))
        if direct is not None:
            return direct
    sub = _filtered(session, actor, q).subquery()
    return session.scalar(select(func.count()).select_from(sub)) or 0


def _search_only(actor: Actor, q: CaseQuery) -> bool:
    """Words and nothing else, by someone who may see every case: the search index alone
    answers how many."""
    narrowed = (
        q.status,
        q.mine,
        q.clause,
        q.employee,
        q.received_from,
        q.received_to,
        q.overdue_only,
        q.assigned_to_me,
        q.open_only,
        q.work,
    )
    return bool(q.search and q.search.strip()) and not any(narrowed) and allowed(actor, "case.read")


def case_page(
    session: Session, actor: Actor, q: CaseQuery, offset: int = 0, limit: int | None = 200
) -> list[CaseRow]:
    """One page of the case list, in the query's order. Not audited (a list, not a read
    of a case); opening a case is."""
    col = _sort_column(q.sort)
    order = [
        col.desc() if q.descending else col.asc(),
        Case.id.desc() if q.descending else Case.id.asc(),
    ]
    # The page's cases with their own columns in one statement, then the subjects and
    # clauses of all of them in one more (built once, the ids bound as a list).
    page_stmt = (
        _filtered(session, actor, q)
        .add_columns(
            Case.number,
            Case.status,
            Case.received_at,
            Case.received_offset_min,
            Case.deadline_on,
            Case.tolled_since,
            select(User.login)
            .where(User.id == Case.assigned_to_id)
            .scalar_subquery()
            .label("assignee"),
            select(Reporter.mode)
            .where(Reporter.case_id == Case.id)
            .scalar_subquery()
            .label("reporter_mode"),
        )
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        page_stmt = page_stmt.limit(limit)
    # All rows in one fetch (iterating a result fetches one row per call), as plain tuples
    # unpacked by position (looking columns up by name on 200 rows cost more than
    # building the page).
    page = session.connection().execute(page_stmt).all()
    if not page:
        return []
    ids = [r[0] for r in page]
    subjects: dict[int, list[str]] = {}
    clauses: dict[int, list[str]] = {}
    for kind, case_id, value, _seq in (
        session.connection().execute(_SUBJECTS_AND_CLAUSES, {"ids": ids}).all()
    ):
        (subjects if kind == 0 else clauses).setdefault(case_id, []).append(value)
    see_detail = allowed(actor, "case.read")
    flags = flags_for(
        session,
        [
            CaseFacts(cid, number, status, received, deadline, tolled, tuple(clauses.get(cid, ())))
            for cid, number, status, received, _offset, deadline, tolled, _who, _mode in page
        ],
        tasks=allowed(actor, "task.read"),
    )
    found: dict[int, list[str | None]] = {}
    if see_detail:
        for case_id, disposition in session.connection().execute(_DISPOSITIONS, {"ids": ids}):
            found.setdefault(case_id, []).append(disposition)
    rows = []
    for cid, number, status, received, offset_min, deadline, tolled, assignee, mode in page:
        rows.append(
            CaseRow(
                id=cid,
                number=number,
                status=status,
                received_at=local_time(received, offset_min),
                deadline_on=deadline,
                subjects=", ".join(subjects.get(cid, [])) if see_detail else "",
                clauses=", ".join(dict.fromkeys(clauses.get(cid, []))) if see_detail else "",
                flags=flags[cid] if see_detail else [f for f in flags[cid] if f == "overdue"],
                assigned_to=assignee if see_detail else None,
                reporter_mode=mode if see_detail else None,
                dispositions=tuple(found.get(cid, ())),
                tolled=tolled is not None,
            )
        )
    return rows


_SUBJECTS_AND_CLAUSES: Any = (
    select(
        literal_column("0").label("kind"),
        CaseSubject.case_id,
        Employee.name.label("value"),
        CaseSubject.id.label("seq"),
    )
    .join(Employee, Employee.id == CaseSubject.employee_id)
    .where(CaseSubject.case_id.in_(bindparam("ids", expanding=True)))
    .union_all(
        select(literal_column("1"), Allegation.case_id, Clause.clause_id, Allegation.id)
        .join(Clause, Clause.id == Allegation.clause_pk)
        .where(Allegation.case_id.in_(bindparam("ids", expanding=True)))
    )
    .order_by("kind", "seq")
)


_DISPOSITIONS: Any = (
    select(Allegation.case_id, Allegation.disposition)
    .where(Allegation.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(Allegation.id)
)


def list_cases(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseRow]:
    """Cases newest first. Supervisors get only their own submissions."""
    return case_page(session, actor, CaseQuery(status=status, search=search), offset, limit)


# -- the work lists of the home screen ------------------------------------------------------

WORK_LISTS = (
    "overdue",
    "due_soon",
    "reporter_update_due",
    "immediate_action",
    "immediate_action_overdue",
    "awaiting_chief",
    "retaliation_hold",
    "my_tasks_due",
    "tasks_overdue",
    "awaiting_my_review",
    "returned_to_me",
)
"""The lists a count of the home screen opens: each is of open cases only (work to do).

``overdue`` past the deadline, not paused; ``due_soon`` due within :data:`DUE_SOON_DAYS`
(today included), not paused; ``reporter_update_due``, ``immediate_action`` and
``immediate_action_overdue`` the cases with that flag (:func:`flags_for`);
``awaiting_chief`` immediate action raised and nothing yet done; ``retaliation_hold``
held for a retaliation review not yet recorded; ``my_tasks_due`` with a task for the
reader not done and due within :data:`DUE_SOON_DAYS` (or overdue), ``tasks_overdue``
with anyone's task not done and due before today (IA only: the tasks are IA's);
``awaiting_my_review`` whose findings wait for the reader's step of the review chain
(the IA commander's, the Chief's: ia_desk.cases.review); ``returned_to_me`` assigned to
the reader and under investigation again because a reviewer returned its findings."""

DUE_SOON_DAYS = 7
# What a reader who sees a case's status only (a supervisor) may list: the deadline is
# theirs to see, the other flags are IA's and command staff's.
STATUS_ONLY_WORK = ("overdue", "due_soon")
# The lists made of IA's tasks (ia_desk.cases.notes): for readers of the tasks only.
TASK_WORK = ("my_tasks_due", "tasks_overdue")


def _work_list(session: Session, actor: Actor, q: CaseQuery) -> Select[Any]:
    """The open cases of the work list ``q.work``, within the rest of the query's filters
    (a count of the home screen and the list it opens are this one statement). Lists
    made of flags are found by computing the flags of the open cases the rest of the
    query lists, with :func:`flags_for` itself, so the list holds exactly the rows that
    show the flag."""
    if q.work not in WORK_LISTS:
        raise InputError(
            f"There is no list called {q.work!r}; the lists are: {', '.join(WORK_LISTS)}.",
            field="work",
        )
    if q.work in TASK_WORK and not allowed(actor, "task.read"):
        raise InputError(
            "That list is made of IA's tasks on the cases; your role does not see them.",
            field="work",
        )
    if q.work not in STATUS_ONLY_WORK and not allowed(actor, "case.read"):
        raise InputError(
            "That list is made of what IA and command staff see of a case; your role sees "
            "a case's status and deadline only.",
            field="work",
        )
    base = _filtered(session, actor, replace(q, work=None)).where(Case.status != "closed")
    on = today()
    if q.work == "overdue":
        return base.where(Case.deadline_on < on, Case.tolled_since.is_(None))
    if q.work == "due_soon":
        return base.where(
            Case.deadline_on >= on,
            Case.deadline_on < on + dt.timedelta(days=DUE_SOON_DAYS),
            Case.tolled_since.is_(None),
        )
    if q.work == "my_tasks_due":
        return base.where(
            Case.id.in_(
                select(CaseTask.case_id).where(
                    CaseTask.assignee_id == actor.user_id,
                    CaseTask.done_at.is_(None),
                    CaseTask.due_on < on + dt.timedelta(days=DUE_SOON_DAYS),
                )
            )
        )
    if q.work == "awaiting_my_review":
        return base.where(_awaiting_review_of(session, actor))
    if q.work == "returned_to_me":
        return base.where(
            Case.assigned_to_id == actor.user_id,
            Case.status == "investigating",
            select(CaseReview.id)
            .where(
                CaseReview.case_id == Case.id,
                CaseReview.round == Case.review_round - 1,
                CaseReview.decision == "returned",
            )
            .exists(),
        )
    if q.work == "tasks_overdue":
        return base.where(
            Case.id.in_(
                select(CaseTask.case_id).where(CaseTask.done_at.is_(None), CaseTask.due_on < on)
            )
        )
    open_flags = _open_flags(session, actor, replace(q, work=None), base)
    ids = [
        case_id for case_id, (flags, acted) in open_flags.items() if _in_work(q.work, flags, acted)
    ]
    # The ids are whole numbers the database gave: written into the statement, so a long
    # list meets no limit on the number of parameters.
    return select(Case.id).where(
        Case.id.in_(bindparam("work_ids", sorted(ids), expanding=True, literal_execute=True))
    )


def _awaiting_review_of(session: Session, actor: Actor) -> Any:
    """The condition of a case whose findings wait for a step of the review chain that
    ``actor``'s role signs: every step before it signed off in the case's current round,
    that step not (ia_desk.cases.review.pending_step, as SQL)."""

    def signed(step: str) -> Any:
        return (
            select(CaseReview.id)
            .where(
                CaseReview.case_id == Case.id,
                CaseReview.round == Case.review_round,
                CaseReview.step == step,
                CaseReview.decision == "signed_off",
            )
            .exists()
        )

    # The steps each case's round needs were fixed when its findings were recorded
    # complete (ia_desk.cases.review.chain); findings from before the chain take the
    # setting.
    needed = func.coalesce(Case.review_steps, len(chain(session)))
    every = tuple(REVIEW_STEPS)
    waiting = [
        and_(needed > k, *[signed(before) for before in every[:k]], ~signed(step))
        for k, step in enumerate(every)
        if allowed(actor, STEP_PERMISSION[step])
    ]
    return and_(Case.status == "findings", or_(*waiting)) if waiting else false()


def _in_work(work: str, flags: list[str], acted: bool) -> bool:
    if work == "awaiting_chief":
        return "immediate_action" in flags and not acted
    if work == "retaliation_hold":
        return "retaliation_review" in flags and "retaliation_reviewed" not in flags
    return work in flags


WORK_CACHE = "ia_desk.work_lists"
"""The key of ``session.info`` under which :func:`ia_desk.casefile.home.home_counts`
keeps the flags of the open cases while it counts them all (one snapshot: the flags of
each set of filters are computed once, not once per count)."""

# Flags computed per call of flags_for: few calls (each reads the reporters under
# protection whole), few enough ids per statement for either database's parameter limit.
_FLAG_CHUNK = 5_000


def _open_flags(
    session: Session, actor: Actor, q: CaseQuery, base: Select[Any]
) -> dict[int, tuple[list[str], bool]]:
    """The flags of each open case ``base`` lists, with whether anything was done on its
    immediate action (kept under :data:`WORK_CACHE` when the caller asked for it)."""
    cache: dict[Any, dict[int, tuple[list[str], bool]]] | None = session.info.get(WORK_CACHE)
    key = (actor.user_id, actor.role, replace(q, sort="received", descending=True))
    if cache is not None and key in cache:
        return cache[key]
    candidates = base.subquery()
    rows = session.execute(
        select(
            Case.id,
            Case.number,
            Case.status,
            Case.received_at,
            Case.deadline_on,
            Case.tolled_since,
        ).where(Case.id.in_(select(candidates.c.id)))
    ).all()
    cited: dict[int, list[str]] = {}
    for case_id, clause_id in session.execute(
        select(Allegation.case_id, Clause.clause_id)
        .join(Clause, Clause.id == Allegation.clause_pk)
        .where(Allegation.case_id.in_(select(candidates.c.id)))
        .order_by(Allegation.id)
    ):
        cited.setdefault(case_id, []).append(clause_id)
    facts = [CaseFacts(*r, tuple(cited.get(r[0], ()))) for r in rows]
    out: dict[int, tuple[list[str], bool]] = {}
    for start in range(0, len(facts), _FLAG_CHUNK):
        chunk = facts[start : start + _FLAG_CHUNK]
        flags = flags_for(session, chunk)
        acted = immediate_states(session, [c.id for c in chunk])
        for c in chunk:
            out[c.id] = (flags[c.id], acted.get(c.id, (c.received_at, False))[1])
    if cache is not None:
        cache[key] = out
    return out
