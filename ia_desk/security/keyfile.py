"""The key file beside an embedded database: the database's secrets, wrapped for each
user under their own password.

An embedded database is encrypted (SQLCipher) with a random 256-bit key, and its audit
trail is MAC-ed with a random 256-bit key. Neither is kept anywhere in the clear. The
key file ``<database>.keys`` (JSON, mode 0600, replaced atomically) holds them wrapped
(AES-256-GCM, :mod:`ia_desk.security.crypto`):

- once per user, under a key derived from that user's password (Argon2id, a salt and
  cost of the entry's own); the associated data names the login and the database, so
  an entry copied onto another login, or into another database's key file, does not
  open;
- once under the **recovery key**, 256 random bits shown once at setup as a code to
  keep in the department's safe: it opens the database when every administrator
  password is lost;
- after an upgrade from a shared passphrase, once under that passphrase (the *legacy*
  entry), so that users who have not signed in since can open it once more, until an
  administrator retires it.

The file must be readable before the database is open (that is what opens it), so it
cannot live inside the database. It says nothing without a password or the recovery
code: whoever holds the database file and the key file and no password cannot open it.

Nothing here logs or prints a secret; :class:`Secrets` does not show itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ia_desk.errors import DatabaseKeyError
from ia_desk.security import crypto

FORMAT = "ia-desk key file"
VERSION = 1
SUFFIX = ".keys"
_CONTEXT = b"ia-desk database secrets|"


def path_for(db_path: Path) -> Path:
    """Where the key file of the database at ``db_path`` is."""
    return db_path.with_name(db_path.name + SUFFIX)


@dataclass(frozen=True)
class Secrets:
    """What opens one database (SQLCipher's raw key) and signs its chain (the MAC key)."""

    cipher_key: bytes
    audit_key: bytes

    def __repr__(self) -> str:  # never print a secret by accident
        return "Secrets(...)"

    @classmethod
    def new(cls, audit_key: bytes | None = None) -> Secrets:
        return cls(crypto.random_key(), audit_key or crypto.random_key())

    @property
    def pragma_key(self) -> str:
        """The value for ``PRAGMA key``: the raw key, so SQLCipher derives nothing."""
        return f"x'{self.cipher_key.hex()}'"

    def to_bytes(self) -> bytes:
        return json.dumps(
            {"cipher_key": self.cipher_key.hex(), "audit_key": crypto.b64(self.audit_key)},
            sort_keys=True,
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Secrets:
        value = json.loads(raw)
        return cls(bytes.fromhex(value["cipher_key"]), crypto.unb64(value["audit_key"]))


class EntryDoesNotOpen(Exception):
    """A password, passphrase or recovery code does not open its entry: it is wrong, or
    the entry was altered or copied from elsewhere (AES-GCM cannot tell which)."""


class KeyFile:
    """One key file's content, changed in memory and written with :meth:`save`."""

    def __init__(self, path: Path, doc: dict[str, Any]) -> None:
        self.path = path
        self.doc = doc

    # -- reading and writing ------------------------------------------------------------

    @classmethod
    def new(cls, path: Path) -> KeyFile:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "database": secrets.token_hex(16),
            "users": {},
        }
        return cls(path, doc)

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        """Read and check the file's shape; :class:`DatabaseKeyError`, in words, when it
        is not a key file of IA Desk (the entries' contents are checked when opened)."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DatabaseKeyError(
                f"The key file of this database ({path}) is missing. Restore it from the "
                "backup folder (each backup has its key file beside it), or open the "
                "database with the recovery code ('ia-desk recover')."
            ) from None
        except (OSError, ValueError, UnicodeDecodeError):
            doc = None
        if (
            not isinstance(doc, dict)
            or doc.get("format") != FORMAT
            or doc.get("version") != VERSION
            or not isinstance(doc.get("database"), str)
            or not isinstance(doc.get("users"), dict)
        ):
            raise DatabaseKeyError(
                f"The key file of this database ({path}) is damaged or is not an IA Desk key "
                "file, so the database cannot be opened with it. Restore it from the backup "
                "folder, or open the database with the recovery code ('ia-desk recover')."
            )
        return cls(path, doc)

    def save(self) -> None:
        """Replace the file atomically (write beside it, sync, rename), mode 0600."""
        data = json.dumps(self.doc, indent=1, sort_keys=True).encode()
        tmp = self.path.with_name(self.path.name + ".partial")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        with contextlib.suppress(OSError):  # not every platform syncs a folder
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def raw(self) -> bytes:
        return json.dumps(self.doc, indent=1, sort_keys=True).encode()

    # -- the entries --------------------------------------------------------------------

    def _context(self, kind: str, name: str = "") -> bytes:
        return _CONTEXT + f"{self.doc['database']}|{kind}|{name}".encode()

    def logins(self) -> list[str]:
        return sorted(self.doc["users"])

    def has_user(self, login: str) -> bool:
        return login in self.doc["users"]

    def wrap_for_user(self, login: str, password: str, value: Secrets) -> None:
        """Give ``login`` an entry that their ``password`` opens (replacing theirs)."""
        self.doc["users"][login] = _password_entry(password, value, self._context("user", login))

    def remove_user(self, login: str) -> bool:
        self.drop_previous(login)
        return self.doc["users"].pop(login, None) is not None

    def keep_previous(self, login: str) -> None:
        """Keep ``login``'s entry as their *previous* one while a new password's entry
        replaces it and the database has not yet committed that password: a kill between
        the two must leave a password that both opens the file and signs in."""
        entry = self.doc["users"].get(login)
        if isinstance(entry, dict):
            self.doc.setdefault("previous", {})[login] = entry

    def has_previous(self, login: str) -> bool:
        previous = self.doc.get("previous")
        return isinstance(previous, dict) and login in previous

    def drop_previous(self, login: str) -> bool:
        previous = self.doc.get("previous")
        if not isinstance(previous, dict) or previous.pop(login, None) is None:
            return False
        if not previous:
            del self.doc["previous"]
        return True

    def open_as_user(self, login: str, password: str) -> Secrets:
        """The secrets ``login``'s password opens (their entry, else a previous one kept
        while a change of password commits). An unknown login costs the same derivation
        as a known one, and raises the same :class:`EntryDoesNotOpen`."""
        entry = self.doc["users"].get(login)
        if not isinstance(entry, dict):
            crypto.key_from_password(password, crypto.new_salt(), crypto.DEFAULT_KDF)
            raise EntryDoesNotOpen
        context = self._context("user", login)
        try:
            return _open_password_entry(entry, password, context)
        except EntryDoesNotOpen:
            previous = self.doc.get("previous")
            before = previous.get(login) if isinstance(previous, dict) else None
            if not isinstance(before, dict):
                raise
            return _open_password_entry(before, password, context)

    def wrap_for_recovery(self, recovery_key: bytes, value: Secrets) -> None:
        self.doc["recovery"] = {
            "wrapped": crypto.b64(
                crypto.wrap(recovery_key, value.to_bytes(), self._context("recovery"))
            )
        }

    def open_with_recovery(self, code: str) -> Secrets:
        try:
            key = crypto.parse_recovery_code(code)
            entry = self.doc.get("recovery")
            if not isinstance(entry, dict):
                raise EntryDoesNotOpen
            blob = crypto.unb64(str(entry["wrapped"]))
            return Secrets.from_bytes(crypto.unwrap(key, blob, self._context("recovery")))
        except (crypto.WrongKey, ValueError, KeyError, TypeError) as exc:
            raise EntryDoesNotOpen from exc

    def has_legacy(self) -> bool:
        return isinstance(self.doc.get("legacy"), dict)

    def wrap_for_legacy(self, passphrase: str, value: Secrets) -> None:
        self.doc["legacy"] = _password_entry(passphrase, value, self._context("legacy"))

    def open_legacy(self, passphrase: str) -> Secrets:
        entry = self.doc.get("legacy")
        if not isinstance(entry, dict):
            raise EntryDoesNotOpen
        return _open_password_entry(entry, passphrase, self._context("legacy"))

    def retire_legacy(self) -> bool:
        return self.doc.pop("legacy", None) is not None


def _password_entry(password: str, value: Secrets, context: bytes) -> dict[str, Any]:
    params = crypto.DEFAULT_KDF  # read at each use: tests make it cheap
    salt = crypto.new_salt()
    key = crypto.key_from_password(password, salt, params)
    return {
        "salt": crypto.b64(salt),
        "kdf": params.as_dict(),
        "wrapped": crypto.b64(crypto.wrap(key, value.to_bytes(), context)),
    }


# The most an entry may ask of Argon2id: an altered entry must not make a start use
# gigabytes or minutes before it fails.
MAX_KDF = crypto.KdfParams(iterations=10, memory_kib=1024 * 1024, lanes=16)


def _open_password_entry(entry: dict[str, Any], password: str, context: bytes) -> Secrets:
    try:
        params = crypto.KdfParams.of(entry["kdf"])
        if not (
            1 <= params.iterations <= MAX_KDF.iterations
            and 8 <= params.memory_kib <= MAX_KDF.memory_kib
            and 1 <= params.lanes <= MAX_KDF.lanes
        ):
            raise EntryDoesNotOpen
        key = crypto.key_from_password(password, crypto.unb64(str(entry["salt"])), params)
        raw = crypto.unwrap(key, crypto.unb64(str(entry["wrapped"])), context)
        return Secrets.from_bytes(raw)
    except (crypto.WrongKey, ValueError, KeyError, TypeError) as exc:
        raise EntryDoesNotOpen from exc


def new_recovery_key() -> tuple[bytes, str]:
    """A recovery key and the code a person writes down for it."""
    key = crypto.random_key()
    return key, crypto.recovery_code(key)


@dataclass(repr=False)
class DatabaseKeys:
    """How an open embedded database was opened, and where its wrappings are.

    ``secrets`` is what opened it; ``legacy`` marks a database from before per-user
    wrapping (no key file yet: the first sign-in moves it, see
    :mod:`ia_desk.startup.own_passwords`), whose ``passphrase`` (if it had one) is kept
    in memory for that move only. ``recovery_code`` is set when one was just made, to be
    shown once (:meth:`take_recovery_code`).
    """

    path: Path
    secrets: Secrets
    opened_by: str  # "setup" | "cache" | "user" | "legacy passphrase" | "recovery" | "old"
    legacy: bool = False
    passphrase: str | None = None
    recovery_code: str | None = None
    ident: str = ""  # the database's name in this workstation's keyring
    # The recovery key itself, held in memory when this start made it (setup) or was
    # given its code (a recovery): IA's key is sealed to it, and opened with it.
    recovery_key: bytes | None = None

    def __repr__(self) -> str:
        return f"DatabaseKeys(path={str(self.path)!r}, opened_by={self.opened_by!r})"

    def take_recovery_code(self) -> str | None:
        """The recovery code made by this start, once: the second call gives None."""
        code, self.recovery_code = self.recovery_code, None
        return code
