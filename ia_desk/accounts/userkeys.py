"""Each user's own keys, opened with their own password.

A user has one current signing key (Ed25519). Its public half is stored in the clear;
its private half is wrapped (AES-256-GCM) under a key derived from the user's password
(Argon2id with a salt of its own), so only someone who knows that password can sign as
that user: not an administrator, not anyone holding the database or a backup.

Who makes the key decides what it may sign (see :mod:`ia_desk.audit.signatures`):

- the user, knowing their own password (the first administrator at setup, a change of
  password, the first sign-in of an account that had no key): a full key;
- an administrator, who chose the password (a new account, a reset): a *provisional*
  key, which signs only the user's sign-in and the change of password that replaces it
  with a key only the user knows.

Each new key is named (by fingerprint) in the signed audit event that makes it, so the
trail itself says which key was whose, from when.

Beside its signing key, each key has a sealing pair (X25519): its private half wrapped
under the same password-derived key, its public half signed with the signing key. What
is sealed to the public half (IA's key, :mod:`ia_desk.accounts.iakey`) opens only with
the user's own password. A key from before sealing gets its pair at its next opening.
"""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ia_desk.db.models import User, UserKey, utcnow
from ia_desk.security import crypto
from ia_desk.security.actor import UnlockedKeys

WRAP_CONTEXT = b"ia-desk user key|"
SEAL_WRAP_CONTEXT = b"ia-desk user sealing key|"
SEAL_SIGNED = b"ia-desk sealing key of|"


def _context(user_id: int) -> bytes:
    # The wrapping names its user: a wrapped key copied onto another user's row does
    # not open there.
    return WRAP_CONTEXT + str(user_id).encode()


def _seal_context(user_id: int) -> bytes:
    return SEAL_WRAP_CONTEXT + str(user_id).encode()


def seal_statement(user_id: int, fingerprint: str, seal_public: bytes) -> bytes:
    """What a key's signing half signs of its sealing half: whose, which key, which pair."""
    return SEAL_SIGNED + f"{user_id}|{fingerprint}|".encode() + seal_public


# The wrapped sealing pair: its private half, then (once the key holds IA's key) the
# fingerprint of that IA key, so a key swapped into the database is noticed.
COMMITMENT_BYTES = len(crypto.fingerprint(b"")) // 2
HANDS_OVER = b"ia-desk key hands over to|"


def handover_statement(user_id: int, fingerprint: str, public_key: str) -> bytes:
    """What a replaced key signs of its successor: whose, which key, its public half."""
    return HANDS_OVER + f"{user_id}|{fingerprint}|{public_key}".encode()


def _wrap_sealing(row: UserKey, wrapping: bytes, seal_private: bytes, ia_key: str | None) -> None:
    plain = seal_private + (bytes.fromhex(ia_key) if ia_key else b"")
    row.seal_wrapped = crypto.b64(crypto.wrap(wrapping, plain, _seal_context(row.user_id)))


def _give_sealing_pair(
    row: UserKey, wrapping: bytes, signing_private: bytes, ia_key: str | None
) -> bytes:
    """Make ``row`` a sealing pair (committed to the IA key ``ia_key``, if given);
    returns its private half."""
    private, public = crypto.new_sealing_pair()
    row.seal_public = public.hex()
    _wrap_sealing(row, wrapping, private, ia_key)
    row.seal_signature = crypto.sign(
        signing_private, seal_statement(row.user_id, row.fingerprint, public)
    ).hex()
    return private


def commit_to_ia_key(session: Session, keys: UnlockedKeys, ia_key: str) -> UnlockedKeys:
    """Record, inside the user's own wrapped sealing pair, that their key holds the IA
    key ``ia_key`` (a fingerprint): from now on another IA key in the database is
    refused for them. Needs the keys as opened at sign-in (with their wrapping)."""
    row = session.get(UserKey, keys.key_id)
    if row is None or keys.wrapping is None or keys.seal_private is None:
        return keys
    _wrap_sealing(row, keys.wrapping, keys.seal_private, ia_key)
    session.flush()
    return replace(keys, ia_commitment=ia_key)


def sealing_public(row: UserKey) -> bytes | None:
    """A key's public sealing half, if it has one and its signing half signed it (a
    half swapped in the database is not one: nothing is sealed to it)."""
    if not row.seal_public or not row.seal_signature:
        return None
    try:
        public = bytes.fromhex(row.seal_public)
        signing = bytes.fromhex(row.public_key)
        if crypto.fingerprint(signing) != row.fingerprint:
            return None
        signed = crypto.signature_holds(
            signing,
            seal_statement(row.user_id, row.fingerprint, public),
            bytes.fromhex(row.seal_signature),
        )
    except ValueError:
        return None
    return public if signed and len(public) == crypto.KEY_BYTES else None


