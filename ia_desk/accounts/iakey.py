"""IA's sealing key: what only IA may read is sealed so that only IA users open it.

IA Desk keeps one IA key (X25519). What is IA's alone is sealed to its public half
(AES-256-GCM under a key agreed with it, :func:`ia_desk.security.crypto.seal`): today
IA's case notes, task titles and what was done on a task (:mod:`ia_desk.cases.notes`).
Its private half is never stored as such. It is sealed

- to each active IA user's own key (the key's sealing pair, wrapped under a key derived
  from that user's password: :mod:`ia_desk.accounts.userkeys`), in one
  :class:`~ia_desk.db.models.IaKeyGrant` per user key; and
- on an embedded database, to its recovery code (``IaKey.recovery_sealed``), so that
  a recovery opens sealed papers too.

So a supervisor or command staff, with their own password, the database file, its key
and every backup, or a database administrator on the server, reads ciphertext: none of
their keys opens a grant. An IA user opens their grant at sign-in, and holds IA's
private key in memory for the session only.

Who gets a grant, and when (each audited, signed by the granter):

- the first administrator, at setup, when the key is made (``ia_key.create``);
- on an upgraded database, the first IA administrator who signs in makes the key,
  seals what was in clear, and grants it to every other IA user whose key has a
  sealing pair;
- a new IA account, an IA user's reset or change of password, an account enabled
  again: a grant to their new key, from the administrator (or the user) who holds it;
- an IA user who still has none (their key was made before sealing, or by an
  administrator who did not hold the key): at the next sign-in of an IA administrator
  who holds it.

IA's key is a pair of pairs: the sealing one (X25519), and an endorsing one (Ed25519)
with which a holder signs each user key they give IA's key to. Without an
administrator's own act (adding, resetting, enabling an account) IA's key is given
only to a key IA endorsed, checked against the endorsing key the granter holds in
memory, never against one read from the database: a key someone put into the database
(an account of their own, made to look like IA's) is never given it.

Disabling a user removes their grants, and a replaced key's grant is removed with it.
What is sealed is bound to where it belongs (a note to its case and author), so a
sealed value copied onto another row does not open there.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ia_desk.accounts import userkeys
from ia_desk.audit.trail import append
from ia_desk.db.models import CaseNote, CaseTask, IaKey, IaKeyGrant, User, UserKey
from ia_desk.errors import IADeskError
from ia_desk.security import crypto
from ia_desk.security.actor import Actor, UnlockedKeys
from ia_desk.security.roles import IA, IA_ADMIN

GRANT_CONTEXT = b"ia-desk ia key grant|"
RECOVERY_CONTEXT = b"ia-desk ia key recovery|"
NOT_GIVEN = (
    "Your account has not been given IA's key yet, so IA's sealed notes and tasks do not "
    "open for you. It is given at the next sign-in of an IA administrator; ask one to "
    "sign in, then sign in again."
)


STALE = (
    "IA's key changed since you signed in, so nothing was sealed or saved. Sign out and "
    "sign in again."
)


class KeyNotHeld(IADeskError):
    """The actor does not hold IA's key (see :data:`NOT_GIVEN`)."""


class SealedValueDoesNotOpen(IADeskError):
    """A sealed value does not open where it is: it was moved or altered outside IA Desk."""


def current(session: Session) -> IaKey | None:
    return session.scalars(select(IaKey).order_by(IaKey.id.desc())).first()


def _grant_context(ia_key: IaKey, user_key_id: int) -> bytes:
    return GRANT_CONTEXT + f"{ia_key.id}|{user_key_id}".encode()


def _recovery_context(ia_key: IaKey) -> bytes:
    return RECOVERY_CONTEXT + str(ia_key.id).encode()


def _is_ia(user: User) -> bool:
    return bool(user.active) and user.role in IA


# IA's private key as held in memory and sealed in each grant: the sealing half, then
# the endorsing half.
HALF = crypto.KEY_BYTES
ENDORSES = b"ia-desk ia key endorses|"


def _seal_half(private: bytes) -> bytes:
    return private[:HALF]


def _sign_half(private: bytes) -> bytes:
    return private[HALF:]


def _matches(ia_key: IaKey, private: bytes) -> bool:
    """Is ``private`` the private key of ``ia_key`` (both halves)?"""
    if len(private) != 2 * HALF:
        return False
    return (
        crypto.sealing_public_of(_seal_half(private)).hex() == ia_key.public_key
        and crypto.public_of(_sign_half(private)).hex() == ia_key.sign_public
    )


def _endorsement(ia_key_id: int, row: UserKey) -> bytes:
    return ENDORSES + f"{ia_key_id}|{row.user_id}|{row.fingerprint}".encode()


def _endorse(ia_key: IaKey, private: bytes, row: UserKey) -> None:
    row.ia_endorsement = crypto.sign(_sign_half(private), _endorsement(ia_key.id, row)).hex()


