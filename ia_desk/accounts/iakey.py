"""IA's key: what only IA may read is sealed so that only IA users' own passwords open it.

IA Desk keeps one IA key, a pair of pairs: an X25519 pair that seals and an Ed25519
pair that endorses. What is IA's alone is sealed to its public sealing half
(:func:`ia_desk.security.crypto.seal`: an ephemeral X25519 agreement, HKDF, AES-256-GCM):
today IA's case notes, task titles and what was done on a task
(:mod:`ia_desk.cases.notes`). Its private halves are never stored as such. They are
sealed

- to each IA user's own key (the key's sealing pair, wrapped under a key derived from
  that user's password: :mod:`ia_desk.accounts.userkeys`), one
  :class:`~ia_desk.db.models.IaKeyGrant` per user key; and
- on an embedded database, to its recovery code (``IaKey.recovery_sealed``).

So a supervisor or command staff, with their own password, the database file, its key
and every backup, or a database administrator on the server, reads ciphertext: none of
their keys opens a grant. An IA user opens their grant at sign-in and holds IA's key in
memory for the session only.

Three checks keep someone who can write the database from making IA's key theirs:

- **Whose key IA's is.** Each user key records, inside its own wrapped sealing pair
  (which only the user's password opens or rewrites), the fingerprint of the IA key it
  holds. An IA key in the database that is not that one (planted, or swapped in place)
  is refused: nothing of IA's opens or is sealed for that user, and they are told why.
  A key gets its commitment when it is made by someone holding IA's key, or at its
  first sign-in holding it.
- **Who is given IA's key.** Only a key IA endorsed (a signature by IA's endorsing
  key over the user, the key's fingerprint and its public half, checked with the
  endorsing key the granter holds in memory): a new IA account, endorsed by the
  administrator who adds it; a change of password, by the user holding IA's key; a
  reset or an account enabled again, only when the account's key was endorsed before.
  An account whose role was raised in the database, or a key put into it, is never
  endorsed, so never given IA's key.
- **No second IA key.** Once the trail names IA's key, no new one is made: a database
  whose key was deleted refuses to seal or open until an administrator looks into it,
  rather than writing in clear or starting a key of someone else's choosing.

On a database from before sealing, the first IA administrator who signs in makes the
key, seals what was in clear and endorses every IA user's current key; each is given it
at an administrator's next sign-in. Disabling a user removes their grants; a replaced
key's grant goes with it. What is sealed is bound to its row (a note to its id, case,
author and version), so a sealed value copied onto another row does not open there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from ia_desk.accounts import userkeys
from ia_desk.audit import iakeys as trail_keys
from ia_desk.audit.standing import walk
from ia_desk.audit.trail import append
from ia_desk.db.models import (
    AuditEvent,
    AuditHead,
    CaseNote,
    CaseTask,
    IaKey,
    IaKeyGrant,
    User,
    UserKey,
)
from ia_desk.errors import IADeskError, InputError
from ia_desk.security import crypto
from ia_desk.security.actor import Actor, UnlockedKeys
from ia_desk.security.roles import IA, IA_ADMIN

GRANT_CONTEXT = b"ia-desk ia key grant|"
RECOVERY_CONTEXT = b"ia-desk ia key recovery|"
ENDORSES = b"ia-desk ia key endorses|"
# IA's private key as held in memory and sealed in each grant: the sealing half, then
# the endorsing half.
HALF = crypto.KEY_BYTES
HANDOVERS_FOLLOWED = 20  # changes of password since IA last endorsed a key
CHANGES_FOLLOWED = 50  # changes of IA's key since a user last signed in

NOT_GIVEN = (
    "Your account has not been given IA's key yet, so IA's sealed notes and tasks do not "
    "open for you. It is given at the next sign-in of an IA administrator; ask one to "
    "sign in, then sign in again."
)
STALE = (
    "IA's key changed since you signed in, so nothing was sealed or saved. Sign out and "
    "sign in again."
)
NOT_YOURS = (
    "IA's key in the database is not the one your account holds: it was changed outside "
    "IA Desk. Nothing of IA's opens or is sealed for you until an IA administrator has "
    "looked into it ('ia-desk audit verify' names the change)."
)
NO_KEY_YET = (
    "IA's key has not been made yet: it is made at the first sign-in of an IA "
    "administrator after the upgrade. Sign out and sign in again, then try once more."
)
MISSING = (
    "IA's key is missing from the database although the audit trail names it: it was "
    "removed outside IA Desk. Nothing was saved; IA's notes and tasks are neither "
    "written in clear nor sealed to a new key. Ask an IA administrator to restore the "
    "database from a backup ('ia-desk audit verify' names the change)."
)


class KeyNotHeld(IADeskError):
    """The actor does not hold IA's key (the message says why and what to do)."""


