"""Who each account is, as the signed trail says: its role, whether it is enabled, and
its current key, from the account events whose own signature holds.

:func:`ia_desk.audit.signatures.recorded_standing` reads the account events as they are
stored, which is what a sign-in compares an account's row with; but an event is a row
that whoever holds the database (and the audit MAC key every workstation has) can
write. What gives or follows IA's key (:mod:`ia_desk.accounts.iakey`) must believe only
what its signer could sign: :func:`walk` applies the trail's own signature rules
(:class:`~ia_desk.audit.signatures.Signatures`) to the events that say whose key and
role is whose, each checked with its own signature, in order. It reads only those
events (a few per account), not the whole trail, which is ``audit verify``'s work.

Besides the people, a walk keeps what it could not believe (:attr:`Standing.problems`:
an event whose signature does not hold, events missing from the numbering) and which
accounts hold a key that came from the recovery code (:attr:`Standing.recovered`), since
anyone holding the MAC key can write a recovery that vouches for itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ia_desk.audit import signatures
from ia_desk.db.models import AuditEvent


@dataclass
class Standing:
    """The accounts as the signed trail makes them, up to an event (or the head)."""

    people: dict[str, signatures._Person] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    recovered: set[str] = field(default_factory=set)
    # Accounts an event that does not hold is by or about: what the trail says of them
    # cannot be believed (a spoiled disable would leave someone who left enabled).
    doubtful: set[str] = field(default_factory=set)
    outcomes: dict[int, str | None] = field(default_factory=dict)  # seq -> its problem

    def person(self, login: str | None) -> signatures._Person | None:
        return self.people.get(login or "")

    def is_ia(self, login: str, roles: frozenset[str]) -> bool:
        """Enabled, with one of ``roles``, and no event by or about the account that
        does not hold."""
        p = self.person(login)
        return p is not None and p.role in roles and p.active and login not in self.doubtful


def walk(session: Session, upto: int | None = None, also: tuple[int, ...] = ()) -> Standing:
    """The account events (and the start of signing) up to event ``upto`` (None: the
    head), each believed only if its own signature holds; ``also``: other events to
    check on the way (their problem, or None, is in :attr:`Standing.outcomes`)."""
    from ia_desk.audit.trail import CHAIN_COLUMNS, canonical_form  # (trail reads us)

    t = AuditEvent.__table__
    head = session.scalar(select(func.max(t.c.seq))) or 0
    last = head if upto is None else min(upto, head)
    out = Standing()
    present = session.scalar(select(func.count()).select_from(t).where(t.c.seq <= last)) or 0
    if present != last:
        out.problems.append(
            (last, f"{last - present} event(s) up to event {last} are missing from the trail")
        )
    walker = signatures.Signatures(keys=signatures.public_keys(session))
    kinds = (*signatures.ACCOUNT_EVENTS, signatures.SIGNING_BEGINS)
    where: ColumnElement[bool] = t.c.event_type.in_(kinds)
    if also:
        where = or_(where, t.c.seq.in_(also))
    rows = session.execute(
        select(*(t.c[name] for name in CHAIN_COLUMNS))
        .where(t.c.seq <= last, where)
        .order_by(t.c.seq)
    )
    for row in rows:
        f = tuple(row)
        seq, login, event_type = int(f[0]), f[2], str(f[4])
        problem = walker.check(
            seq, login, event_type, str(f[8]), str(f[9]), f[12], f[13], canonical_form(*f[:11])
        )
        if seq in also:
            out.outcomes[seq] = problem
        if event_type not in kinds:
            continue
        if event_type == "user.recover" and problem is not None and "recovery code" in problem:
            out.recovered.add(str(login or ""))  # believed, but only as a recovery is
            continue
        if problem is not None:
            out.problems.append((seq, problem))
            target = (signatures.introduced(event_type, str(f[9])) or {}).get("login")
            out.doubtful |= {str(login or ""), str(target or "")} - {""}
            continue
        _follow_lineage(out, str(login or ""), event_type, str(f[9]))
    out.people = walker.people
    return out


def _follow_lineage(out: Standing, login: str, event_type: str, details: str) -> None:
    """A key made by an administrator's act (an account added, a password reset) is
    not the recovery's any more; a change of one's own password keeps its origin."""
    if event_type in ("user.add", "user.reset_password"):
        target = (signatures.introduced(event_type, details) or {}).get("login")
        out.recovered.discard(str(target or ""))
