"""Secrets: the database key and the audit HMAC key, as the keyring and passphrases hold them.

An embedded database made by this version opens with its user's own password (the key
file: :mod:`ia_desk.security.keyfile`); the keyring only caches its unwrapped secrets on
a workstation with a secure keyring (below, "this workstation's cache"). What follows
is how databases from before that were opened, until their first sign-in moves them
(:mod:`ia_desk.startup.own_passwords`), and the server's audit key.

Where the OS keyring has a secure backend, each such database got a random 256-bit key
and a random audit key, both kept in the keyring under names derived from the
database's location. Where it has none (headless Linux: ``keyring.backends.fail``),
the user gives a passphrase (``IA_DESK_PASSPHRASE`` for scripts, or a prompt); SQLCipher
derives the database key from it with its own salted PBKDF2, and the audit key is
derived with PBKDF2-HMAC-SHA256 and a salt stored in the database. Nothing ever falls
back to an unencrypted database or a key in a file. Secrets are never logged.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import keyring
import keyring.errors

SERVICE = "IA Desk"
PASSPHRASE_ENV = "IA_DESK_PASSPHRASE"  # noqa: S105 - the name of a variable
AUDIT_KDF_ITERATIONS = 310_000
MIN_PASSPHRASE = 12

PassphrasePrompt = Callable[[str, bool], str]
"""prompt(message, confirm) -> passphrase; confirm=True when one is being chosen."""


def secure_keyring_available() -> bool:
    """True when the keyring backend really stores secrets somewhere protected."""
    kr = keyring.get_keyring()
    name = type(kr).__module__ + "." + type(kr).__name__
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if "Plaintext" in name or "plaintext" in name:
        return False
    try:
        return float(getattr(kr, "priority", 0)) >= 1
    except Exception:  # noqa: BLE001 - a broken backend is not a secure one
        return False


def _get(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except keyring.errors.KeyringError:
        return None


def _set(name: str, value: str) -> None:
    keyring.set_password(SERVICE, name, value)


@dataclass(frozen=True)
class DatabaseSecrets:
    """What is needed to open one database and sign its audit trail."""

    sqlcipher_key: str | None  # the value for PRAGMA key (None: not encrypted)
    audit_key: bytes | None  # None in passphrase mode until the salt is read
    passphrase: str | None  # kept only to derive the audit key, never stored
    source: str  # "keyring" | "passphrase" | "none"

    def __repr__(self) -> str:  # never print a secret by accident
        return f"DatabaseSecrets(source={self.source!r})"


def _names(db_ident: str) -> tuple[str, str]:
    return f"db-key:{db_ident}", f"audit-key:{db_ident}"


def passphrase_from_env_or_prompt(prompt: PassphrasePrompt | None, confirm: bool) -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if prompt is None:
        return None
    return prompt("Passphrase for the IA Desk database", confirm)


def check_passphrase(passphrase: str) -> None:
    from ia_desk.errors import InputError

    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"The database passphrase must be at least {MIN_PASSPHRASE} characters long.",
            field="passphrase",
        )


def secrets_for_new_database(
    db_ident: str, encrypted: bool, prompt: PassphrasePrompt | None = None
) -> DatabaseSecrets:
    """Create (and keep) the secrets of a database about to be created."""
    from ia_desk.errors import DatabaseKeyError

    if not encrypted:
        return _audit_only(db_ident, prompt, create=True)
    db_name, audit_name = _names(db_ident)
    if secure_keyring_available():
        existing = _get(db_name)
        key_hex = existing or secrets.token_hex(32)
        audit = _get(audit_name) or base64.b64encode(secrets.token_bytes(32)).decode()
        _set(db_name, key_hex)
        _set(audit_name, audit)
        return DatabaseSecrets(f"x'{key_hex}'", base64.b64decode(audit), None, "keyring")
    passphrase = passphrase_from_env_or_prompt(prompt, confirm=True)
    if not passphrase:
        raise DatabaseKeyError(
            "No secure keyring is available on this computer, so the new database needs a "
            f"passphrase: set {PASSPHRASE_ENV} or run the desktop app to be asked for one."
        )
    check_passphrase(passphrase)
    return DatabaseSecrets(passphrase, None, passphrase, "passphrase")


def secrets_for_existing_database(
    db_ident: str, encrypted: bool, prompt: PassphrasePrompt | None = None
) -> DatabaseSecrets:
    """Find the secrets of an existing database: the keyring first, then a passphrase."""
    from ia_desk.errors import DatabaseKeyError

    if not encrypted:
        return _audit_only(db_ident, prompt, create=False)
    db_name, audit_name = _names(db_ident)
    key_hex = _get(db_name)
    if key_hex:
        audit = _get(audit_name)
        return DatabaseSecrets(
            f"x'{key_hex}'", base64.b64decode(audit) if audit else None, None, "keyring"
        )
    passphrase = passphrase_from_env_or_prompt(prompt, confirm=False)
    if not passphrase:
        raise DatabaseKeyError(
            "The key of this database is not in this computer's keyring. Give its passphrase "
            f"({PASSPHRASE_ENV}) or restore the key to the keyring."
        )
    return DatabaseSecrets(passphrase, None, passphrase, "passphrase")


def _audit_only(db_ident: str, prompt: PassphrasePrompt | None, create: bool) -> DatabaseSecrets:
    """Secrets for a database the server (or nobody) encrypts: only the audit key."""
    _, audit_name = _names(db_ident)
    if secure_keyring_available():
        audit = _get(audit_name)
        if audit is None and create:
            audit = base64.b64encode(secrets.token_bytes(32)).decode()
            _set(audit_name, audit)
        return DatabaseSecrets(None, base64.b64decode(audit) if audit else None, None, "keyring")
    passphrase = passphrase_from_env_or_prompt(prompt, confirm=create)
    return DatabaseSecrets(None, None, passphrase, "passphrase" if passphrase else "none")


def derive_audit_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac(
        "sha256", passphrase.encode("utf-8"), b"ia-desk audit key|" + salt, AUDIT_KDF_ITERATIONS
    )


# -- databases on a server, shared by several workstations
#
# A server database's audit key is random, like an embedded one, but every workstation
# needs the same key. The database keeps it wrapped: XOR-ed with a key derived from the
# database's audit passphrase (PBKDF2, salt in the database), plus a check value. A
# workstation asks the passphrase once, unwraps the key, checks it and keeps it in its
# own keyring. The passphrase itself is never stored.


def _wrapping_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac(
        "sha256",
        passphrase.encode("utf-8"),
        b"ia-desk audit key wrap|" + salt,
        AUDIT_KDF_ITERATIONS,
        dklen=32,
    )


def wrap_audit_key(key: bytes, passphrase: str, salt: bytes) -> str:
    if len(key) != 32:
        raise ValueError("an audit key is 32 bytes")
    pad = _wrapping_key(passphrase, salt)
    return base64.b64encode(bytes(a ^ b for a, b in zip(key, pad, strict=True))).decode()


def unwrap_audit_key(wrapped: str, passphrase: str, salt: bytes) -> bytes:
    pad = _wrapping_key(passphrase, salt)
    return bytes(a ^ b for a, b in zip(base64.b64decode(wrapped), pad, strict=True))


def audit_key_check(key: bytes) -> str:
    """A value that tells a right key from a wrong one without revealing it."""
    import hmac

    return hmac.new(key, b"ia-desk audit key check", hashlib.sha256).hexdigest()


def stored_audit_key(db_ident: str) -> bytes | None:
    value = _get(_names(db_ident)[1])
    return base64.b64decode(value) if value else None


def remember_audit_key(db_ident: str, key: bytes) -> bool:
    """Keep a database's audit key in this computer's keyring, when it has a secure one."""
    if not secure_keyring_available():
        return False
    _set(_names(db_ident)[1], base64.b64encode(key).decode())
    return True


def _server_password_name(db_ident: str) -> str:
    return f"server-password:{db_ident}"


def server_password(db_ident: str) -> str | None:
    """The database server password this workstation remembered for a connection."""
    return _get(_server_password_name(db_ident))


def remember_server_password(db_ident: str, password: str) -> None:
    from ia_desk.errors import DatabaseKeyError

    if not secure_keyring_available():
        raise DatabaseKeyError(
            "This computer has no secure keyring, so the server password cannot be "
            "remembered; give it in the connection URL or PGPASSWORD each time."
        )
    _set(_server_password_name(db_ident), password)


def forget_server_password(db_ident: str) -> None:
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, _server_password_name(db_ident))


# -- this workstation's cache of a database's unwrapped secrets
#
# A database with a key file (ia_desk.security.keyfile) opens with its user's own
# password. Where the keyring is secure, the secrets that password unwrapped may be kept
# there, under the names keyring-mode databases always used, so the next start on this
# workstation needs only the sign-in. The login whose password unwrapped them is kept
# beside them: disabling that user forgets the cache here. Never where the keyring is
# not secure.


def _cache_owner_name(db_ident: str) -> str:
    return f"db-key-user:{db_ident}"


def cached_secrets(db_ident: str) -> tuple[str, bytes] | None:
    """(PRAGMA key, audit key) this workstation cached for a database, or None."""
    db_name, audit_name = _names(db_ident)
    key_hex, audit = _get(db_name), _get(audit_name)
    if not key_hex or not audit:
        return None
    return f"x'{key_hex}'", base64.b64decode(audit)


def cache_secrets(db_ident: str, cipher_key: bytes, audit_key: bytes, login: str) -> bool:
    """Keep a database's unwrapped secrets in the keyring, if it is secure (True)."""
    if not secure_keyring_available():
        return False
    db_name, audit_name = _names(db_ident)
    _set(db_name, cipher_key.hex())
    _set(audit_name, base64.b64encode(audit_key).decode())
    _set(_cache_owner_name(db_ident), login)
    return True


def cached_for(db_ident: str) -> str | None:
    """The login whose password unwrapped this workstation's cached copy."""
    return _get(_cache_owner_name(db_ident))


def forget_cached_secrets(db_ident: str, login: str | None = None) -> bool:
    """Forget the cached secrets of a database (only those ``login`` cached, when given)."""
    if login is not None and cached_for(db_ident) not in (login, None):
        return False
    found = False
    for name in (*_names(db_ident), _cache_owner_name(db_ident)):
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(SERVICE, name)
            found = True
    return found
