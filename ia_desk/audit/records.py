"""Records bound to the trail: each event that writes evidence, a finding or a
discipline decision carries the SHA-256 of the row as it wrote it.

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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ia_desk.audit.signatures import SIGNING_BEGINS
from ia_desk.db.models import Allegation, AuditEvent, DisciplineAction, Evidence

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
        ),
    )
}


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
    body = {
        "kind": kind,
        "id": int(row_id),
        "values": {c: _plain(values[c]) for c in bound.columns},
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def digest(kind: str, row: Any) -> str:
    """:func:`digest_of` for an ORM object (flushed, so it has its id)."""
    return digest_of(kind, row.id, {c: getattr(row, c) for c in BOUND[kind].columns})


def next_ids(session: Session) -> dict[str, int]:
    """{kind: the id its next row will have at least} (for :data:`BOUND_FROM_KEY`)."""
    out = {}
    for kind, bound in BOUND.items():
        table = bound.model.__table__
        out[kind] = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
    return out


def _bound_from(session: Session) -> dict[str, int]:
    t = AuditEvent.__table__
    details = session.scalar(
        select(t.c.details).where(t.c.event_type == SIGNING_BEGINS).order_by(t.c.seq).limit(1)
    )
    try:
        found = json.loads(details or "{}").get(BOUND_FROM_KEY, {})
    except (ValueError, AttributeError):
        found = {}
    return {k: int(v) for k, v in found.items() if isinstance(v, int)}


@dataclass(frozen=True)
class RecordCheck:
    """What comparing the records with their events found."""

    checked: int  # rows compared with a digest
    before_binding: int  # rows whose events predate the binding
    problems: tuple[tuple[int, str], ...]  # (event seq, or 0 for none; what is wrong)


def _latest_events(
    session: Session, kind: str, ids: list[int] | None
) -> dict[int, tuple[int, str, str | None]]:
    """{row id: (seq, event type, recorded digest or None)} of each row's latest writing
    event."""
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
    latest: dict[int, tuple[int, str, str | None]] = {}
    for seq, object_id, event_type, details in session.execute(stmt):
        try:
            found = json.loads(details or "{}")
        except ValueError:
            found = {}
        if not isinstance(found, dict):
            found = {}
        if event_type in bound.carried_by:
            carried = found.get(RECORDS_KEY, {})
            for row_id, recorded in (
                carried.get(kind, {}) if isinstance(carried, dict) else {}
            ).items():
                if str(row_id).isdigit():
                    latest[int(row_id)] = (seq, event_type, recorded)
            continue
        try:
            latest[int(object_id)] = (seq, event_type, found.get(RECORD_KEY))
        except (TypeError, ValueError):
            continue  # an event naming no row is the chain's business, not this check's
    return latest


def check_records(
    session: Session, kinds: Iterable[str] = tuple(BOUND), ids: Iterable[int] | None = None
) -> RecordCheck:
    """Compare each record (of ``kinds``; of ``ids`` only, given them) with the digest its
    latest event recorded."""
    checked = before = 0
    problems: list[tuple[int, str]] = []
    wanted = list(ids) if ids is not None else None
    bound_from = _bound_from(session)
    for kind in kinds:
        bound = BOUND[kind]
        latest = _latest_events(session, kind, wanted)
        table = bound.model.__table__
        stmt = select(table.c.id, *(table.c[c] for c in bound.columns)).order_by(table.c.id)
        if wanted is not None:
            stmt = stmt.where(table.c.id.in_(wanted))
        for row in session.execute(stmt).mappings():
            event = latest.get(row["id"])
            if event is None and row["id"] < bound_from.get(kind, 0):
                before += 1
                continue
            if event is None:
                problems.append(
                    (
                        0,
                        f"{bound.what} {row['id']} has no event that recorded it: it was "
                        "written outside IA Desk",
                    )
                )
                continue
            seq, event_type, recorded = event
            if recorded is None:
                before += 1
                continue
            checked += 1
            if recorded != digest_of(kind, row["id"], dict(row)):
                problems.append(
                    (
                        seq,
                        f"{bound.what} {row['id']} is not what its {event_type} event "
                        f"(event {seq}) recorded: it was changed outside IA Desk",
                    )
                )
    return RecordCheck(checked, before, tuple(problems))