class SealedValueDoesNotOpen(IADeskError):
    """A sealed value does not open where it is: it was moved or altered outside IA Desk."""


def current(session: Session) -> IaKey | None:
    return session.scalars(select(IaKey).order_by(IaKey.id.desc())).first()


def named_now(session: Session, ia_key: IaKey) -> bool:
    """Whether ``ia_key`` is the one the trail's latest key-making event made (or the
    trail names none yet, before sealing): only that one is sealed to, opened or
    recovered (a key row put in after it, or an old one given a newer id, is not)."""
    latest = trail_keys.latest_made(session)
    return latest is None or latest == ia_key.fingerprint


def named_by_trail(session: Session) -> bool:
    """Whether the audit trail says an IA key was made (setup or an upgrade)."""
    t = AuditEvent.__table__
    rows = session.execute(
        select(t.c.details).where(
            or_(
                t.c.event_type == "ia_key.create",
                (t.c.event_type == "user.create_first_admin") & t.c.details.contains('"ia_key"'),
            )
        )
    ).all()
    for (details,) in rows:
        try:
            if json.loads(details).get("ia_key"):
                return True
        except (ValueError, AttributeError):
            continue
    return False


def identity(private: bytes) -> str:
    """The fingerprint of an IA key (both public halves) from its private key."""
    return crypto.fingerprint(
        crypto.sealing_public_of(_seal_half(private)) + crypto.public_of(_sign_half(private))
    )


def _grant_context(ia_key: IaKey, user_key_id: int) -> bytes:
    return GRANT_CONTEXT + f"{ia_key.id}|{user_key_id}".encode()


def _recovery_context(ia_key: IaKey) -> bytes:
    return RECOVERY_CONTEXT + str(ia_key.id).encode()


def _is_ia(user: User) -> bool:
    return bool(user.active) and user.role in IA


def _seal_half(private: bytes) -> bytes:
    return private[:HALF]


def _sign_half(private: bytes) -> bytes:
    return private[HALF:]


def _matches(ia_key: IaKey, private: bytes) -> bool:
    """Is ``private`` the private key of ``ia_key`` (both halves, and its name)?"""
    if len(private) != 2 * HALF:
        return False
    return (
        crypto.sealing_public_of(_seal_half(private)).hex() == ia_key.public_key
        and crypto.public_of(_sign_half(private)).hex() == ia_key.sign_public
        and identity(private) == ia_key.fingerprint
    )


def _endorsement(ia_key_id: int, row: UserKey) -> bytes:
    return ENDORSES + f"{ia_key_id}|{row.user_id}|{row.fingerprint}|{row.public_key}".encode()


def _endorse(ia_key: IaKey, private: bytes, row: UserKey) -> None:
    row.ia_endorsement = crypto.sign(_sign_half(private), _endorsement(ia_key.id, row)).hex()


def _endorsed(ia_key: IaKey, private: bytes, row: UserKey) -> bool:
    """Did IA endorse this key? Checked with the endorsing key held in memory, and
    only for a key whose fingerprint is its public key's."""
    if not row.ia_endorsement or userkeys.sealing_public(row) is None:
        return False
    try:
        signature = bytes.fromhex(row.ia_endorsement)
    except ValueError:
        return False
    public = crypto.public_of(_sign_half(private))
    return crypto.signature_holds(public, _endorsement(ia_key.id, row), signature)


def _known(session: Session, ia_key: IaKey, private: bytes, row: UserKey, depth: int = 0) -> bool:
    """Is this a key IA knows: endorsed by IA, or handed over to by the user's own
    key that IA knew (their change of password, signed by the replaced key)?"""
    if _endorsed(ia_key, private, row):
        return True
    if row.handover_from is None or not row.handover_signature or depth >= HANDOVERS_FOLLOWED:
        return False
    before = session.get(UserKey, row.handover_from)
    if before is None or before.user_id != row.user_id or userkeys.sealing_public(row) is None:
        return False
    try:
        signature = bytes.fromhex(row.handover_signature)
        public = bytes.fromhex(before.public_key)
    except ValueError:
        return False
    statement = userkeys.handover_statement(row.user_id, row.fingerprint, row.public_key)
    return crypto.signature_holds(public, statement, signature) and _known(
        session, ia_key, private, before, depth + 1
    )


def begin_account_change(session: Session, actor: Actor) -> None:
    """Before adding, resetting, enabling or disabling an account, or changing a
    password: one at a time with a change of IA's key on the server (the trail's head,
    taken first), and refused to a session that holds an IA key no longer IA's (it was
    changed since that session signed in: what it gave would be the old key)."""
    _serialise(session)
    private = actor.keys.ia_private if actor.keys is not None else None
    ia_key = current(session)
    if private is not None and ia_key is not None and not _matches(ia_key, private):
        raise InputError(STALE, field="ia_key")