def _endorsed(ia_key: IaKey, private: bytes, row: UserKey) -> bool:
    """Did IA endorse this key? Checked with the endorsing key held in memory."""
    if not row.ia_endorsement:
        return False
    try:
        signature = bytes.fromhex(row.ia_endorsement)
    except ValueError:
        return False
    public = crypto.public_of(_sign_half(private))
    return crypto.signature_holds(public, _endorsement(ia_key.id, row), signature)


def open_grant(session: Session, user: User, keys: UnlockedKeys) -> bytes | None:
    """IA's private key, opened from ``user``'s grant with their keys (None: no key, no
    grant for this key, or a grant that does not open: altered, or sealed to a pair
    that is not this key's)."""
    ia_key = current(session)
    if ia_key is None or keys.seal_private is None or not _is_ia(user):
        return None
    grant = session.scalar(
        select(IaKeyGrant).where(
            IaKeyGrant.ia_key_id == ia_key.id, IaKeyGrant.user_key_id == keys.key_id
        )
    )
    if grant is None:
        return None
    try:
        private = crypto.open_sealed(
            keys.seal_private, crypto.unb64(grant.sealed), _grant_context(ia_key, keys.key_id)
        )
    except (crypto.WrongKey, ValueError):
        return None
    return private if _matches(ia_key, private) else None


def _grant(session: Session, ia_key: IaKey, private: bytes, row: UserKey, by: str) -> bool:
    """Endorse one user key and seal IA's private key to it (False: it has no signed
    sealing pair yet; it is endorsed all the same, for when it has)."""
    _endorse(ia_key, private, row)
    public = userkeys.sealing_public(row)
    if public is None:
        session.flush()
        return False
    sealed = crypto.seal(public, private, _grant_context(ia_key, row.id))
    session.add(
        IaKeyGrant(
            ia_key_id=ia_key.id, user_key_id=row.id, sealed=crypto.b64(sealed), granted_by=by
        )
    )
    session.flush()
    return True


def give(
    session: Session, granter: Actor, user: User, keys: UnlockedKeys
) -> tuple[UnlockedKeys, dict[str, object]]:
    """After ``user`` got the new key ``keys`` (a new account, a reset, a change of
    password): if they are an active IA user and ``granter`` holds IA's key, grant it
    to the new key. Returns ``keys`` (holding IA's key when the user is the granter)
    and what the caller's event records of it: for an IA user, ``ia_key``, the
    fingerprint of the key given (None: not given now)."""
    row = session.get(UserKey, keys.key_id)
    if row is None:
        return keys, {}
    private, given = give_to_key(session, granter, user, row)
    held = _holding(keys, private) if private and user.id == granter.user_id else keys
    return held, given


def give_to_key(
    session: Session, granter: Actor, user: User, row: UserKey
) -> tuple[bytes | None, dict[str, object]]:
    """:func:`give` for a stored key (an account enabled again keeps its key)."""
    if not _is_ia(user):
        return None, {}
    ia_key = current(session)
    private = granter.keys.ia_private if granter.keys is not None else None
    if ia_key is None or private is None or not _matches(ia_key, private):
        return None, {"ia_key": None}
    if has_grant(session, ia_key, row.id) or _grant(session, ia_key, private, row, granter.login):
        return private, {"ia_key": ia_key.fingerprint}
    return None, {"ia_key": None}


def has_grant(session: Session, ia_key: IaKey, user_key_id: int) -> bool:
    return (
        session.scalar(
            select(IaKeyGrant.id).where(
                IaKeyGrant.ia_key_id == ia_key.id, IaKeyGrant.user_key_id == user_key_id
            )
        )
        is not None
    )


def _holding(keys: UnlockedKeys, private: bytes) -> UnlockedKeys:
    from dataclasses import replace

    return replace(keys, ia_private=private)


def withdraw(session: Session, user: User) -> int:
    """Remove every grant of ``user``'s keys (disabled): their password opens nothing
    of IA's from now on. Returns how many were removed."""
    ids = select(UserKey.id).where(UserKey.user_id == user.id)
    result = session.execute(delete(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(ids)))
    session.execute(update(UserKey).where(UserKey.user_id == user.id).values(ia_endorsement=None))
    return int(getattr(result, "rowcount", 0) or 0)


def drop_retired(session: Session, user: User) -> None:
    """Remove the grants of ``user``'s retired keys (replaced by a new one)."""
    ids = select(UserKey.id).where(UserKey.user_id == user.id, UserKey.retired_at.is_not(None))
    session.execute(delete(IaKeyGrant).where(IaKeyGrant.user_key_id.in_(ids)))


