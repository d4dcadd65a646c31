"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ia_desk.errors import InputError
from ia_desk.resources import resource

MIN_LENGTH = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def common_passwords() -> frozenset[str]:
    path = resource("common-passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def check_password_rules(password: str, login: str) -> None:
    """Raise InputError naming the rule a new password breaks."""
    if len(password) < MIN_LENGTH:
        raise InputError(
            f"The password must be at least {MIN_LENGTH} characters long.", field="password"
        )
    lowered = password.lower()
    if login and login.lower() in lowered:
        raise InputError("The password must not contain the login name.", field="password")
    if lowered in common_passwords():
        raise InputError(
            "That password is on the list of common passwords; choose another.", field="password"
        )
    if len(set(password)) < 5:
        raise InputError(
            "The password repeats too few different characters; choose another.", field="password"
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash of a random string: verified against when the login does not exist, so that
# a wrong login and a wrong password take the same time.
@cache
def dummy_hash() -> str:
    """A hash to verify against for an unknown login, so both take the same time. Made
    on first use: hashing costs a fifth of a second that a start need not wait for."""
    return _hasher.hash("ia-desk timing equaliser, not a password")
