"""Appending to and verifying the audit trail.

Each event is appended inside the transaction of the change it records, so the
change and its audit row commit together or not at all. Each row carries the
previous row's MAC and its own HMAC-SHA256 over a canonical form (fixed field order,
compact JSON), with a key that lives in the OS keyring, not in the database.

Rule for callers: never put a secret or an anonymous reporter's identity in
``details``; the audit trail is read by administrators and exported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ia_desk import validation
from ia_desk.audit import iakeys, records, server, signatures
from ia_desk.db.models import AuditEvent, AuditHead, User, table_of, utcnow
from ia_desk.errors import InputError
from ia_desk.security.actor import Actor, UnlockedKeys
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
    keys: UnlockedKeys | None = None,
) -> None:
    """Append one event in the session's transaction, signed with the actor's key.

    ``login`` names the user for events without an authenticated actor (a failed
    sign-in; a sign-in or first setup, which sign with ``keys``, just opened); system
    events (schema upgrade) have neither and are recorded as ``system``.

    The next number is the first after the head that no row holds, so a row put in
    behind IA Desk's back cannot block anyone (the verifier reports it).
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
        head_seq, prev_mac = 0, GENESIS
    else:
        head_seq, prev_mac = head.seq, head.mac
    seq = conn.execute(_NEXT_FREE, {"head": head_seq}).scalar() or head_seq + 1
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
    canonical = canonical_form(**row)
    row["mac"] = hmac.new(key, canonical, hashlib.sha256).hexdigest()
    signing = keys if keys is not None else (actor.keys if actor is not None else None)
    if signing is not None:
        row["signer_key"] = signing.fingerprint
        row["signature"] = signatures.sign(signing.signing_private, canonical)
    else:
        row["signer_key"] = row["signature"] = None
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
# The first number after the head that no row holds: a row put in behind IA Desk's back
# (at head + 1, or at the highest number there is) never blocks anyone, and the verifier
# names it.
# (Rows at the highest number a 64-bit integer holds are left out: one more would
# overflow.)
_NEXT_FREE = text(
    "SELECT min(a.seq) + 1 FROM audit_event a WHERE a.seq >= :head "
    "AND a.seq < 9223372036854775807 "
    "AND NOT EXISTS (SELECT 1 FROM audit_event b WHERE b.seq = a.seq + 1)"
)
_MOVE_HEAD = (
    update(_HEAD_T)
    .where(_HEAD_T.c.id == 1)
    .values(seq=bindparam("new_seq"), mac=bindparam("new_mac"))
)


PROBLEMS_KEPT = 200  # problems a result lists; the rest are counted


@dataclass(frozen=True)
class VerifyResult:
    """What verifying the trail found. ``problems`` lists (sequence number, what is
    wrong) for each event that does not hold, up to :data:`PROBLEMS_KEPT`, in order
    (``problem_count`` counts them all); the walk goes on past each one."""

    ok: bool
    checked: int
    head_seq: int
    head_mac: str
    problems: tuple[tuple[int, str], ...] = ()
    problem_count: int = 0
    signed: int = 0  # events whose signer's signature holds
    unsigned_by_design: int = 0  # failed sign-ins, lockouts, the database's own events
    before_signing: int = 0  # events from before the trail was signed (chain only)
    records_checked: int = 0  # evidence, findings, decisions that match their events
    records_before_binding: int = 0  # rows whose events predate the binding

    @property
    def first_bad_seq(self) -> int | None:
        return self.problems[0][0] if self.problems else None

    @property
    def problem(self) -> str | None:
        return self.problems[0][1] if self.problems else None

    @property
    def checkpoint(self) -> str:
        return f"{self.head_seq}:{self.head_mac}"

    def summary(self) -> str:
        """One line for people: intact, or how many problems and the first."""
        if self.ok:
            parts = [f"audit trail intact: {self.checked} events"]
            parts.append(f"{self.signed} signed by their authors")
            if self.unsigned_by_design:
                parts.append(f"{self.unsigned_by_design} unsigned by design")
            if self.before_signing:
                parts.append(f"{self.before_signing} from before signing (chain only)")
            if self.records_checked or self.records_before_binding:
                parts.append(f"{self.records_checked} records match their events")
            if self.records_before_binding:
                parts.append(f"{self.records_before_binding} records from before binding")
            return ", ".join(parts)
        more = f" ({self.problem_count:,} problems)" if self.problem_count > 1 else ""
        return f"audit trail BROKEN: {self.problem}{more}"


# The columns a verifier reads, in the order canonical_form() takes them, then the MAC
# and the signature.
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
    "signer_key",
    "signature",
)