def _serialise(session: Session) -> None:
    """Make IA's key, give it, or write a paper in clear one at a time on the server
    (the trail's head row, which every audited write takes anyway); SQLite's writers
    are one at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update())


def _holding(keys: UnlockedKeys, private: bytes) -> UnlockedKeys:
    return replace(keys, ia_private=private, ia_problem=None)


def _refused(keys: UnlockedKeys, problem: str) -> UnlockedKeys:
    return replace(keys, ia_private=None, ia_problem=problem)


# -- opening ------------------------------------------------------------------------------


def open_grant(session: Session, user: User, keys: UnlockedKeys) -> UnlockedKeys:
    """``keys`` holding IA's key, opened from ``user``'s grant; else ``keys`` saying
    why not (``ia_problem``), or as they are when no grant is due or made yet."""
    ia_key = current(session)
    if keys.seal_private is None or not _is_ia(user):
        return keys
    if ia_key is None:
        if keys.ia_commitment or named_by_trail(session):
            return _refused(keys, MISSING)
        return keys
    if not named_now(session, ia_key):
        return _refused(keys, NOT_YOURS)
    if (
        keys.ia_commitment is not None
        and keys.ia_commitment != ia_key.fingerprint
        and not succeeds(session, keys.ia_commitment, ia_key)
    ):
        return _refused(keys, NOT_YOURS)
    grant = session.scalar(
        select(IaKeyGrant).where(
            IaKeyGrant.ia_key_id == ia_key.id, IaKeyGrant.user_key_id == keys.key_id
        )
    )
    if grant is None:
        return keys
    try:
        private = crypto.open_sealed(
            keys.seal_private, crypto.unb64(grant.sealed), _grant_context(ia_key, keys.key_id)
        )
    except (crypto.WrongKey, ValueError):  # a grant to this key that does not open
        return _refused(keys, NOT_YOURS)
    if not _matches(ia_key, private):  # it opens, to a key that is not IA's
        return _refused(keys, NOT_YOURS)
    return _holding(keys, private)


def succeeds(session: Session, committed: str, ia_key: IaKey) -> bool:
    """Whether ``ia_key`` is the IA key ``committed`` (a fingerprint) was changed to, one
    change or several: each change's succession holds and its event is signed by an
    active IA administrator (:func:`ia_desk.audit.iakeys.rotation_problem`)."""
    if not named_now(session, ia_key):
        return False
    row: IaKey | None = ia_key
    for _ in range(CHANGES_FOLLOWED):
        if row is None or row.replaces_id is None:
            return False
        if trail_keys.rotation_problem(session, row) is not None:
            return False
        row = session.get(IaKey, row.replaces_id)
        if row is not None and row.fingerprint == committed:
            return True
    return False


def needs_commitment(keys: UnlockedKeys) -> bool:
    """The user holds IA's key but their key has not recorded which one yet, or records
    the one it was changed from (they take the new one: :func:`succeeds`)."""
    return keys.ia_private is not None and keys.ia_commitment != identity(keys.ia_private)


def commit(session: Session, keys: UnlockedKeys) -> UnlockedKeys:
    """Record in the user's own wrapped sealing pair which IA key they hold."""
    assert keys.ia_private is not None
    return userkeys.commit_to_ia_key(session, keys, identity(keys.ia_private))


# -- giving -------------------------------------------------------------------------------


def _grant(session: Session, ia_key: IaKey, private: bytes, row: UserKey, by: str) -> bool:
    """Endorse one user key and seal IA's private key to it (False: it has no signed
    sealing pair yet; it is endorsed all the same, for when it has)."""
    _endorse(ia_key, private, row)
    public = userkeys.sealing_public(row)
    if public is None:
        session.flush()
        return False
    if not has_grant(session, ia_key, row.id):
        sealed = crypto.seal(public, private, _grant_context(ia_key, row.id))
        session.add(
            IaKeyGrant(
                ia_key_id=ia_key.id, user_key_id=row.id, sealed=crypto.b64(sealed), granted_by=by
            )
        )
    session.flush()
    return True


def has_grant(session: Session, ia_key: IaKey, user_key_id: int) -> bool:
    return (
        session.scalar(
            select(IaKeyGrant.id).where(
                IaKeyGrant.ia_key_id == ia_key.id, IaKeyGrant.user_key_id == user_key_id
            )
        )
        is not None
    )


