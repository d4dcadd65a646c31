"""Who wrote each audit event: every person's events are signed with their own key.

The MAC chain (:mod:`ia_desk.audit.trail`) shows that rows were altered, removed or
reordered, but its key is shared by every workstation, so whoever holds it can write a
chain that verifies. A signature cannot be made without its signer's private key, which
is wrapped under their own password (:mod:`ia_desk.accounts.userkeys`). Each event a
person makes carries their Ed25519 signature over the event's canonical form, which
holds the MAC of the event before it. So to forge, change or remove another person's
event, or any event followed by another person's, someone needs that person's
password; without it :func:`ia_desk.audit.trail.verify_rows` names the event and
whose signature is missing or does not hold.

**Whose key is whose** is read from the trail itself, never from the key table alone
(a row there is written by whoever can write to the database):

- ``user.create_first_admin`` names the first administrator's key; it signs itself.
- ``user.add`` and ``user.reset_password``, signed by an IA administrator, name a
  *provisional* key of the user (the administrator chose its password). It signs only
  the user's sign-in and their ``user.change_password``.
- ``user.change_password``, signed by the user's current key, names their new key;
  the keys before it sign nothing more.
- ``user.key_created``: a user who had no key (their account predates the signed
  trail) makes one at their first sign-in after the upgrade; it signs itself, and is
  believed only for a user with no key yet.
- ``user.recover``: an IA administrator given a new password with the recovery code
  (nobody signed in); it introduces a provisional key that signs itself, and
  ``audit verify`` names every such event, for the department to check against the
  record of its safe being opened.
- After ``user.disable`` a user signs nothing until ``user.enable``.

**Unsigned by design**: failed sign-ins and lockouts (nobody proved who they were), and
the database's own events (user ``system``: a guard put back, read-only mode, a search
index rebuilt), of those kinds only. Events before ``audit.signing_begins`` (the first
start of a version that signs) are checked by the chain alone and counted apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.db.models import UserKey
from ia_desk.security import crypto

SIGNING_BEGINS = "audit.signing_begins"
SYSTEM_LOGIN = "system"
# What the database records of itself: its guards and disk (ia_desk.db.guards and
# .engine), the reference data and withheld search entries loaded at start-up, the
# start of signing.
SYSTEM_EVENT_PREFIXES = (
    "db.",
    "storage.",
    "search.reindex_withheld",
    "catalogue.load",
    "discipline.matrix_load",
    SIGNING_BEGINS,
    "audit.binding_extends",  # ia_desk.audit.records.BINDING_EXTENDS
)
# What a provisional key (made by an administrator) may sign.
PROVISIONAL_MAY_SIGN = ("auth.sign_in", "user.change_password", "user.recover")
_DOMAIN = b"ia-desk audit event|"


def signing_message(canonical: bytes) -> bytes:
    return _DOMAIN + canonical


def sign(private_key: bytes, canonical: bytes) -> str:
    return crypto.b64(crypto.sign(private_key, signing_message(canonical)))


def unsigned_by_design(login: str | None, event_type: str, outcome: str) -> bool:
    """Events no person signs: failed sign-ins, lockouts, the database's own."""
    if login == SYSTEM_LOGIN:
        return True
    return (event_type == "auth.sign_in" and outcome == "failed") or event_type == "auth.lockout"


def public_keys(session: Session) -> dict[str, bytes]:
    """Every key ever made, by fingerprint, as stored. (Whose each is, the trail says;
    a fingerprint is the SHA-256 of its key, so a key swapped in the table is seen.)"""
    out: dict[str, bytes] = {}
    for fp, public in session.connection().execute(select(UserKey.fingerprint, UserKey.public_key)):
        try:
            key = bytes.fromhex(public)
        except (TypeError, ValueError):
            continue  # not a key at all: whatever it signed will not verify
        if crypto.fingerprint(key) == fp:
            out[fp] = key
    return out


@dataclass
class _Person:
    role: str | None = None
    key: str | None = None  # fingerprint of the current key
    provisional: bool = False
    active: bool = True