def kdf_params() -> crypto.KdfParams:
    """The cost of deriving a key from a password (read at each use: tests make it
    cheap, as they do the password hash)."""
    return crypto.DEFAULT_KDF


def new_key(
    session: Session,
    user: User,
    password: str,
    *,
    provisional: bool,
    ia_key: str | None = None,
    handed_over_by: UnlockedKeys | None = None,
) -> UnlockedKeys:
    """Make ``user`` a new signing key wrapped under ``password``; the key it replaces
    (if any) is retired. ``ia_key``: the fingerprint of the IA key it will hold (given
    by whoever makes it holding that key). ``handed_over_by``: the user's own keys
    being replaced (their change of password), which sign the hand-over to the new one.
    The caller names the new fingerprint in the event it appends."""
    private, public = crypto.new_signing_pair()
    salt = crypto.new_salt()
    params = kdf_params()
    wrapping = crypto.key_from_password(password, salt, params)
    now = utcnow()
    session.execute(
        update(UserKey)
        .where(UserKey.user_id == user.id, UserKey.retired_at.is_(None))
        .values(retired_at=now)
    )
    row = UserKey(
        user_id=user.id,
        fingerprint=crypto.fingerprint(public),
        public_key=public.hex(),
        wrapped=crypto.b64(crypto.wrap(wrapping, private, _context(user.id))),
        salt=crypto.b64(salt),
        kdf=json.dumps(params.as_dict(), sort_keys=True),
        provisional=provisional,
    )
    seal_private = _give_sealing_pair(row, wrapping, private, ia_key)
    if handed_over_by is not None:
        row.handover_from = handed_over_by.key_id
        row.handover_signature = crypto.sign(
            handed_over_by.signing_private,
            handover_statement(user.id, row.fingerprint, row.public_key),
        ).hex()
    session.add(row)
    session.flush()
    return UnlockedKeys(
        row.id,
        row.fingerprint,
        provisional,
        private,
        seal_private,
        wrapping=wrapping,
        ia_commitment=ia_key,
    )


def current_key(session: Session, user_id: int) -> UserKey | None:
    return session.scalars(
        select(UserKey)
        .where(UserKey.user_id == user_id, UserKey.retired_at.is_(None))
        .order_by(UserKey.id.desc())
    ).first()


class KeyDoesNotOpen(Exception):
    """The user's key row does not open with their (right) password: it was altered."""


def unlock(session: Session, user: User, password: str) -> UnlockedKeys | None:
    """Open the user's current key with their password (None: they have none yet).

    Raises :class:`KeyDoesNotOpen` when the row does not open or holds a key that is
    not its public key's: someone changed it outside IA Desk.
    """
    row = current_key(session, user.id)
    if row is None:
        return None
    try:
        params = crypto.KdfParams.of(json.loads(row.kdf))
        wrapping = crypto.key_from_password(password, crypto.unb64(row.salt), params)
        private = crypto.unwrap(wrapping, crypto.unb64(row.wrapped), _context(user.id))
        public = bytes.fromhex(row.public_key)
        if crypto.public_of(private) != public or crypto.fingerprint(public) != row.fingerprint:
            raise KeyDoesNotOpen
        commitment: str | None = None
        if row.seal_wrapped is None:  # a key from before sealing: its pair, now
            seal_private = _give_sealing_pair(row, wrapping, private, None)
            session.flush()
        else:
            plain = crypto.unwrap(wrapping, crypto.unb64(row.seal_wrapped), _seal_context(user.id))
            seal_private = plain[: crypto.KEY_BYTES]
            if len(plain) == crypto.KEY_BYTES + COMMITMENT_BYTES:
                commitment = plain[crypto.KEY_BYTES :].hex()
            elif len(plain) != crypto.KEY_BYTES:
                raise KeyDoesNotOpen
            if sealing_public(row) != crypto.sealing_public_of(seal_private):
                raise KeyDoesNotOpen
    except (crypto.WrongKey, ValueError, KeyError, TypeError) as exc:
        raise KeyDoesNotOpen from exc
    return UnlockedKeys(
        row.id,
        row.fingerprint,
        bool(row.provisional),
        private,
        seal_private,
        wrapping=wrapping,
        ia_commitment=commitment,
    )