def verify_rows(
    rows: Iterable[Sequence[Any]],
    key: bytes,
    *,
    head: tuple[int, str] | None = None,
    checkpoint: tuple[int, str] | None = None,
    public_keys: dict[str, bytes] | None = None,
    accounts: list[tuple[str, str, bool]] | None = None,
) -> VerifyResult:
    """Walk the trail in sequence order and report every event that does not hold:
    a gap, a row that does not link to the one before, a MAC that does not match, a
    person's event not signed by them (:mod:`ia_desk.audit.signatures`; skipped when
    ``public_keys`` is None), a difference from the checkpoint, a head that disagrees,
    and each of ``accounts`` (login, role, active) the trail did not make so.

    After a bad row the walk goes on: the next row may link to the last good row or to
    the bad one (a row put in or altered), so one bad row is one problem, not all that
    follow. ``rows`` are tuples of :data:`CHAIN_COLUMNS` (unpacked, not looked up by
    name: millions of events verify at close to the speed of the HMAC and signature).
    """
    problems: list[tuple[int, str]] = []
    count = 0

    def problem(seq: int, text: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < PROBLEMS_KEPT:
            problems.append((seq, text))

    signing = signatures.Signatures(public_keys) if public_keys is not None else None
    expected_seq = 1
    good = GENESIS  # the MAC of the last row that verified
    stored = GENESIS  # the MAC the last row carries, good or not
    last_seq = 0
    checked = 0
    seen_checkpoint = checkpoint is None
    for (
        seq,
        at,
        user,
        station,
        event,
        otype,
        oid,
        number,
        outcome,
        details,
        prev_mac_,
        mac,
        signer_key,
        signature,
    ) in rows:
        if seq != expected_seq:
            problem(
                min(seq, expected_seq),  # the first number missing
                f"the trail jumps from {expected_seq - 1} to {seq}: events were removed, or "
                "numbers skipped by rows put in outside IA Desk",
            )
        msg = canonical_form(
            seq, at, user, station, event, otype, oid, number, outcome, details, prev_mac_
        )
        mac_holds = hmac.compare_digest(hmac.new(key, msg, hashlib.sha256).hexdigest(), mac)
        if not mac_holds:
            problem(
                seq,
                f"event {seq} was altered or put in outside IA Desk (its MAC does not match)",
            )
        elif prev_mac_ not in (good, stored):
            problem(seq, f"event {seq} does not link to event {last_seq}")
        if signing is not None and mac_holds:
            bad = signing.check(seq, user, event, outcome, details, signer_key, signature, msg)
            if bad is not None:
                problem(seq, bad)
        if checkpoint is not None and seq == checkpoint[0]:
            seen_checkpoint = True
            if mac != checkpoint[1]:
                problem(seq, f"event {seq} differs from the checkpoint")
        if mac_holds:
            good = mac
        stored = mac
        last_seq = seq
        expected_seq = seq + 1
        checked += 1
    if checkpoint is not None and not seen_checkpoint:
        problem(
            last_seq + 1,
            f"the trail ends at {last_seq}, before checkpoint {checkpoint[0]}: events were cut off",
        )
    if signing is not None and accounts is not None:
        for text_ in signing.account_problems(accounts):
            problem(last_seq + 1, text_)
    if head is not None and (head[0] != last_seq or head[1] != stored):
        problem(
            last_seq + 1 if head[0] > last_seq else head[0],
            f"the trail ends at {last_seq} but its head records {head[0]}: events were cut "
            "off or the head was altered",
        )
    return VerifyResult(
        ok=count == 0,
        checked=checked,
        head_seq=last_seq,
        head_mac=stored,
        problems=tuple(problems),
        problem_count=count,
        signed=signing.signed if signing else 0,
        unsigned_by_design=signing.by_design if signing else 0,
        before_signing=signing.before_signing if signing else 0,
    )


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
    users = table_of(User)
    accounts = [
        (str(login), str(role), bool(active))
        for login, role, active in session.execute(
            select(users.c.login, users.c.role, users.c.active).order_by(users.c.id)
        )
    ]
    chain = verify_rows(
        rows,
        key,
        head=head,
        checkpoint=checkpoint,
        public_keys=signatures.public_keys(session),
        accounts=accounts,
    )
    bound = records.check_records(session)
    outside = tuple((0, text) for text in server.problems(session))
    extra = bound.problems + outside + tuple(iakeys.problems(session))
    return dataclasses.replace(
        chain,
        ok=chain.ok and not extra,
        problems=(chain.problems + extra)[:PROBLEMS_KEPT],
        problem_count=chain.problem_count + len(extra),
        records_checked=bound.checked,
        records_before_binding=bound.before_binding,
    )


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
    "object_type": lambda e: e.object_type,
    "object_id": lambda e: e.object_id,
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


def begin_signing(db: Any) -> None:
    """Mark, once, where the signed trail begins (the first start of a version that
    signs): from that event on, every person's events must carry their signature
    (:mod:`ia_desk.audit.signatures`). Asked at every start; one indexed read."""
    marker = select(AuditEvent.seq).where(AuditEvent.event_type == signatures.SIGNING_BEGINS)
    with db.read() as session:
        if session.scalar(marker.limit(1)) is not None:
            if records.unmarked_kinds(session):
                _extend_binding(db)
            return
    with db.write(None, audit_only=True) as session:
        if session.scalar(marker.limit(1)) is None:
            append(
                session,
                None,
                signatures.SIGNING_BEGINS,
                object_type="database",
                details={
                    "rule": "every person's events are signed with their own key",
                    records.BOUND_FROM_KEY: records.next_ids(session),
                },
            )


def _extend_binding(db: Any) -> None:
    """Mark, once, where the binding of records bound since the start of signing begins
    (the first start of a version that binds them, on a database that already signs):
    their rows before it, and those rows' events without a digest, are counted apart;
    from it on, every such row must match its latest event (ia_desk.audit.records)."""
    with db.write(None, audit_only=True) as session:
        kinds = records.unmarked_kinds(session)
        if kinds:
            ids = records.next_ids(session)
            append(
                session,
                None,
                records.BINDING_EXTENDS,
                object_type="database",
                details={
                    "rule": "these records are bound to the events that write them",
                    records.BOUND_FROM_KEY: {k: ids[k] for k in kinds},
                },
            )