@dataclass
class Signatures:
    """The signature rules as the verifier walks the trail in order (see the module)."""

    keys: dict[str, bytes]
    people: dict[str, _Person] = field(default_factory=dict)
    begun: bool = False
    anyone_keyed: bool = False
    signed: int = 0
    by_design: int = 0
    before_signing: int = 0
    _loaded: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def check(
        self,
        seq: int,
        login: str | None,
        event_type: str,
        outcome: str,
        details: str,
        signer_key: str | None,
        signature: str | None,
        canonical: bytes,
    ) -> str | None:
        """The problem with this event's signature, or None; then learns from it."""
        person = self.people.setdefault(login or "", _Person())
        if login == SYSTEM_LOGIN:
            self.by_design += 1
            if event_type == SIGNING_BEGINS:
                self.begun = True
            if not event_type.startswith(SYSTEM_EVENT_PREFIXES):
                return (
                    f"event {seq} ({event_type}) claims to be the database's own, which "
                    "never makes events of that kind"
                )
            return None
        if unsigned_by_design(login, event_type, outcome):
            self.by_design += 1
            return None
        intro = introduced(event_type, details)
        if not self.begun:
            if signature or signer_key or (intro and intro.get("key")):
                # No version before signing made keys: the trail was rewritten to look
                # older than the start of signing (or the start was removed).
                return (
                    f"event {seq} ({event_type} by {login or '(nobody)'}) comes before the "
                    "start of signing but carries a key or a signature: the trail was "
                    "rewritten outside IA Desk"
                )
            self.before_signing += 1
            self._learn(login, event_type, intro)
            return None
        # A key that introduces itself: believed for the first administrator, or for a
        # user with no key yet (an account from before the trail was signed), and only
        # if the event's own signature holds with it.
        saved = (person.key, person.provisional)
        first = event_type == "user.create_first_admin" and not self.anyone_keyed
        recovered = event_type == "user.recover"
        self_introduced = bool(intro and intro.get("key")) and (
            first or recovered or (event_type == "user.key_created" and person.key is None)
        )
        if self_introduced:
            assert intro is not None
            person.key = str(intro["key"])
            person.provisional = recovered or (
                event_type == "user.key_created" and bool(intro.get("provisional"))
            )
        problem = self._signature_problem(
            seq, login, person, event_type, signer_key, signature, canonical
        )
        if problem is not None:
            person.key, person.provisional = saved
            return problem
        self.signed += 1
        if self_introduced:
            self.anyone_keyed = True
            if first:
                person.role = "ia_admin"
        else:
            self._learn(login, event_type, intro)
        if recovered:
            # Whoever holds the recovery code (or the MAC key) can write one: it is
            # always named, to be checked against the record of the safe being opened.
            return (
                f"event {seq}: {login} was given a new password with the recovery code; "
                "check it against the department's record of the safe being opened"
            )
        return None

    def account_problems(self, accounts: list[tuple[str, str, bool]]) -> list[str]:
        """Each account (login, role, active) whose role or standing in the database is
        not what the trail made it: a role raised, or a disabled account enabled, outside
        IA Desk."""
        found = []
        for login, role, active in accounts:
            person = self.people.get(login)
            if person is None or person.role is None:
                found.append(f"account {login} is in the database but no event made it")
                continue
            if role != person.role:
                found.append(
                    f"account {login} has the role {role} in the database but {person.role} "
                    "in the trail: it was changed outside IA Desk"
                )
            if bool(active) != person.active:
                standing = "enabled" if active else "disabled"
                found.append(
                    f"account {login} is {standing} in the database but not in the trail: it "
                    "was changed outside IA Desk"
                )
        return found

    def _signature_problem(
        self,
        seq: int,
        login: str | None,
        person: _Person,
        event_type: str,
        signer_key: str | None,
        signature: str | None,
        canonical: bytes,
    ) -> str | None:
        who = login or "(nobody)"
        if not signature or not signer_key:
            return f"event {seq} ({event_type} by {who}) is not signed by {who}"
        if person.key is None or signer_key != person.key:
            return (
                f"event {seq} ({event_type} by {who}) is signed with key {signer_key}, "
                f"which the trail does not give {who} at that point"
            )
        if not person.active:
            return f"event {seq} ({event_type} by {who}) was signed after {who} was disabled"
        if person.provisional and event_type not in PROVISIONAL_MAY_SIGN:
            return (
                f"event {seq} ({event_type} by {who}) is signed with the key an "
                f"administrator made for {who}, which signs only a sign-in and a change "
                "of password"
            )
        public = self._public(signer_key)
        if public is None:
            return f"event {seq} ({event_type} by {who}): the key {signer_key} is missing"
        try:
            public.verify(crypto.unb64(signature), signing_message(canonical))
        except (InvalidSignature, ValueError):
            return (
                f"event {seq} ({event_type} by {who}): the signature of {who} does not hold "
                "(the event, or one before it, was changed after it was signed)"
            )
        return None

    def _public(self, fp: str) -> Ed25519PublicKey | None:
        loaded = self._loaded.get(fp)
        if loaded is None and fp in self.keys:
            loaded = self._loaded[fp] = Ed25519PublicKey.from_public_bytes(self.keys[fp])
        return loaded

    def _learn(self, login: str | None, event_type: str, intro: dict[str, Any] | None) -> None:
        """What an event that holds says about accounts from now on: roles, keys, who
        is disabled. (Before signing began, the chain alone vouches for it, and no event
        names a key then.)"""
        if intro is None:
            return
        actor = self.people.setdefault(login or "", _Person())
        if event_type == "user.create_first_admin":  # a trail from before signing
            actor.role = "ia_admin"
            return
        if event_type == "user.change_password":
            if intro.get("key"):
                actor.key, actor.provisional = str(intro["key"]), False
                self.anyone_keyed = True
            return
        # The rest are an administrator's acts on another account.
        if actor.role != "ia_admin":
            return
        target = self.people.setdefault(str(intro.get("login") or ""), _Person())
        if event_type == "user.add":
            target.role = str(intro.get("role") or "") or None
            target.active = True
        if event_type in ("user.add", "user.reset_password") and intro.get("key"):
            target.key, target.provisional = str(intro["key"]), True
            self.anyone_keyed = True
        elif event_type == "user.disable":
            target.active = False
        elif event_type == "user.enable":
            target.active = True


