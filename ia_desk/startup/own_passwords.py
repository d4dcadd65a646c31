"""Own password only: an embedded database opens with its user's own password.

Its secrets (a random SQLCipher key and a random audit MAC key) are wrapped for each
user in the key file beside it (:mod:`ia_desk.security.keyfile`). This module is what a
start does with that file:

- :func:`secrets_to_open`: the secrets of a database about to be opened: this
  workstation's keyring cache (where the keyring is secure), else the user's own login
  and password (the CLI's ``IA_DESK_USER``/``IA_DESK_PASSWORD``, the desktop's sign-in
  window shown before the database opens), else, after an upgrade, the old shared
  passphrase once (the *legacy* entry), or the recovery code;
- :func:`after_sign_in`: an IA administrator's first sign-in after the upgrade moves a
  database from a shared passphrase (or a keyring-only key) to per-user wrapping (the
  recovery code it makes is theirs to see; other users' sign-ins wait): a backup first,
  then a new random key (``PRAGMA rekey``), the key file with this user's wrapping, a recovery
  code shown once and, for users who have not signed in since, a legacy entry under the
  old passphrase until an administrator retires it (:func:`retire_passphrase`). A user
  with no wrapping yet (a legacy user) gets theirs at sign-in;
- :func:`recover`: the recovery code opens the database and an IA administrator gets
  a new password (and with it a wrapping).

A wrong password, an unknown login and an altered entry all answer with the same words
(:data:`DOES_NOT_OPEN`), after the same Argon2id work.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ia_desk.accounts import iakey, users
from ia_desk.accounts.wrappings import scrub_backups, stage, wrap_for
from ia_desk.audit import iakeys
from ia_desk.audit.trail import append
from ia_desk.backup import automatic_backup, copy_key_file
from ia_desk.db.engine import Database, connection_key, sqlite_engine
from ia_desk.db.location import Target
from ia_desk.errors import DatabaseKeyError, InputError
from ia_desk.security import crypto, keys
from ia_desk.security.actor import Actor
from ia_desk.security.keyfile import DatabaseKeys, EntryDoesNotOpen, KeyFile, Secrets
from ia_desk.security.keyfile import new_recovery_key as _new_recovery_key
from ia_desk.security.keyfile import path_for as key_file_path
from ia_desk.security.roles import require

log = logging.getLogger(__name__)

Credentials = Callable[[], tuple[str, str]]
"""credentials() -> (login, password): asked only when the database needs them."""

MOVING_SUFFIX = ".moving"

NEEDS_SIGN_IN = (
    "This database opens with your own password: sign in (the desktop app asks; for a "
    "command set IA_DESK_USER and IA_DESK_PASSWORD, or run it in a terminal)."
)
DOES_NOT_OPEN = (
    "The database did not open: the login or password is wrong, or this account has no "
    "key to this database (an administrator gives one by setting the account's password; "
    "a disabled account has none), or its entry in the key file was altered. Nothing was "
    "done."
)
RECOVERY_DOES_NOT_OPEN = (
    "That recovery code does not open this database: it is mistyped, belongs to another "
    "database, or the key file's recovery entry was altered. Nothing was done."
)
RECOVERY_NOTICE = (
    "RECOVERY CODE (shown once, never again): write it down and keep it in the "
    "department's safe. It opens this database if every administrator password is lost "
    "('ia-desk recover'):"
)


NEW_RECOVERY_NOTICE = (
    "NEW RECOVERY CODE (shown once, never again): write it down, put it in the "
    "department's safe and destroy the old one. From now on this code, not the old "
    "one, recovers an IA administrator of the database as it stands ('ia-desk "
    "recover'). It replaces a code that was lost; it does not undo one someone else "
    "has seen: the database's key and IA's key stay the same, so the old code still "
    "opens the backups made before (with their key files). Keep those as safely:"
)


def _opens(path: Path, key: str | None) -> bool:
    """Does ``key`` (a PRAGMA key value) open the file at ``path``?"""
    import sqlcipher3

    raw = connection_key(path, key)
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f'PRAGMA key = "{raw}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def secrets_for_setup(target: Target) -> tuple[keys.DatabaseSecrets, DatabaseKeys]:
    """A new database's secrets and its key file (the recovery entry only: the first
    administrator's wrapping is made with their account). The recovery code is for
    :meth:`DatabaseKeys.take_recovery_code` to show once."""
    assert target.path is not None
    value = Secrets.new()
    recovery_key, code = _new_recovery_key()
    kf = KeyFile.new(key_file_path(target.path))
    kf.wrap_for_recovery(recovery_key, value)
    kf.save()
    # This workstation may keep it (a secure keyring): the owner is named by setup.
    keys.cache_secrets(target.ident, value.cipher_key, value.audit_key, "")
    return as_secrets(value), DatabaseKeys(
        kf.path, value, "setup", recovery_code=code, ident=target.ident, recovery_key=recovery_key
    )


def cached_for_user(db: Database, login: str) -> None:
    """Name ``login`` as the owner of this workstation's cached copy (setup)."""
    db_keys: DatabaseKeys | None = db.key_file
    if db_keys is not None and not db_keys.legacy and keys.cached_secrets(db_keys.ident):
        value = db_keys.secrets
        keys.cache_secrets(db_keys.ident, value.cipher_key, value.audit_key, login)


