"""Appending to and verifying the audit trail.

Each event is appended inside the transaction of the change it records, so the
change and its audit row commit together or not at all. Each row carries the
previous row's MAC and its own HMAC-SHA256 over a canonical form (fixed field order,
compact JSON), with a key that lives in the OS keyring, not in the database.

Rule for callers: never put a secret or an anonymous reporter's identity in
``details``; the audit trail is read by administrators and exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ia_desk import validation
from ia_desk.db.models import AuditEvent, AuditHead, table_of, utcnow
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor
from ia_desk.security.roles import require

GENESIS = "0" * 64
_CASE_NUMBER = re.compile(r"^IA-\d{4}-\d{4,6}$")


def case_number_or_none(value: object) -> str | None:
    """A case number as the trail files it, or None for anything that is not one (a
    refused command's argument may be any text; the column holds real numbers only)."""
    if not isinstance(value, str):
        return None
    number = value.strip().upper()
    return number if _CASE_NUMBER.match(number) else None


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(
        details or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def canonical_form(
    seq: int,
    at: dt.datetime,
    user_login: str | None,
    workstation: str,
    event_type: str,
    object_type: str | None,
    object_id: str | None,
    case_number: str | None,
    outcome: str,
    details: str,
    prev_mac: str,
) -> bytes:
    fields = [
        seq,
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        user_login,
        workstation,
        event_type,
        object_type,
        object_id,
        case_number,
        outcome,
        details,
        prev_mac,
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def audit_key(session: Session) -> bytes:
    """The session's audit key (waiting for it if it is still being derived)."""
    key = session.info["audit_key"]
    if isinstance(key, Future):
        key = session.info["audit_key"] = key.result()
    return cast(bytes, key)


def append(
    session: Session,
    actor: Actor | None,
    event_type: str,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    case_number: str | None = None,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
    login: str | None = None,
) -> None:
    """Append one event in the session's transaction.

    ``login`` names the user for events without an authenticated actor (a failed
    sign-in); system events (schema upgrade) have neither and are recorded as
    ``system``.
    """
    key = audit_key(session)
    # What the event records reaches the database first; the event itself goes in as
    # plain statements on the session's connection (no unit of work: every audited
    # operation pays for this, reads included).
    session.flush()
    conn = session.connection()
    head = conn.execute(_LOCK_HEAD).one_or_none()
    if head is None:
        conn.execute(_NEW_HEAD, {"id": 1, "seq": 0, "mac": GENESIS})
        seq, prev_mac = 1, GENESIS
    else:
        seq, prev_mac = head.seq + 1, head.mac
    row = {
        "seq": seq,
        "at": utcnow(),
        "user_login": actor.login if actor else (login or "system"),
        "workstation": session.info.get("workstation", "unknown"),
        "event_type": event_type,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id)[:80],
        "case_number": case_number,
        "outcome": outcome,
        "details": canonical_details(details),
        "prev_mac": prev_mac,
    }
    row["mac"] = hmac.new(key, canonical_form(**row), hashlib.sha256).hexdigest()
    conn.execute(_INSERT_EVENT, row)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_mac": row["mac"]})
    cached = session.identity_map.get(identity_key(AuditHead, 1))
    if cached is not None:
        session.expire(cached)  # a head read earlier in this session is stale now
    session.info["audited"] = True


_HEAD_T = table_of(AuditHead)
_LOCK_HEAD = select(_HEAD_T.c.seq, _HEAD_T.c.mac).where(_HEAD_T.c.id == 1).with_for_update()
_NEW_HEAD = insert(_HEAD_T)
_INSERT_EVENT = insert(table_of(AuditEvent))
_MOVE_HEAD = (
    update(_HEAD_T)
    .where(_HEAD_T.c.id == 1)
    .values(seq=bindparam("new_seq"), mac=bindparam("new_mac"))
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_mac: str
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def checkpoint(self) -> str:
        return f"{self.head_seq}:{self.head_mac}"


# The columns a verifier reads, in the order canonical_form() takes them, then the MAC.
CHAIN_COLUMNS = (
    "seq",
    "at",
    "user_login",
    "workstation",
    "event_type",
    "object_type",
    "object_id",
    "case_number",
    "outcome",
    "details",
    "prev_mac",
    "mac",
)


def verify_rows(
    rows: Iterable[Sequence[Any]],
    key: bytes,
    *,
    head: tuple[int, str] | None = None,
    checkpoint: tuple[int, str] | None = None,
) -> VerifyResult:
    """Walk the chain in sequence order; report the first row that does not fit.

    ``rows`` are tuples of :data:`CHAIN_COLUMNS` (unpacked, not looked up by name:
    a trail of millions of events verifies at close to the speed of the HMAC).
    """
    expected_seq = 1
    prev = GENESIS
    checked = 0
    seen_checkpoint = checkpoint is None
    for seq, at, user, station, event, otype, oid, number, outcome, details, prev_mac_, mac in rows:
        if seq != expected_seq:
            bad = min(seq, expected_seq)
            return VerifyResult(
                False,
                checked,
                expected_seq - 1,
                prev,
                bad,
                f"sequence jumps from {expected_seq - 1} to {seq}: rows were deleted or reordered",
            )
        if prev_mac_ != prev:
            return VerifyResult(
                False,
                checked,
                seq - 1,
                prev,
                seq,
                f"row {seq} does not link to row {seq - 1}",
            )
        msg = canonical_form(
            seq, at, user, station, event, otype, oid, number, outcome, details, prev_mac_
        )
        if not hmac.compare_digest(hmac.new(key, msg, hashlib.sha256).hexdigest(), mac):
            return VerifyResult(
                False,
                checked,
                seq - 1,
                prev,
                seq,
                f"row {seq} was altered (its MAC does not match)",
            )
        if checkpoint is not None and seq == checkpoint[0]:
            if mac != checkpoint[1]:
                return VerifyResult(
                    False,
                    checked,
                    seq,
                    mac,
                    seq,
                    f"row {seq} differs from the checkpoint",
                )
            seen_checkpoint = True
        prev = mac
        expected_seq += 1
        checked += 1
    last = expected_seq - 1
    if checkpoint is not None and not seen_checkpoint:
        return VerifyResult(
            False,
            checked,
            last,
            prev,
            last + 1,
            f"the trail ends at {last}, before checkpoint {checkpoint[0]}: rows were cut off",
        )
    if head is not None and (head[0] != last or head[1] != prev):
        return VerifyResult(
            False,
            checked,
            last,
            prev,
            last + 1 if head[0] > last else head[0],
            f"the trail ends at {last} but its head records {head[0]}: "
            "rows were cut off or the head was altered",
        )
    return VerifyResult(True, checked, last, prev)


def verify(session: Session, checkpoint: tuple[int, str] | None = None) -> VerifyResult:
    """Verify the whole trail of the session's database (streamed, constant memory)."""
    key = audit_key(session)
    head_row = session.get(AuditHead, 1)
    head = (head_row.seq, head_row.mac) if head_row else (0, GENESIS)
    # Plain rows, not ORM objects: a trail of millions of events verifies at close to the
    # speed of the HMAC itself.
    table = table_of(AuditEvent)
    # (Options on the statement: Connection.execution_options() would change the
    # session's connection for every later statement, inserts included.)
    rows = session.connection().execute(
        select(*(table.c[name] for name in CHAIN_COLUMNS))
        .order_by(table.c.seq)
        .execution_options(stream_results=True, yield_per=5000)
    )
    return verify_rows(rows, key, head=head, checkpoint=checkpoint)


LIST_MAX = 100_000  # events one listing shows; the CSV export takes every match


def parse_checkpoint(value: str) -> tuple[int, str]:

    try:
        seq_s, mac = value.split(":", 1)
        seq = int(seq_s)
    except ValueError:
        raise InputError(
            "A checkpoint is SEQ:HASH, as printed by 'ia-desk audit checkpoint'.",
            field="checkpoint",
        ) from None
    if seq < 0 or len(mac) != 64 or any(c not in "0123456789abcdef" for c in mac):
        raise InputError(
            "A checkpoint is SEQ:HASH with a 64-character lowercase hex hash.", field="checkpoint"
        )
    return seq, mac


def list_events(
    session: Session,
    actor: Actor,
    *,
    user: str | None = None,
    case: str | None = None,
    event: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The audit trail, newest first, filtered (IA administrators).

    ``since``/``until`` must lie in the years ``validation`` allows and ``limit`` from 1 to
    LIST_MAX (None: every matching event, for the export); out of range is an InputError
    naming the filter, before the database is asked.
    """

    require(actor, "audit.read", "audit.list")
    if since is not None:
        validation.bounded_date(since, "from")
    if until is not None:
        validation.bounded_date(until, "to")
    if limit is not None:
        limit = validation.limit(limit, "limit", maximum=LIST_MAX)
    offset = validation.limit(offset, "offset", minimum=0, maximum=validation.MAX_ID)
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if user:
        stmt = stmt.where(AuditEvent.user_login == user.strip().lower())
    if case:
        stmt = stmt.where(AuditEvent.case_number == case.strip().upper())
    if event:
        stmt = stmt.where(AuditEvent.event_type.like(event.strip() + "%"))
    if since:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(since, dt.time()))
    if until:
        stmt = stmt.where(
            AuditEvent.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
        )
    rows = session.scalars(stmt.limit(limit).offset(offset) if limit else stmt.offset(offset))
    return [event_view(e) for e in rows]


# What an event shows as plain data, field by field: the audit list shows all of them, a
# case's timeline and an item's custody log the fields of their own (see event_view).
EVENT_FIELDS: dict[str, Callable[[AuditEvent], Any]] = {
    "seq": lambda e: e.seq,
    "at": lambda e: e.at.isoformat() + "Z",
    "user": lambda e: e.user_login,
    "workstation": lambda e: e.workstation,
    "event": lambda e: e.event_type,
    "object": lambda e: f"{e.object_type or ''}:{e.object_id or ''}".strip(":"),
    "case": lambda e: e.case_number,
    "outcome": lambda e: e.outcome,
    "details": lambda e: e.details,
    "mac": lambda e: e.mac,
}
TIMELINE_FIELDS = ("seq", "at", "user", "workstation", "event", "outcome", "details")
CUSTODY_FIELDS = ("seq", "at", "user", "workstation", "event", "outcome")


def event_view(
    e: AuditEvent,
    fields: Sequence[str] = tuple(EVENT_FIELDS),
    details: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """One event as plain data: the ``fields`` asked for, its details as ``details``
    shows them (what a reader outside IA may see of them: ia_desk.cases.redaction)."""
    out = {name: EVENT_FIELDS[name](e) for name in fields}
    if details is not None and "details" in out:
        out["details"] = details(e.details)
    return out


EXPORT_COLUMNS = (
    "seq",
    "at",
    "user",
    "workstation",
    "event",
    "object",
    "case",
    "outcome",
    "details",
    "mac",
)


def export_events(session: Session, actor: Actor, out: Any, **filters: Any) -> int:
    """Write the filtered trail as CSV (IA administrators); the export is audited.

    ``out``'s folder must exist (InputError naming the file otherwise, and for a file that
    cannot be written); a failed write leaves no file and, the caller's transaction
    rolling back, no audit event.
    """
    import csv

    rows = list_events(session, actor, limit=None, **filters)
    out = validation.output_file(out, "file")
    append(
        session,
        actor,
        "audit.export",
        object_type="file",
        object_id=out.name,
        details={"rows": len(rows), "filters": {k: str(v) for k, v in filters.items() if v}},
    )
    session.flush()
    try:
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(EXPORT_COLUMNS)
            for r in reversed(rows):
                w.writerow([r[k] for k in EXPORT_COLUMNS])
    except OSError as exc:
        out.unlink(missing_ok=True)
        raise InputError(f"file: cannot write {out}: {exc.strerror}.", field="file") from None
    return len(rows)