ACCOUNT_EVENTS = (
    "user.create_first_admin",
    "user.key_created",
    "user.recover",
    "user.add",
    "user.reset_password",
    "user.change_password",
    "user.disable",
    "user.enable",
)


def introduced(event_type: str, details: str) -> dict[str, Any] | None:
    """The details of an event that changes whose key or role is whose."""
    if event_type not in ACCOUNT_EVENTS:
        return None
    try:
        value = json.loads(details)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


STANDING_EVENTS = ("user.create_first_admin", "user.add", "user.disable", "user.enable")


def _account_events(session: Session, user_id: int, kinds: tuple[str, ...]) -> Any:
    """The trail's ok events of ``kinds`` about one account, in order: (type, details)."""
    from ia_desk.db.models import AuditEvent

    t = AuditEvent.__table__
    return session.execute(
        select(t.c.event_type, t.c.details)
        .where(
            t.c.event_type.in_(kinds),
            t.c.object_type == "user",
            t.c.object_id == str(user_id),
            t.c.outcome == "ok",
        )
        .order_by(t.c.seq)
    ).all()


def recorded_standing(session: Session, user_id: int) -> tuple[str | None, bool]:
    """An account's role and whether it is enabled, as the trail's own events about it
    say (the sign-in compares them with the account's row; ``audit verify`` checks the
    events' signatures as well)."""
    role: str | None = None
    active = True
    for event_type, details in _account_events(session, user_id, STANDING_EVENTS):
        if event_type in ("user.create_first_admin", "user.add"):
            found = introduced(event_type, details) or {}
            role = str(found.get("role") or "") or role
            active = True
        elif event_type == "user.disable":
            active = False
        elif event_type == "user.enable":
            active = True
    return role, active


def key_introduced(session: Session, user_id: int) -> bool:
    """Whether the trail already gives this account a key (an event about it names
    one): then an account with no key row has lost it outside IA Desk, and a new key made
    at sign-in would hide that."""
    from ia_desk.db.models import AuditEvent

    t = AuditEvent.__table__
    rows = session.execute(
        select(t.c.event_type, t.c.details).where(
            t.c.event_type.in_(ACCOUNT_EVENTS),
            t.c.object_type == "user",
            t.c.object_id == str(user_id),
        )
    )
    return any((introduced(e, d) or {}).get("key") for e, d in rows)


def recorded_key(session: Session, user_id: int) -> str | None:
    """The fingerprint of the account's current key as the trail's own events about it
    say (the latest that names one), or None. Changing IA's key gives the new one only
    to this key: a key row put in beside an account's own (outside IA Desk) is not it.
    (``audit verify`` checks the events' signatures as well.)"""
    key: str | None = None
    for event_type, details in _account_events(session, user_id, ACCOUNT_EVENTS):
        named_key = (introduced(event_type, details) or {}).get("key")
        if named_key:
            key = str(named_key)
    return key