@dataclass
class ServerRecovery:
    """A server database's recovery code, made by this process. A server has no
    database key to wrap (its server account opens it), so the code holds IA's key only:
    sealed to it at setup or by an administrator (:func:`new_recovery_code`), it is what
    proves a recovery (:func:`recover`) and opens IA's papers for the recovered
    administrator."""

    key: bytes = field(repr=False)
    code: str | None = field(default=None, repr=False)

    def take_recovery_code(self) -> str | None:
        code, self.code = self.code, None
        return code


def _is_server(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


def recovery_public(db: Database) -> bytes | None:
    """The public sealing key of the recovery code this start made (setup), if any; on
    a server, made now (setup): its code is shown once like an embedded database's."""
    db_keys: DatabaseKeys | None = db.key_file
    if db_keys is None and _is_server(db):
        if db.server_recovery is None:
            key, code = _new_recovery_key()
            db.server_recovery = ServerRecovery(key, code)
        return crypto.recovery_sealing_pair(db.server_recovery.key)[1]
    if db_keys is None or db_keys.recovery_key is None:
        return None
    return crypto.recovery_sealing_pair(db_keys.recovery_key)[1]


def take_recovery_code(db: Database) -> str | None:
    """A recovery code this process made for ``db`` and has not shown yet (once)."""
    holder: DatabaseKeys | ServerRecovery | None = db.key_file or db.server_recovery
    return holder.take_recovery_code() if holder is not None else None


def as_secrets(value: Secrets) -> keys.DatabaseSecrets:
    return keys.DatabaseSecrets(value.pragma_key, value.audit_key, None, "keyfile")


def secrets_to_open(
    target: Target,
    *,
    prompt: keys.PassphrasePrompt | None,
    credentials: Credentials | None,
    recovery_code: str | None = None,
    use_cache: bool = True,
) -> tuple[keys.DatabaseSecrets, DatabaseKeys]:
    """The secrets that open an existing embedded database (see the module)."""
    assert target.path is not None
    path = key_file_path(target.path)
    moving = path.with_name(path.name + MOVING_SUFFIX)
    if not path.exists() and moving.exists():
        _finish_interrupted_move(target, moving, path, prompt)
    if not path.exists():
        try:
            old = keys.secrets_for_existing_database(target.ident, True, prompt)
        except DatabaseKeyError:
            raise DatabaseKeyError(
                f"The key file of this database ({path}) is missing. Put it back from the "
                "backup folder (each backup has its key file beside it), or open the "
                "database with its recovery code ('ia-desk recover'). A database from "
                "before own passwords opens with its old passphrase "
                f"({keys.PASSPHRASE_ENV}) once more."
            ) from None
        return old, DatabaseKeys(
            path, Secrets(b"", b""), "old", True, old.passphrase, ident=target.ident
        )
    kf = KeyFile.load(path)
    if recovery_code is not None:
        try:
            value = kf.open_with_recovery(recovery_code)
        except EntryDoesNotOpen:
            raise DatabaseKeyError(RECOVERY_DOES_NOT_OPEN) from None
        return as_secrets(value), DatabaseKeys(
            path,
            value,
            "recovery",
            ident=target.ident,
            recovery_key=crypto.parse_recovery_code(recovery_code),
        )
    if use_cache and (cached := keys.cached_secrets(target.ident)) is not None:
        cipher, audit = cached
        value = Secrets(bytes.fromhex(cipher[2:-1]), audit)
        return as_secrets(value), DatabaseKeys(path, value, "cache", ident=target.ident)
    if credentials is None:
        credentials = _from_environment()
    login, password = credentials()
    login = users.sign_in_name(login)
    try:
        value = kf.open_as_user(login, password)
        opened_by = "user"
    except EntryDoesNotOpen:
        if kf.has_user(login) or not kf.has_legacy():
            raise DatabaseKeyError(DOES_NOT_OPEN) from None
        # A user who has not signed in since the upgrade: the old passphrase, once.
        passphrase = keys.passphrase_from_env_or_prompt(prompt, confirm=False)
        if not passphrase:
            raise DatabaseKeyError(
                "You have not signed in since this database moved to own passwords: give "
                f"the old database passphrase once more ({keys.PASSPHRASE_ENV}, or the "
                "desktop app asks), and your own password opens it from then on."
            ) from None
        try:
            value = kf.open_legacy(passphrase)
        except EntryDoesNotOpen:
            raise DatabaseKeyError(
                "The old database passphrase is wrong, or an administrator has retired it "
                "(then an administrator must set your password). Nothing was done."
            ) from None
        opened_by = "legacy passphrase"
    keys.cache_secrets(target.ident, value.cipher_key, value.audit_key, login)
    return as_secrets(value), DatabaseKeys(path, value, opened_by, ident=target.ident)


USER_ENV = "IA_DESK_USER"
PASSWORD_ENV = "IA_DESK_PASSWORD"  # noqa: S105 - the name of a variable


def _from_environment() -> Credentials:
    """The login and password of a script (``IA_DESK_USER``/``IA_DESK_PASSWORD``, as the
    command line takes them), or the refusal that says what to give."""
    import os

    login, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not login or password is None:
        raise DatabaseKeyError(NEEDS_SIGN_IN)
    return lambda: (login, password)


def _finish_interrupted_move(
    target: Target, moving: Path, path: Path, prompt: keys.PassphrasePrompt | None
) -> None:
    """A move killed between writing the new key file and putting it in place: if the
    old key still opens the database, the rekey did not happen (the move starts again at
    the next sign-in); if the new key file's legacy entry opens it under the old
    passphrase, it did, and the new key file is put in place. Neither (no passphrase, a
    mistyped one): both stay as they are and the start is refused in words; the new
    file must never be put in place on a guess, since its key may not open the file."""
    assert target.path is not None
    old = None
    with contextlib.suppress(DatabaseKeyError):
        old = keys.secrets_for_existing_database(target.ident, True, prompt)
    if old is not None and _opens(target.path, old.sqlcipher_key):
        moving.unlink()
        return
    if old is not None and old.passphrase:
        with contextlib.suppress(DatabaseKeyError, EntryDoesNotOpen):
            value = KeyFile.load(moving).open_legacy(old.passphrase)
            if _opens(target.path, value.pragma_key):
                moving.replace(path)
                return
    raise DatabaseKeyError(
        "The move of this database to own passwords was interrupted. Give the old "
        f"database passphrase once more ({keys.PASSPHRASE_ENV}, or the desktop app asks) "
        "to finish it: the one given does not open it, or none was given. Nothing was "
        "changed."
    )


def after_sign_in(db: Database, actor: Actor, password: str) -> str | None:
    """What a sign-in does to the key file: the move of a database from before per-user
    wrapping (returns the recovery code, which :func:`take_recovery_code` also gives
    once), or the wrapping of a user who has none yet."""
    db_keys: DatabaseKeys | None = db.key_file
    if db_keys is None:
        return None
    if db_keys.legacy:
        # The move makes the recovery code and shows it to whoever signed in: it is for
        # an IA administrator (with it, 'recover' makes an administrator's password).
        # Until one signs in, the database stays as it was.
        if actor.role != "ia_admin":
            return None
        return move_to_own_passwords(db, actor, password)
    kf = KeyFile.load(db_keys.path)
    # No wrapping yet; or a previous entry left by a change of password killed around
    # its commit: the password that signed in is the one the database holds.
    if not kf.has_user(actor.login) or kf.has_previous(actor.login):
        with db.write(None, audit_only=True) as s:
            wrap_for(s, actor.login, password)
    return None


def move_to_own_passwords(db: Database, actor: Actor, password: str) -> str:
    """Move a database from a shared passphrase (or a keyring-only key) to per-user
    wrapping, with a backup first; returns the recovery code (shown once).

    A passphrase database gets a new random key (``PRAGMA rekey``): the passphrase that
    every user knew no longer opens it, except through the legacy entry of the key file,
    which an administrator retires. Its audit MAC key stays the one derived from the
    passphrase (the chain's MACs are made with it; the signatures are what hold against
    someone who has it). A keyring-only database keeps its key (other workstations have
    it cached) and gets a key file for it.
    """
    db_keys: DatabaseKeys = db.key_file
    path = db.target.path
    assert path is not None and db_keys.legacy
    backup = automatic_backup(db.engine, path, db.cipher_key, "before-own-passwords", keep=1000)
    rekey = db_keys.passphrase is not None
    audit_key = db.audit_key
    if rekey:
        value = Secrets.new(audit_key=audit_key)
    else:
        assert db.cipher_key is not None
        value = Secrets(bytes.fromhex(db.cipher_key[2:-1]), audit_key)
    recovery_key, code = _new_recovery_key()
    kf = KeyFile.new(db_keys.path)
    kf.wrap_for_user(actor.login, password, value)
    kf.wrap_for_recovery(recovery_key, value)
    if db_keys.passphrase is not None:
        kf.wrap_for_legacy(db_keys.passphrase, value)
    # The new key file goes beside the database under another name first: a kill
    # between it and the rekey is sorted out by the next start (_finish_interrupted_move).
    moving = kf.path.with_name(kf.path.name + MOVING_SUFFIX)
    final = kf.path
    kf.path = moving
    kf.save()
    if rekey:
        _rekey(db, value)
    moving.replace(final)
    kf.path = final
    db.key_file = DatabaseKeys(final, value, "user", recovery_code=code, ident=db.target.ident)
    keys.cache_secrets(db.target.ident, value.cipher_key, value.audit_key, actor.login)
    with db.write(None) as s:
        append(
            s,
            None,
            "db.own_passwords",
            object_type="database",
            details={
                "first_wrapped_for": actor.login,
                "backup": backup.name,
                "rekeyed": rekey,
                "legacy_entry": rekey,
            },
        )
    log.info("database moved to per-user wrapping (backup %s)", backup.name)
    return code


def _rekey(db: Database, value: Secrets) -> None:
    """Re-encrypt the database under the new key; the pool is replaced by one that uses
    it. (Out of WAL for the rekey, which SQLCipher does in one journalled transaction.)"""
    import sqlcipher3

    assert db.target.path is not None
    raw = connection_key(db.target.path, db.cipher_key)
    db.engine.dispose()
    conn = sqlcipher3.connect(str(db.target.path), isolation_level=None)
    try:
        conn.execute(f'PRAGMA key = "{raw}"')
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute(f'PRAGMA rekey = "{value.pragma_key}"')
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    db.engine = sqlite_engine(db.target, value.pragma_key)
    db.cipher_key = value.pragma_key


def retire_passphrase(db: Database, actor: Actor) -> bool:
    """Remove the legacy entry: the old shared passphrase opens nothing any more (IA
    administrators; audited). False when there is none (retired already, a database
    made with own passwords, a server)."""
    db_keys: DatabaseKeys | None = db.key_file
    with db.write(actor) as s:
        require(actor, "user.manage", "database.retire_passphrase", "database")
        if db_keys is None or db_keys.legacy or not KeyFile.load(db_keys.path).has_legacy():
            return False
        append(s, actor, "database.retire_passphrase", object_type="database")
        stage(s, lambda kf: kf.retire_legacy())
        scrub_backups(s, lambda kf: kf.retire_legacy())  # their copies unwrap the same key
    return True


SERVER_NO_RECOVERY = (
    "This server database keeps no recovery copy of IA's key (it was set up before IA "
    "Desk made a recovery code for a server). Nothing was changed. An IA administrator "
    "who can still sign in makes one: 'ia-desk db recovery-code', or Administration, "
    "New recovery code…."
)
SERVER_WRONG_CODE = (
    "That recovery code does not open this database (check it against the paper in the "
    "department's safe; a newer code replaces an older one). Nothing was changed."
)
SERVER_KEY_CHANGED = (
    "IA's key in this database is not the one IA Desk made ('ia-desk audit verify' says "
    "what was changed), so a recovery would give it to whoever put it there. Nothing "
    "was changed; restore the database from a backup first."
)


def recover(db: Database, login: str, new_password: str, code: str | None = None) -> None:
    """Give the IA administrator ``login`` a new password (provisional: they choose
    their own at the next sign-in) with the recovery code. An embedded database was
    opened with the code (and the administrator gets a wrapping); a server database
    has no key to open, so there ``code`` proves itself by opening IA's key, the one
    the signed trail made, before anything changes. Audited as ``user.recover``, which
    ``audit verify`` names."""
    db_keys: DatabaseKeys | None = db.key_file
    if db_keys is None and _is_server(db):
        try:
            recovery_key = crypto.parse_recovery_code(code or "")
        except (ValueError, crypto.WrongKey) as exc:
            raise DatabaseKeyError(SERVER_WRONG_CODE) from exc
        with db.write(None) as s:
            ia_key = iakey.current(s)
            if ia_key is None or ia_key.recovery_sealed is None:
                raise DatabaseKeyError(SERVER_NO_RECOVERY)
            if iakeys.problems(s) or not iakeys.made_by_the_trail(
                s, ia_key.fingerprint, db.audit_key
            ):
                raise DatabaseKeyError(SERVER_KEY_CHANGED)
            if iakey.open_with_recovery(s, recovery_key) is None:
                raise DatabaseKeyError(SERVER_WRONG_CODE)
            users.recover_admin(s, login, new_password, recovery_key)
        return
    if db_keys is None or db_keys.opened_by != "recovery":
        raise DatabaseKeyError("Recovery needs the database opened with its recovery code.")
    with db.write(None) as s:
        users.recover_admin(s, login, new_password, db_keys.recovery_key)


def _may_renew_recovery(db_keys: DatabaseKeys | None, actor: Actor) -> None:
    """Refuse a new recovery code (alone, or with a change of IA's key) on a database
    still opened by the shared passphrase, or to an actor made without keys."""
    if db_keys is not None and db_keys.legacy:
        raise DatabaseKeyError(
            "This database still opens with the shared passphrase: an IA "
            "administrator's sign-in moves it to own passwords and shows its recovery "
            "code. Sign out and sign in again."
        )
    if actor.keys is None:  # an actor made without keys (tests, bulk tools)
        raise InputError(iakey.NOT_GIVEN, field="ia_key")


def new_recovery_code(db: Database, actor: Actor) -> str:
    """A new recovery code (IA administrators holding IA's key; returned to be shown
    once), for one that was lost: IA's key is sealed to it and, on an embedded
    database, the database's key is wrapped for it in the key file, replacing the old
    code's copies in the database as it stands. The keys themselves do not change, so
    the old code still opens the backups made before (with their key files), and put
    back by someone who can write the database it would open again: a code seen by
    someone it was not for needs the keys changed, which this is not. Audited as
    ``database.recovery_code``, without the code."""
    key, code = _new_recovery_key()
    public = crypto.recovery_sealing_pair(key)[1]
    db_keys: DatabaseKeys | None = db.key_file
    with db.write(actor) as s:
        require(actor, "user.manage", "database.recovery_code", "database")
        _may_renew_recovery(db_keys, actor)
        assert actor.keys is not None
        fingerprint = iakey.seal_to_recovery(s, actor.keys, public)
        if db_keys is not None:
            secrets = db_keys.secrets
            stage(s, lambda kf: kf.wrap_for_recovery(key, secrets))
        append(
            s,
            actor,
            "database.recovery_code",
            object_type="database",
            details={"ia_key": fingerprint},
        )
    return code


CHANGED_KEY_NOTICE = (
    "IA'S KEY IS CHANGED. NEW RECOVERY CODE (shown once, never again): write it down, "
    "put it in the department's safe and destroy the old one, which does not open the "
    "new key. From now on this code recovers an IA administrator of the database "
    "('ia-desk recover'):"
)


@dataclass(frozen=True)
class KeyChanged:
    """What changing IA's key did, for the administrator who did it."""

    actor: Actor  # the administrator, holding the new key
    rotation: iakey.Rotation
    code: str = field(repr=False)  # the new recovery code, to be shown once (never logged)


def rotate_ia_key(db: Database, actor: Actor) -> KeyChanged:
    """Change IA's key (:func:`ia_desk.accounts.iakey.rotate`) and make a new recovery
    code with it (IA's new key is sealed to it; on an embedded database, the database's
    key is wrapped for it in the key file, replacing the old code's wrapping). Audited as
    ``ia_key.rotate``, signed by the administrator, naming the old and the new key and
    who was given the new one; never the code."""
    key, code = _new_recovery_key()
    public = crypto.recovery_sealing_pair(key)[1]
    db_keys: DatabaseKeys | None = db.key_file
    with db.write(actor) as s:
        require(actor, "user.manage", "ia_key.rotate", "ia_key")
        _may_renew_recovery(db_keys, actor)
        done = iakey.rotate(s, actor, public)
        if db_keys is not None:
            secrets = db_keys.secrets
            stage(s, lambda kf: kf.wrap_for_recovery(key, secrets))
        holding = Actor(actor.user_id, actor.login, actor.name, actor.role, keys=done.keys)
        append(
            s,
            holding,
            "ia_key.rotate",
            object_type="ia_key",
            object_id=done.fingerprint,
            details={
                "ia_key": done.fingerprint,
                "replaces": done.replaces,
                "resealed": done.resealed,
                "not_opened": done.not_opened,
                "given": done.given,
                "given_later": done.given_later,
                "not_given": done.not_given,
            },
        )
    return KeyChanged(holding, done, code=code)


def put_backup_key_file_in_place(backup: Path, db_path: Path, aside: Path) -> None:
    """A restored backup made under the database's own key takes its key file too (its
    wrappings match the passwords the backup holds); the current one is kept beside the
    copy kept aside. A backup with no key file of the same database keeps the current."""
    theirs = key_file_path(backup)
    ours = key_file_path(db_path)
    if not theirs.exists() or not ours.exists():
        return
    try:
        restored, current = KeyFile.load(theirs), KeyFile.load(ours)
    except DatabaseKeyError:
        return
    if restored.doc["database"] != current.doc["database"]:
        return
    copy_key_file(ours, aside)
    KeyFile(ours, restored.doc).save()