def create(
    session: Session, user: User, keys: UnlockedKeys, recovery_public: bytes | None
) -> tuple[UnlockedKeys, IaKey]:
    """Make IA's key, grant it to ``user`` (an IA administrator, signed in with a key
    only they know), endorse the current key of every other active IA user (an
    upgraded database: they are given it at their next chance) and, with
    ``recovery_public``, seal it to the recovery code."""
    seal_private, seal_public = crypto.new_sealing_pair()
    sign_private, sign_public = crypto.new_signing_pair()
    private = seal_private + sign_private
    ia_key = IaKey(
        fingerprint=crypto.fingerprint(seal_public),
        public_key=seal_public.hex(),
        sign_public=sign_public.hex(),
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
    if ia_key is None or ia_key.recovery_sealed is None:
        return None
    recovery_private, _ = crypto.recovery_sealing_pair(recovery_key)
    try:
        private = crypto.open_sealed(
            recovery_private, crypto.unb64(ia_key.recovery_sealed), _recovery_context(ia_key)
        )
    except (crypto.WrongKey, ValueError):
        return None
    return private if _matches(ia_key, private) else None


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
    return ia_key.fingerprint


def settle(
    session: Session, user: User, keys: UnlockedKeys, *, pending: bool = True
) -> UnlockedKeys:
    """At an IA user's sign-in: their keys, holding IA's key when they have a grant.

    An IA administrator signed in with a key only they know (not provisional) also
    does what is pending: on a database with no IA key yet, they make it and seal what
    was in clear; holding it, they grant it to every active IA user without one. Each
    is audited, signed with their key. ``pending=False``: open only (a read-only
    session)."""
    if not _is_ia(user) or keys.seal_private is None:
        return keys
    private = open_grant(session, user, keys)
    if private is not None:
        keys = _holding(keys, private)
    if not pending or user.role != IA_ADMIN or keys.provisional:
        return keys
    actor = Actor(user.id, user.login, user.name, user.role, keys=keys)
    ia_key = current(session)
    if ia_key is None:
        keys, ia_key = create(session, user, keys, None)
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
    granted = select(IaKeyGrant.user_key_id).where(IaKeyGrant.ia_key_id == ia_key.id)
    rows = session.execute(
        select(UserKey, User)
        .join(User, User.id == UserKey.user_id)
        .where(
            User.active.is_(True),
            User.role.in_(sorted(IA)),
            UserKey.retired_at.is_(None),
            UserKey.id.not_in(granted),
        )
        .order_by(UserKey.id)
    ).all()
    for row, user in rows:
        if not _endorsed(ia_key, private, row):  # not a key IA knows: never given it
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


def seal_for(actor: Actor, plaintext: str, context: bytes) -> str:
    """``plaintext`` sealed to IA's key, by an actor holding it (the public half it
    seals to is the one of the private key they opened, not one read from the
    database, which someone could have swapped)."""
    private = actor.keys.ia_private if actor.keys is not None else None
    if private is None:
        raise KeyNotHeld(NOT_GIVEN)
    public = crypto.sealing_public_of(_seal_half(private))
    return crypto.b64(crypto.seal(public, plaintext.encode("utf-8"), context))


def seal_to(ia_key: IaKey, plaintext: str, context: bytes) -> str:
    """``plaintext`` sealed to IA's key as the database names it (sealing what was in
    clear when the key is made: its maker just made that public half)."""
    public = bytes.fromhex(ia_key.public_key)
    return crypto.b64(crypto.seal(public, plaintext.encode("utf-8"), context))


def open_for(actor: Actor, sealed: str, context: bytes, what: str) -> str:
    """What :func:`seal_for` sealed, for an actor holding IA's key; :class:`KeyNotHeld`
    otherwise, :class:`SealedValueDoesNotOpen` when it does not open here (moved or
    altered: ``what`` names it, "note 12")."""
    private = actor.keys.ia_private if actor.keys is not None else None
    if private is None:
        raise KeyNotHeld(NOT_GIVEN)
    try:
        opened = crypto.open_sealed(_seal_half(private), crypto.unb64(sealed), context)
        return opened.decode("utf-8")
    except (crypto.WrongKey, ValueError, UnicodeDecodeError):
        raise SealedValueDoesNotOpen(
            f"{what} does not open with IA's key: it was moved or changed outside IA Desk. "
            "'ia-desk audit verify' says when, and by whom if the server recorded it."
        ) from None


def sealing(session: Session, actor: Actor) -> bool:
    """Whether what IA writes now is sealed (IA's key exists); :class:`KeyNotHeld` when
    it exists and ``actor`` does not hold it. Before the key exists (an upgraded
    database, until its first IA administrator signs in) papers are kept in clear and
    sealed when it is made."""
    ia_key = current(session)
    if ia_key is None:
        return False
    if actor.keys is None or actor.keys.ia_private is None:
        raise KeyNotHeld(NOT_GIVEN)
    if not _matches(ia_key, actor.keys.ia_private):  # IA's key changed since sign-in
        raise KeyNotHeld(STALE)
    return True


# -- what is sealed: IA's working papers ---------------------------------------------------


def note_context(note: CaseNote) -> bytes:
    """A note's text opens only on its case, under its author, as the version it is."""
    return f"ia-desk note|{note.case_id}|{note.author_id}|{note.supersedes_id or ''}".encode()


def task_context(task: CaseTask, part: str) -> bytes:
    """A task's title (``part`` "title") or what was done ("note"), on its case."""
    return f"ia-desk task {part}|{task.case_id}|{task.created_by_id}".encode()


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
