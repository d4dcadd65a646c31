"""IA's key as the trail knows it: ``audit verify`` names an IA key that is in the
database without a signed event that made it (put there outside IA Desk, to have IA
seal to it), and one the trail made that is no longer there (removed outside IA Desk).

IA's key is made by the first administrator's setup (``user.create_first_admin``
names it) or by the first IA administrator's sign-in after the upgrade to sealing
(``ia_key.create``); see :mod:`ia_desk.accounts.iakey`. The events' signatures are
checked with the rest of the trail; here only what they name is compared with the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.db.models import AuditEvent, IaKey
from ia_desk.security import crypto

MADE_BY = ("user.create_first_admin", "ia_key.create")


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
    return out