def held_by(granter: Actor, session: Session) -> tuple[IaKey, bytes] | None:
    """IA's key and its private key, when ``granter`` holds the database's current one."""
    ia_key = current(session)
    private = granter.keys.ia_private if granter.keys is not None else None
    if ia_key is None or private is None or not _matches(ia_key, private):
        return None
    if not named_now(session, ia_key):
        return None
    return ia_key, private


def commitment_for(granter: Actor, session: Session) -> str | None:
    """What a key made now by ``granter`` commits to: the IA key they hold (None: none)."""
    held = held_by(granter, session)
    return held[0].fingerprint if held is not None else None


def give(
    session: Session,
    granter: Actor,
    user: User,
    keys: UnlockedKeys,
    *,
    endorsed_before: bool,
) -> tuple[UnlockedKeys, dict[str, object]]:
    """After ``user`` got the new key ``keys``: if they are an active IA user, the
    ``granter`` holds IA's key and the account is IA's (``endorsed_before``: a new
    account the granter adds as IA, or one whose previous key IA endorsed), grant IA's
    key to the new key. Returns ``keys`` (holding IA's key when the user is the granter)
    and what the caller's event records of it: for an IA user, ``ia_key``, the
    fingerprint of the key given (None: not given now)."""
    if not _is_ia(user):
        return keys, {}
    held = held_by(granter, session)
    row = session.get(UserKey, keys.key_id)
    if held is None or row is None or not endorsed_before:
        return keys, {"ia_key": None}
    ia_key, private = held
    if not _grant(session, ia_key, private, row, granter.login):
        return keys, {"ia_key": None}
    mine = user.id == granter.user_id
    return (_holding(keys, private) if mine else keys), {"ia_key": ia_key.fingerprint}


def endorsed_now(session: Session, granter: Actor, user: User) -> bool:
    """Whether ``user``'s current key is one IA endorsed (checked with the key the
    granter holds): a reset or an enabling gives IA's key only to an account that was
    IA's, never to one whose role was raised in the database."""
    held = held_by(granter, session)
    row = userkeys.current_key(session, user.id)
    return held is not None and row is not None and _known(session, held[0], held[1], row)


def _the_trails_key(session: Session, user: User, row: UserKey) -> bool:
    """Whether the trail makes ``user`` an IA account and ``row`` its current key (a key
    row put in beside the account's own, or a role raised, outside IA Desk, is not)."""
    standing = walk(session)
    person = standing.person(user.login)
    return (
        person is not None
        and person.role in IA
        and person.key == row.fingerprint
        and user.login not in standing.doubtful
    )


def give_to_current_key(session: Session, granter: Actor, user: User) -> dict[str, object]:
    """An account enabled again keeps its key: grant IA's key to it if IA endorsed it,
    or (IA's key was changed while it was disabled, so never endorsed it) when the
    trail makes it an IA account with that key: the administrator enabling it vouches
    for it, in a signed event."""
    if not _is_ia(user):
        return {}
    held = held_by(granter, session)
    row = userkeys.current_key(session, user.id)
    if held is None or row is None:
        return {"ia_key": None}
    if not _known(session, held[0], held[1], row) and not _the_trails_key(session, user, row):
        return {"ia_key": None}
    ia_key, private = held
    if not _grant(session, ia_key, private, row, granter.login):
        return {"ia_key": None}
    return {"ia_key": ia_key.fingerprint}


