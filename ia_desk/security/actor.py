"""The acting user, passed explicitly to every service (there is no global current user),
and the check that the user still stands where they stood when they signed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ia_desk.errors import AuthenticationError


@dataclass(frozen=True)
class UnlockedKeys:
    """A signed-in user's keys, opened with their password (see
    :mod:`ia_desk.accounts.userkeys`), held in memory for the session only."""

    key_id: int
    fingerprint: str
    provisional: bool
    signing_private: bytes = field(repr=False)
    # The key's sealing pair (what is sealed to this user opens with it) and, for an IA
    # user given IA's key, IA's private sealing key (:mod:`ia_desk.accounts.iakey`).
    seal_private: bytes | None = field(default=None, repr=False)
    ia_private: bytes | None = field(default=None, repr=False)
    # The key derived from the password that wraps these (to record a commitment
    # without asking for the password again), and the IA key this user key committed to
    # (its fingerprint, kept inside the wrapped sealing pair: nobody but the user can
    # change it). ``ia_problem``: why IA's key in the database was refused.
    wrapping: bytes | None = field(default=None, repr=False)
    ia_commitment: str | None = None
    ia_problem: str | None = None

    def __repr__(self) -> str:  # a secret never reaches a log by accident
        return f"UnlockedKeys(fingerprint={self.fingerprint!r})"


@dataclass(frozen=True)
class Actor:
    user_id: int
    login: str
    name: str
    role: str
    # When the password was last set, as seen at sign-in: a reset or change elsewhere
    # afterwards ends this session (None: not checked, for system and test actors).
    password_changed_at: dt.datetime | None = None
    # Signed in with a password an administrator set: nothing but choosing a new one.
    must_change_password: bool = False
    # The keys opened at sign-in: the actor's events are signed with them. Not part of
    # who the actor is (two sign-ins of one user are the same actor).
    keys: UnlockedKeys | None = field(default=None, compare=False, repr=False)


class SessionEnded(AuthenticationError):
    """The signed-in user was disabled, given another role or a new password since."""


def check_standing(session: Session, actor: Actor) -> None:
    """Refuse a transaction of an actor whose account changed since they signed in: it
    was disabled, its role changed, its password was reset or changed elsewhere, or it
    must choose a new password first. (An open session of a disabled user stops at its
    next action, not at its next sign-in.)"""
    from ia_desk.db.models import User

    row = (
        session.connection()
        .execute(
            select(
                User.active, User.role, User.password_changed_at, User.must_change_password
            ).where(User.id == actor.user_id)
        )
        .first()
    )
    if row is None or not row.active:
        raise SessionEnded(
            f"The account {actor.login} is no longer active; nothing was done. "
            "Ask an IA administrator."
        )
    if row.role != actor.role:
        raise SessionEnded(
            f"The role of {actor.login} was changed by an administrator; nothing was done. "
            "Sign in again."
        )
    if actor.password_changed_at is not None and row.password_changed_at != (
        actor.password_changed_at
    ):
        raise SessionEnded(
            f"The password of {actor.login} was changed since this session began; nothing "
            "was done. Sign in again."
        )
    if row.must_change_password:
        raise SessionEnded(
            f"{actor.login} must choose a new password before anything else (an "
            "administrator set the current one)."
        )
