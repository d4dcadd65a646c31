"""IA's key as the trail knows it: ``audit verify`` names an IA key that is in the
database without a signed event that made it (put there outside IA Desk, to have IA
seal to it), and one the trail made that is no longer there (removed outside IA Desk).

IA's key is made by the first administrator's setup (``user.create_first_admin``
names it), by the first IA administrator's sign-in after the upgrade to sealing
(``ia_key.create``), or by an IA administrator changing it (``ia_key.rotate``, naming
the key it replaces); see :mod:`ia_desk.accounts.iakey`. The events' signatures are
checked with the rest of the trail; here what they name is compared with the rows.

A changed key carries the old key's signature over the change (its *succession*: the
old fingerprint, the new one and the new public halves, signed with the old endorsing
half). An IA user whose own key committed to the old one takes the new one at sign-in
only when the succession holds **and** the event that made it is signed by someone the
trail makes an active IA administrator at that point (:func:`rotation_problem`): the
old key alone is not enough, since whoever held it (an IA user who has left) could sign
a succession to a key of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.db.models import AuditEvent, IaKey
from ia_desk.security import crypto

MADE_BY = ("user.create_first_admin", "ia_key.create", "ia_key.rotate")
ROTATED = "ia_key.rotate"
SUCCEEDS = b"ia-desk ia key succeeds|"


def succession_statement(old_fingerprint: str, new: IaKey) -> bytes:
    """What the old key signs when it is replaced by ``new``."""
    return SUCCEEDS + (
        f"{old_fingerprint}|{new.fingerprint}|{new.public_key}|{new.sign_public}".encode()
    )


def succession_problem(session: Session, row: IaKey) -> str | None:
    """What is wrong with the succession of a key that replaces another (None: it holds,
    or the key replaces none)."""
    if row.replaces_id is None:
        return None
    before = session.get(IaKey, row.replaces_id)
    if before is None:
        return f"IA's key {row.fingerprint} replaces a key that is missing from the database"
    try:
        public = bytes.fromhex(before.sign_public)
        signature = bytes.fromhex(row.succession or "")
    except ValueError:
        return (
            f"IA's key {row.fingerprint}: its succession from {before.fingerprint} is not "
            "a signature"
        )
    if not _fingerprint_holds(before) or not crypto.signature_holds(
        public, succession_statement(before.fingerprint, row), signature
    ):
        return (
            f"IA's key {row.fingerprint}: the succession from {before.fingerprint} does not "
            "hold (it was written or changed outside IA Desk)"
        )
    return None


def named(session: Session) -> dict[str, int]:
    """The IA keys signed events made: {fingerprint: the event's number}."""
    t = AuditEvent.__table__
    found: dict[str, int] = {}
    rows = session.execute(
        select(t.c.seq, t.c.details).where(
            t.c.event_type.in_(MADE_BY), t.c.signature.is_not(None), t.c.outcome == "ok"
        )
    )
    for seq, details in rows:
        try:
            value = json.loads(details)
        except ValueError:
            continue
        fingerprint = value.get("ia_key") if isinstance(value, dict) else None
        if isinstance(fingerprint, str) and fingerprint:
            found.setdefault(fingerprint, int(seq))
    return found


def made_by_the_trail(session: Session, fingerprint: str, key: bytes) -> bool:
    """Whether the event that names IA's key ``fingerprint`` as made holds its MAC under
    the trail's ``key``: a row written outside IA Desk to name a planted key (a signature
    column filled with anything) does not, without the key. What a recovery on a server
    checks before trusting the key (the whole chain is ``audit verify``'s)."""
    from ia_desk.audit.trail import canonical_form  # (trail's verify reads this module)

    seq = named(session).get(fingerprint)
    if seq is None:
        return False
    t = AuditEvent.__table__
    row = session.execute(
        select(
            t.c.seq,
            t.c.at,
            t.c.user_login,
            t.c.workstation,
            t.c.event_type,
            t.c.object_type,
            t.c.object_id,
            t.c.case_number,
            t.c.outcome,
            t.c.details,
            t.c.prev_mac,
            t.c.mac,
        ).where(t.c.seq == seq)
    ).one_or_none()
    if row is None:
        return False
    *fields, mac = row
    expected = hmac.new(key, canonical_form(*fields), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(mac))


def _fingerprint_holds(row: IaKey) -> bool:
    try:
        both = bytes.fromhex(row.public_key) + bytes.fromhex(row.sign_public)
    except ValueError:
        return False
    return crypto.fingerprint(both) == row.fingerprint


def problems(session: Session) -> list[tuple[int, str]]:
    """What ``audit verify`` reports of IA's key, as (event number or 0, sentence)."""
    made = named(session)
    out: list[tuple[int, str]] = []
    rows = list(session.scalars(select(IaKey).order_by(IaKey.id)))
    for row in rows:
        succession = succession_problem(session, row)
        if succession is not None:
            out.append((made.get(row.fingerprint, 0), succession))
        if row.fingerprint not in made:
            out.append(
                (
                    0,
                    f"IA's key {row.fingerprint} is in the database but no signed event made "
                    "it: it was put there outside IA Desk (no IA user takes it)",
                )
            )
        elif not _fingerprint_holds(row):
            out.append(
                (
                    made[row.fingerprint],
                    f"IA's key {row.fingerprint}, made in event {made[row.fingerprint]}, was "
                    "changed outside IA Desk: its public halves are not the ones it was made "
                    "with",
                )
            )
    present = {row.fingerprint for row in rows}
    for fingerprint, seq in sorted(made.items(), key=lambda kv: kv[1]):
        if fingerprint not in present:
            out.append(
                (
                    seq,
                    f"IA's key {fingerprint}, made in event {seq}, is missing from the "
                    "database: it was removed outside IA Desk, and IA's sealed notes and "
                    "tasks do not open until a backup is restored",
                )
            )
    out.extend(rotation_row_problems(session))
    return out


def latest_made(session: Session) -> str | None:
    """The fingerprint of IA's key as the trail names it now: the one its latest
    signed event that made a key made (None: none yet). IA Desk seals to, opens and
    recovers only that key: a key row put in after it (or an old one given a newer id)
    is not IA's, and one the trail names that is gone is missing (refused, not replaced
    by an older one). A change of the key whose key never appeared, signed by someone
    the signed trail no longer makes an active IA administrator (one who left, naming a
    key of theirs before they went), is passed over: it would otherwise stop every later
    change."""
    from ia_desk.audit.standing import walk

    t = AuditEvent.__table__
    rows = session.execute(
        select(t.c.event_type, t.c.user_login, t.c.details)
        .where(t.c.event_type.in_(MADE_BY), t.c.signature.is_not(None), t.c.outcome == "ok")
        .order_by(t.c.seq.desc())
    )
    standing = None
    for event_type, login, details in rows:
        try:
            value = json.loads(details)
        except ValueError:
            continue
        fingerprint = value.get("ia_key") if isinstance(value, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            continue
        if event_type != ROTATED or session.scalar(
            select(IaKey.id).where(IaKey.fingerprint == fingerprint)
        ):
            return fingerprint
        standing = standing or walk(session)
        if standing.is_ia(str(login or ""), frozenset({"ia_admin"})):
            return fingerprint  # made by an administrator still IA's: removed since
    return None


def _rotation_event(session: Session, row: IaKey, before: IaKey) -> int | None:
    t = AuditEvent.__table__
    for seq, details in session.execute(
        select(t.c.seq, t.c.details)
        .where(t.c.event_type == ROTATED, t.c.outcome == "ok")
        .order_by(t.c.seq)
    ):
        try:
            value = json.loads(details)
        except ValueError:
            continue
        if (
            isinstance(value, dict)
            and value.get("ia_key") == row.fingerprint
            and value.get("replaces") == before.fingerprint
        ):
            return int(seq)
    return None


def rotation_problem(session: Session, row: IaKey) -> str | None:
    """Why an IA user whose key committed to the key ``row`` replaces must not take
    ``row`` (None: they may). Its succession must hold; the ``ia_key.rotate`` event
    naming both keys must hold its signature and be signed by someone the signed trail
    makes an active IA administrator then **and now**, whose key did not come from the
    recovery code (anyone with the audit MAC key can write a recovery that vouches for
    itself); and the account events of the trail must all hold (a spoiled
    ``user.disable`` would otherwise leave someone who left an administrator)."""
    from ia_desk.audit.standing import walk

    problem = succession_problem(session, row)
    if problem is not None or row.replaces_id is None:
        return problem or f"IA's key {row.fingerprint} replaces no key"
    before = session.get(IaKey, row.replaces_id)
    assert before is not None  # (succession_problem says when it is missing)
    seq = _rotation_event(session, row, before)
    if seq is None:
        return (
            f"no event of the audit trail changed IA's key {before.fingerprint} to "
            f"{row.fingerprint}"
        )
    then = walk(session, upto=seq, also=(seq,))
    now = walk(session)
    if then.outcomes.get(seq, "not in the trail") is not None:
        return str(then.outcomes.get(seq, f"event {seq} is not in the audit trail"))
    login = session.scalar(select(AuditEvent.user_login).where(AuditEvent.seq == seq))
    missing = [p for _, p in now.problems if "missing from the trail" in p]
    if missing:
        return missing[0]
    for standing in (then, now):
        if not standing.is_ia(str(login or ""), frozenset({"ia_admin"})):
            return (
                f"event {seq} was signed by {login}, whom the signed trail does not make an "
                "active IA administrator (or an event by or about them does not hold)"
            )
        if str(login or "") in standing.recovered:
            return (
                f"event {seq} was signed by {login} with a key from the recovery code, which "
                "the department must confirm first"
            )
    return None


def rotation_row_problems(session: Session) -> list[tuple[int, str]]:
    """Each ``ia_key.rotate`` event whose key no longer names, as the key it replaced,
    the key the event says (its succession cut or pointed elsewhere outside IA Desk)."""
    t = AuditEvent.__table__
    out: list[tuple[int, str]] = []
    for seq, details in session.execute(
        select(t.c.seq, t.c.details).where(t.c.event_type == ROTATED, t.c.outcome == "ok")
    ):
        try:
            value = json.loads(details)
        except ValueError:
            continue
        if not isinstance(value, dict):
            continue
        new = session.scalar(select(IaKey).where(IaKey.fingerprint == value.get("ia_key")))
        if new is None:
            continue  # (a missing key is named by problems())
        before = session.get(IaKey, new.replaces_id) if new.replaces_id is not None else None
        if before is None or before.fingerprint != value.get("replaces"):
            out.append(
                (
                    int(seq),
                    f"IA's key {new.fingerprint}, made in event {seq} to replace "
                    f"{value.get('replaces')}, no longer names that key as the one it replaced: "
                    "its succession was changed outside IA Desk",
                )
            )
    return out