def withdraw(session: Session, user: User) -> int:
    """Remove every grant of ``user``'s keys (disabled): their password opens nothing
    of IA's from now on. Their endorsement stays (an account enabled again is IA's).
    Returns how many were removed."""
    ids = select(UserKey.id).where(UserKey.user_id == user.id)
    result = session.execute(delete(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def drop_retired(session: Session, user: User) -> None:
    """Remove the grants of ``user``'s retired keys (replaced by a new one)."""
    ids = select(UserKey.id).where(UserKey.user_id == user.id, UserKey.retired_at.is_not(None))
    session.execute(delete(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(ids)))


# -- making IA's key ----------------------------------------------------------------------


def new_pair() -> bytes:
    """A new IA private key (sealing half, then endorsing half)."""
    seal_private, _ = crypto.new_sealing_pair()
    sign_private, _ = crypto.new_signing_pair()
    return seal_private + sign_private


def store(
    session: Session,
    user: User,
    keys: UnlockedKeys,
    private: bytes,
    recovery_public: bytes | None,
) -> tuple[UnlockedKeys, IaKey]:
    """Store the IA key ``private`` (made by :func:`new_pair`), grant it to ``user``
    (an IA administrator, signed in with a key only they know), endorse the current
    key of every other active IA user (an upgraded database: each is given it at an
    administrator's next sign-in) and, with ``recovery_public``, seal it to the
    recovery code."""
    ia_key = IaKey(
        fingerprint=identity(private),
        public_key=crypto.sealing_public_of(_seal_half(private)).hex(),
        sign_public=crypto.public_of(_sign_half(private)).hex(),
        created_by=user.login,
    )
    session.add(ia_key)
    session.flush()
    if recovery_public is not None:
        ia_key.recovery_sealed = crypto.b64(
            crypto.seal(recovery_public, private, _recovery_context(ia_key))
        )
    row = session.get(UserKey, keys.key_id)
    assert row is not None
    _grant(session, ia_key, private, row, user.login)
    for other in session.scalars(
        select(UserKey)
        .join(User, User.id == UserKey.user_id)
        .where(
            User.active.is_(True),
            User.role.in_(sorted(IA)),
            UserKey.retired_at.is_(None),
            UserKey.id != row.id,
        )
    ):
        _endorse(ia_key, private, other)
    session.flush()
    return _holding(keys, private), ia_key


def open_with_recovery(session: Session, recovery_key: bytes) -> bytes | None:
    """IA's private key opened with the recovery code (None: no key, or none sealed to
    this code: a database set up before sealing)."""
    ia_key = current(session)
    if ia_key is None or ia_key.recovery_sealed is None or not named_now(session, ia_key):
        return None
    recovery_private, _ = crypto.recovery_sealing_pair(recovery_key)
    try:
        private = crypto.open_sealed(
            recovery_private, crypto.unb64(ia_key.recovery_sealed), _recovery_context(ia_key)
        )
    except (crypto.WrongKey, ValueError):
        return None
    return private if _matches(ia_key, private) else None


def seal_to_recovery(session: Session, keys: UnlockedKeys, recovery_public: bytes) -> str:
    """Seal IA's key, which ``keys`` hold (an IA administrator signed in), to a new
    recovery code; the copy sealed to the old code is replaced. Returns IA's key's
    fingerprint. Refused when the signed-in key does not hold IA's key as the database
    has it (not given it, a key changed outside IA Desk, none at all)."""
    ia_key = current(session)
    if ia_key is None:
        raise InputError(MISSING if named_by_trail(session) else NO_KEY_YET, field="ia_key")
    if keys.ia_problem is not None:
        raise InputError(keys.ia_problem, field="ia_key")
    if keys.ia_private is None:
        raise InputError(NOT_GIVEN, field="ia_key")
    if not _matches(ia_key, keys.ia_private):
        raise InputError(STALE, field="ia_key")
    ia_key.recovery_sealed = crypto.b64(
        crypto.seal(recovery_public, keys.ia_private, _recovery_context(ia_key))
    )
    session.flush()
    return ia_key.fingerprint


def recovered(
    session: Session, user: User, keys: UnlockedKeys, recovery_key: bytes | None
) -> str | None:
    """After a recovery gave ``user`` a new key: grant IA's key to it, opened with the
    recovery code. Returns the IA key's fingerprint when granted."""
    ia_key = current(session)
    private = open_with_recovery(session, recovery_key) if recovery_key else None
    if ia_key is None or private is None:
        return None
    row = session.get(UserKey, keys.key_id)
    if row is None or not _grant(session, ia_key, private, row, user.login):
        return None
    userkeys.commit_to_ia_key(session, keys, ia_key.fingerprint)
    return ia_key.fingerprint


# -- changing IA's key --------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """What changing IA's key did (each list: logins)."""

    keys: UnlockedKeys  # the administrator's, holding the new key
    fingerprint: str
    replaces: str
    resealed: int  # notes and tasks sealed again to the new key
    not_opened: int  # sealed values that did not open (changed outside IA Desk): left as is
    given: list[str]  # IA users given the new key now
    given_later: list[str]  # endorsed; given at an administrator's sign-in after their next
    not_given: list[str]  # active IA accounts the new key was not given to (see the event)


def _seal_again(old: bytes, new: IaKey, sealed: str, context: bytes) -> str | None:
    """``sealed`` (sealed to the old key) sealed to ``new``; None when it does not open."""
    try:
        plain = crypto.open_sealed(_seal_half(old), crypto.unb64(sealed), context)
    except (crypto.WrongKey, ValueError):
        return None
    return crypto.b64(crypto.seal(bytes.fromhex(new.public_key), plain, context))


def _reseal_papers(session: Session, old: bytes, new: IaKey) -> tuple[int, int]:
    resealed = not_opened = 0
    for note in session.scalars(select(CaseNote).where(CaseNote.sealed.is_(True))):
        again = _seal_again(old, new, note.text, note_context(note))
        if again is None:
            not_opened += 1
            continue
        note.text = again
        resealed += 1
    for task in session.scalars(select(CaseTask).where(CaseTask.sealed.is_(True))):
        title = _seal_again(old, new, task.title, task_context(task, "title"))
        done = (
            _seal_again(old, new, task.note, task_context(task, "note"))
            if task.note is not None
            else None
        )
        if title is None or (task.note is not None and done is None):
            not_opened += 1
            continue
        task.title, task.note = title, done
        resealed += 1
    session.flush()
    return resealed, not_opened


def rotate(session: Session, actor: Actor, recovery_public: bytes | None) -> Rotation:
    """Change IA's key (an IA administrator holding it, after an IA user who held it
    left): a new key replaces it, signed over by the old one; every sealed note and task
    is sealed again to the new key; the new key is given to the administrator and to the
    current key of every other IA account that is active both in the database and in the
    trail, and that IA knew (endorsed) — never to a disabled account, a key the trail
    does not give its account, or an account enabled or raised outside IA Desk; and,
    with ``recovery_public``, sealed to a new recovery code. The old key's grants and
    recovery copy are removed. The caller audits it (``ia_key.rotate``)."""
    _serialise(session)  # no paper is sealed to the old key while it is being changed
    held = held_by(actor, session)
    if held is None:
        keys = actor.keys
        problem = keys.ia_problem if keys is not None and keys.ia_problem else None
        if current(session) is None:
            raise InputError(MISSING if named_by_trail(session) else NO_KEY_YET, field="ia_key")
        raise InputError(
            problem or (STALE if keys is not None and keys.ia_private else NOT_GIVEN),
            field="ia_key",
        )
    old, old_private = held
    assert actor.keys is not None
    # Who is IA's, from the signed trail: an account that an event which does not hold
    # is by or about (a forged enable, a spoiled disable) is not given the new key.
    standing = walk(session)
    private = new_pair()
    new = IaKey(
        fingerprint=identity(private),
        public_key=crypto.sealing_public_of(_seal_half(private)).hex(),
        sign_public=crypto.public_of(_sign_half(private)).hex(),
        created_by=actor.login,
        replaces_id=old.id,
    )
    new.succession = crypto.sign(
        _sign_half(old_private), trail_keys.succession_statement(old.fingerprint, new)
    ).hex()
    session.add(new)
    session.flush()
    if recovery_public is not None:
        new.recovery_sealed = crypto.b64(
            crypto.seal(recovery_public, private, _recovery_context(new))
        )
    resealed, not_opened = _reseal_papers(session, old_private, new)
    mine = session.get(UserKey, actor.keys.key_id)
    assert mine is not None
    _grant(session, new, private, mine, actor.login)
    given: list[str] = []
    later: list[str] = []
    refused: list[str] = []
    for user in session.scalars(
        select(User).where(User.role.in_(sorted(IA)), User.id != actor.user_id).order_by(User.id)
    ):
        if not user.active:
            continue  # left: neither given nor endorsed (enabling again vouches anew)
        row = userkeys.current_key(session, user.id)
        person = standing.person(user.login)
        if (
            row is None
            or person is None
            or not standing.is_ia(user.login, IA)
            or person.key != row.fingerprint
            or not _known(session, old, old_private, row)
        ):
            refused.append(user.login)
        elif _grant(session, new, private, row, actor.login):
            given.append(user.login)
        else:
            later.append(user.login)
    session.execute(delete(IaKeyGrant).where(IaKeyGrant.ia_key_id == old.id))
    old.recovery_sealed = None
    session.flush()
    keys = commit(session, _holding(actor.keys, private))
    return Rotation(
        keys, new.fingerprint, old.fingerprint, resealed, not_opened, given, later, refused
    )


def state(session: Session) -> dict[str, object] | None:
    """IA's key as the Administration screen tells it (None: none made yet): its
    fingerprint, when and by whom it was made, whether it replaced one, and who has left
    since: each IA account disabled after the key was made, while it held it (its
    ``user.disable`` event withdrew a grant). Their password opens nothing now, but what
    they read while they held the key they could have kept; changing it is the answer."""
    ia_key = current(session)
    if ia_key is None:
        return None
    made = trail_keys.named(session).get(ia_key.fingerprint, 0)
    t = AuditEvent.__table__
    left: list[str] = []
    for details in session.scalars(
        select(t.c.details)
        .where(t.c.event_type == "user.disable", t.c.outcome == "ok", t.c.seq > made)
        .order_by(t.c.seq)
    ):
        try:
            value = json.loads(details)
        except ValueError:
            continue
        if isinstance(value, dict) and "ia_key" in value and value.get("login"):
            login = str(value["login"])
            if login not in left:
                left.append(login)
    # Away as the signed trail says (an account set active in the database alone is
    # still away), or disabled in the database.
    standing = walk(session)
    inactive = set(
        session.scalars(select(User.login).where(User.login.in_(left), User.active.is_(False)))
    )
    still_away = {login for login in left if login in inactive or not standing.is_ia(login, IA)}
    return {
        "fingerprint": ia_key.fingerprint,
        "made_at": ia_key.created_at.isoformat() + "Z",
        "made_by": ia_key.created_by,
        "changed": ia_key.replaces_id is not None,
        "left": [login for login in left if login in still_away],
    }


# -- at sign-in ---------------------------------------------------------------------------


def pending(session: Session, user: User, keys: UnlockedKeys) -> bool:
    """Whether an IA administrator's sign-in has something to do: their key to
    commit, IA's key to make (a database from before sealing), or an IA user's key
    without a grant."""
    if not _is_ia(user) or user.role != IA_ADMIN or keys.provisional:
        return False
    if keys.ia_problem is not None:
        return False
    if needs_commitment(keys) and not keys.provisional:
        return True
    ia_key = current(session)
    if ia_key is None:
        return not keys.ia_commitment and not named_by_trail(session)
    if keys.ia_private is None:
        return False
    waiting = select(UserKey.id).join(User, User.id == UserKey.user_id).where(*_waiting(ia_key))
    return session.scalar(waiting.limit(1)) is not None


def _waiting(ia_key: IaKey) -> list[ColumnElement[bool]]:
    """What the current key of an active IA user that IA endorsed, with no grant of
    ``ia_key`` yet, is (a user key joined to its user)."""
    granted = select(IaKeyGrant.user_key_id).where(IaKeyGrant.ia_key_id == ia_key.id)
    return [
        User.active.is_(True),
        User.role.in_(sorted(IA)),
        UserKey.retired_at.is_(None),
        or_(UserKey.ia_endorsement.is_not(None), UserKey.handover_from.is_not(None)),
        UserKey.id.not_in(granted),
    ]


def settle(
    session: Session, user: User, keys: UnlockedKeys, *, pending: bool = True
) -> UnlockedKeys:
    """At an IA user's sign-in: their keys, holding IA's key when they have a grant
    of the IA key their own key committed to (or, not committed yet, of the only one).

    With ``pending`` (a write session), the user's key records which IA key it holds
    the first time it holds one, and an IA administrator signed in with a key only
    they know also does what is pending: on a database that never had an IA key, they
    make it and seal what was in clear; holding it, they grant it to every active IA
    user whose key IA endorsed. Each is audited, signed with their key."""
    if not _is_ia(user) or keys.seal_private is None:
        return keys
    if pending:
        _serialise(session)
    keys = open_grant(session, user, keys)
    if not pending or keys.ia_problem is not None:
        return keys
    if needs_commitment(keys) and not keys.provisional:  # (a provisional key is replaced)
        keys = commit(session, keys)
        append(
            session,
            Actor(user.id, user.login, user.name, user.role, keys=keys),
            "ia_key.commit",
            object_type="user",
            object_id=user.id,
            details={"key": keys.fingerprint, "ia_key": keys.ia_commitment},
        )
    if user.role != IA_ADMIN or keys.provisional:
        return keys
    actor = Actor(user.id, user.login, user.name, user.role, keys=keys)
    ia_key = current(session)
    if ia_key is None:
        if keys.ia_commitment or named_by_trail(session):
            return _refused(keys, MISSING)
        keys, ia_key = store(session, user, keys, new_pair(), None)
        keys = commit(session, keys)
        actor = Actor(user.id, user.login, user.name, user.role, keys=keys)
        sealed = seal_clear_papers(session, ia_key)
        append(
            session,
            actor,
            "ia_key.create",
            object_type="ia_key",
            object_id=ia_key.id,
            details={"ia_key": ia_key.fingerprint, "sealed": sealed, "recovery": False},
        )
    if keys.ia_private is None:
        return keys
    _grant_pending(session, actor, ia_key, keys.ia_private)
    return keys


def _grant_pending(session: Session, actor: Actor, ia_key: IaKey, private: bytes) -> None:
    rows = session.execute(
        select(UserKey, User)
        .join(User, User.id == UserKey.user_id)
        .where(*_waiting(ia_key))
        .order_by(UserKey.id)
    ).all()
    standing = walk(session) if rows else None
    for row, user in rows:
        if not _known(session, ia_key, private, row):  # not a key IA knows: never given it
            continue
        assert standing is not None
        if not standing.is_ia(user.login, IA):  # enabled or raised outside IA Desk
            continue
        if _grant(session, ia_key, private, row, actor.login):
            append(
                session,
                actor,
                "ia_key.grant",
                object_type="user",
                object_id=user.id,
                details={"login": user.login, "key": row.fingerprint, "ia_key": ia_key.fingerprint},
            )


# -- sealing and opening ------------------------------------------------------------------


def _held(actor: Actor) -> bytes:
    keys = actor.keys
    if keys is None or keys.ia_private is None:
        raise KeyNotHeld(keys.ia_problem if keys is not None and keys.ia_problem else NOT_GIVEN)
    return keys.ia_private


def sealing(session: Session, actor: Actor) -> bool:
    """Whether what IA writes now is sealed: True when IA's key exists (and ``actor``
    holds it: :class:`KeyNotHeld` otherwise); False only on a database that never had
    one (an upgraded database until its first IA administrator signs in: papers are
    kept in clear and sealed when the key is made)."""
    # An administrator making or changing IA's key now goes first: what is sealed after
    # waits for their change, and is sealed to the key it made (or refused as STALE).
    _serialise(session)
    ia_key = current(session)
    if ia_key is None:
        holds = actor.keys is not None and (actor.keys.ia_private or actor.keys.ia_commitment)
        if holds or named_by_trail(session):
            raise KeyNotHeld(MISSING)
        return False
    private = _held(actor)
    if not _matches(ia_key, private):  # IA's key changed since sign-in
        raise KeyNotHeld(STALE)
    if not named_now(session, ia_key):  # an old key put back as the newest row
        raise KeyNotHeld(NOT_YOURS)
    return True


def seal_for(actor: Actor, plaintext: str, context: bytes) -> str:
    """``plaintext`` sealed to IA's key, by an actor holding it (the public half it
    seals to is the one of the private key they opened, not one read from the
    database, which someone could have swapped)."""
    public = crypto.sealing_public_of(_seal_half(_held(actor)))
    return crypto.b64(crypto.seal(public, plaintext.encode("utf-8"), context))


def seal_to(ia_key: IaKey, plaintext: str, context: bytes) -> str:
    """``plaintext`` sealed to IA's key as the database names it (sealing what was in
    clear when the key is made: its maker just made that public half)."""
    public = bytes.fromhex(ia_key.public_key)
    return crypto.b64(crypto.seal(public, plaintext.encode("utf-8"), context))


def open_for(actor: Actor, sealed: str, context: bytes, what: str) -> str:
    """What :func:`seal_for` sealed, for an actor holding IA's key; :class:`KeyNotHeld`
    otherwise, :class:`SealedValueDoesNotOpen` when it does not open here (moved or
    altered: ``what`` names it, "Note 12")."""
    private = _held(actor)
    try:
        opened = crypto.open_sealed(_seal_half(private), crypto.unb64(sealed), context)
        return opened.decode("utf-8")
    except (crypto.WrongKey, ValueError, UnicodeDecodeError):
        raise tampered(what) from None


def tampered(what: str) -> SealedValueDoesNotOpen:
    return SealedValueDoesNotOpen(
        f"{what} does not open with IA's key: it was moved or changed outside IA Desk. "
        "'ia-desk audit verify' says when, and by whom if the server recorded it."
    )


def in_clear(what: str) -> SealedValueDoesNotOpen:
    """A paper in clear on a database that seals them: put there outside IA Desk."""
    return SealedValueDoesNotOpen(
        f"{what} is stored in clear although IA's notes and tasks are sealed: it was put "
        "there outside IA Desk, so it is not shown. 'ia-desk audit verify' says when, and "
        "by whom if the server recorded it."
    )


# -- what is sealed: IA's working papers ---------------------------------------------------


def note_context(note: CaseNote) -> bytes:
    """A note's text opens only as that note: its id, case, author and version."""
    return (
        f"ia-desk note|{note.id}|{note.case_id}|{note.author_id}|{note.supersedes_id or ''}"
    ).encode()


def task_context(task: CaseTask, part: str) -> bytes:
    """A task's title (``part`` "title") or what was done ("note"): that task's only."""
    return f"ia-desk task {part}|{task.id}|{task.case_id}|{task.created_by_id}".encode()


def seal_clear_papers(session: Session, ia_key: IaKey) -> int:
    """Seal every note and task still in clear (written before IA's key existed).
    Returns how many rows were sealed."""
    count = 0
    for note in session.scalars(select(CaseNote).where(CaseNote.sealed.is_(False))):
        note.text = seal_to(ia_key, note.text, note_context(note))
        note.sealed = True
        count += 1
    for task in session.scalars(select(CaseTask).where(CaseTask.sealed.is_(False))):
        task.title = seal_to(ia_key, task.title, task_context(task, "title"))
        if task.note is not None:
            task.note = seal_to(ia_key, task.note, task_context(task, "note"))
        task.sealed = True
        count += 1
    session.flush()
    return count
