"""Opening a database: where it is, its keys, its schema, and what every start does.

:func:`open_database` is the one door. It resolves the target (``--db``/``IA_DESK_DB``,
the workstation's saved server connection, or the embedded default under the user data
directory), refuses an SQLite file on a network share, finds the key (the keyring, or a
passphrase), checks it, applies migrations (backing up first), and returns a
:class:`~ia_desk.db.engine.Database` whose transactions check their actor's standing and
record refusals in the audit trail (:class:`ia_desk.audit.hooks.AuditedTransactions`).

Every start also removes what killed backups left behind (:mod:`ia_desk.backup`), puts
back missing append-only guards (:mod:`ia_desk.db.guards`), makes the full-disk reserve
(:mod:`ia_desk.db.storage`), and loads the reference data the database lacks: the
shipped policy catalogue and discipline matrix, and the withheld search entries.

A PostgreSQL target (``postgresql+psycopg://``) needs TLS when the server is on another
computer (unless an IA administrator allowed otherwise), takes its password from the URL
or the workstation's keyring, and shares one audit key among all workstations (kept in
the database wrapped with the audit passphrase; see :mod:`ia_desk.security.keys`).
"""

from __future__ import annotations

import logging
import os
import warnings
from concurrent.futures import Future
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ia_desk.audit.hooks import AuditedTransactions
from ia_desk.audit.trail import append, begin_signing
from ia_desk.backup import automatic_backup, latest_backup_age, remove_stale_files
from ia_desk.cases.redaction import ensure_withheld_index
from ia_desk.db import storage
from ia_desk.db.engine import (
    Database,
    _check_key,
    background,
    check_server,
    server_engine,
    sqlite_engine,
)
from ia_desk.db.engine import database_exists as _database_exists
from ia_desk.db.engine import start_stretching as _start_stretching
from ia_desk.db.guards import check_guards
from ia_desk.db.location import Target, refuse_network_share, resolve_target
from ia_desk.db.migrate import current_revision, head_revision, upgrade_to_head
from ia_desk.db.models import Setting
from ia_desk.discipline.matrix import ensure_matrix, move_lookback_setting
from ia_desk.errors import DatabaseKeyError, StorageError
from ia_desk.policy.catalogue import ensure_catalogue
from ia_desk.security import keys
from ia_desk.security.keyfile import DatabaseKeys
from ia_desk.settings import audit_salt, get_setting, stored_audit_salt
from ia_desk.startup import own_passwords
from ia_desk.startup.own_passwords import Credentials

log = logging.getLogger(__name__)


def database_exists(target: Target) -> bool:
    """Is there an IA Desk database here already (a non-empty file; a server database
    with IA Desk's tables, reached with the workstation's remembered password)?"""
    return _database_exists(target, keys.server_password(target.ident))


def start_stretching(url: str | None) -> None:
    """Start deriving the key of an existing encrypted file from a passphrase given in
    the environment, on another core, so the desktop app's start-up goes on meanwhile.
    (Nothing happens otherwise: a keyring key needs no stretching, a prompted
    passphrase is not known yet.)"""
    passphrase = os.environ.get(keys.PASSPHRASE_ENV)
    if not passphrase:
        return
    try:
        target = resolve_target(url)
    except StorageError:
        return
    if target.kind == "sqlcipher" and target.path is not None:
        _start_stretching(target.path, passphrase)


def open_database(
    url: str | None = None,
    *,
    create: bool = False,
    prompt: keys.PassphrasePrompt | None = None,
    migrate: bool = True,
    credentials: Credentials | None = None,
    recovery_code: str | None = None,
    known_keys: DatabaseKeys | None = None,
) -> Database:
    """Open (or with ``create=True`` create) the database and bring its schema to head.

    An embedded database opens with its user's own password (:mod:`.own_passwords`):
    this workstation's keyring cache, else ``credentials()`` (login, password: the same
    then sign the user in), else ``recovery_code``; ``known_keys`` reopens a database
    this process opened (a restore). A new one gets a random key and a recovery code,
    for ``db.key_file.take_recovery_code()`` to show once.

    Raises :class:`StorageError` when it does not exist and ``create`` is false, or when
    it sits on a network share; :class:`DatabaseKeyError` for a missing or wrong key.
    """

    target = resolve_target(url)
    if target.kind == "postgresql":
        return _open_server_database(target, create=create, prompt=prompt, migrate=migrate)
    exists = database_exists(target)
    assert target.path is not None
    refuse_network_share(target.path)
    if not exists and not create:
        raise StorageError(
            f"There is no IA Desk database at {target.path}. Create one with "
            "'ia-desk init --admin LOGIN' or start the desktop app."
        )
    target.path.parent.mkdir(parents=True, exist_ok=True)

    remove_stale_files()  # what killed backups and restores left behind
    # A nearly full disk: give the headroom back before anything opens the database
    # (even reading needs room for SQLite's shared-memory file).
    low_on_disk = exists and migrate and storage.low_on_disk(target.path)
    if low_on_disk:
        storage.release_headroom(target.path)
    if target.kind == "sqlite":
        warnings.warn(
            f"{target.path} is a plain SQLite database: NOT encrypted. Use it for tests "
            "and diagnostics only.",
            stacklevel=2,
        )
        log.warning("opening an unencrypted database at %s", target.path)
    encrypted = target.kind == "sqlcipher"
    db_keys: DatabaseKeys | None = None
    if not encrypted:  # a plain file (tests, diagnostics): only the audit key is kept
        found = keys.secrets_for_existing_database if exists else keys.secrets_for_new_database
        secrets_ = found(target.ident, False, prompt)
    elif not exists:
        keys.forget_cached_secrets(target.ident)  # a cache of a database gone before
        secrets_, db_keys = own_passwords.secrets_for_setup(target)
    elif known_keys is not None and not known_keys.legacy:
        secrets_, db_keys = own_passwords.as_secrets(known_keys.secrets), known_keys
    else:
        secrets_, db_keys = own_passwords.secrets_to_open(
            target, prompt=prompt, credentials=credentials, recovery_code=recovery_code
        )
    engine = sqlite_engine(target, secrets_.sqlcipher_key)
    try:
        _check_key(engine, target, low_on_disk)
    except DatabaseKeyError:
        if db_keys is None or db_keys.opened_by != "cache" or credentials is None:
            raise
        # This workstation's cached key is stale (the database was moved or restored):
        # forget it and open with the user's own password.
        keys.forget_cached_secrets(target.ident)
        secrets_, db_keys = own_passwords.secrets_to_open(
            target, prompt=prompt, credentials=credentials, use_cache=False
        )
        engine = sqlite_engine(target, secrets_.sqlcipher_key)
        _check_key(engine, target, low_on_disk)
    if migrate:
        if exists and current_revision(engine) not in (None, head_revision()):
            automatic_backup(engine, target.path, secrets_.sqlcipher_key, "before-migration")
        upgrade_to_head(engine)
    audit_key = _resolve_audit_key(engine, secrets_)
    db = Database(
        engine=engine,
        target=target,
        audit_key_source=audit_key,
        cipher_key=secrets_.sqlcipher_key,
        hooks=AuditedTransactions(),
        key_file=db_keys,
    )
    if migrate:
        db.start_storage(low_on_disk)
        _check_guards(db)
        _load_reference_data(db)
    return db


def _check_guards(db: Database) -> None:

    check_guards(db)


def _load_reference_data(db: Database) -> None:

    begin_signing(db)
    ensure_catalogue(db)
    ensure_matrix(db)
    move_lookback_setting(db)
    ensure_withheld_index(db)


def _open_server_database(
    target: Target,
    *,
    create: bool,
    prompt: keys.PassphrasePrompt | None,
    migrate: bool,
) -> Database:
    """A PostgreSQL database: reach the server, bring the schema to head, find the
    shared audit key, and refuse a plaintext connection an admin has not allowed."""

    engine = server_engine(target, keys.server_password(target.ident))
    check_server(engine, target)
    try:
        current = current_revision(engine)
        if current is None and not create:
            raise StorageError(
                f"The database {target.describe()} holds no IA Desk tables yet. Set it up "
                "with 'ia-desk --db URL init --admin LOGIN' (see the README's server section)."
            )
        # Before anything is written over the connection, migrations included.
        _refuse_unapproved_plaintext(engine, target, has_schema=current is not None)
        if migrate:
            upgrade_to_head(engine)
        audit_key = _server_audit_key(engine, target, prompt)
    except BaseException:
        engine.dispose()
        raise
    db = Database(
        engine=engine, target=target, audit_key_source=audit_key, hooks=AuditedTransactions()
    )
    if migrate:
        _check_guards(db)
        _load_reference_data(db)
    return db


def new_audit_passphrase(prompt: keys.PassphrasePrompt | None) -> str:
    """The audit passphrase of a new server database (checked for length)."""
    passphrase = keys.passphrase_from_env_or_prompt(prompt, confirm=True)
    if not passphrase:
        raise DatabaseKeyError(
            "A new server database needs an audit passphrase, which every workstation gives "
            f"once when it first connects: set {keys.PASSPHRASE_ENV} or start the desktop "
            "app to be asked for one."
        )
    keys.check_passphrase(passphrase)
    return passphrase


def install_audit_key(
    session: Session, key: bytes, passphrase: str, *, record: bool = True
) -> None:
    """Keep a server database's audit key in it, wrapped with its audit passphrase, and
    (``record``) say so in the trail in the same transaction: the server's record of
    changes (ia_desk.audit.server) finds every change of IA Desk's beside its event. A
    copy from an embedded database (``record=False``) copies its events in the same
    transaction instead."""

    salt = audit_salt(session)
    session.add(Setting(key="audit_key_wrapped", value=keys.wrap_audit_key(key, passphrase, salt)))
    session.add(Setting(key="audit_key_check", value=keys.audit_key_check(key)))
    session.flush()
    if record:
        session.info["audit_key"] = key
        append(session, None, "db.audit_key_installed", object_type="database")


def _refuse_unapproved_plaintext(engine: Engine, target: Target, has_schema: bool = True) -> None:
    """A server on another computer without TLS: only where an IA administrator said so
    (a database without IA Desk's tables has no administrator yet: refused)."""
    if not target.plaintext_remote:
        return

    allowed = False
    if has_schema:
        with Session(engine) as session:
            allowed = bool(get_setting(session, "allow_unencrypted_server_connections"))
    if not allowed:
        raise StorageError(
            f"The connection to {target.url.host} is not encrypted (sslmode="
            f"{target.url.query.get('sslmode')}). Connections to another computer must use "
            "TLS unless an IA administrator has allowed unencrypted connections "
            "(setting allow_unencrypted_server_connections)."
        )


def _server_audit_key(
    engine: Engine,
    target: Target,
    prompt: keys.PassphrasePrompt | None,
) -> bytes:
    """The audit key every workstation of a server database shares (see keys.py).

    A new database gets a random key, wrapped with an audit passphrase chosen now. A
    workstation that does not have the key yet asks that passphrase once and keeps the
    key in its keyring.
    """
    import secrets as random_bytes

    with Session(engine) as session:
        wrapped = session.get(Setting, "audit_key_wrapped")
        if wrapped is None:
            passphrase = new_audit_passphrase(prompt)
            key = random_bytes.token_bytes(32)
            install_audit_key(session, key, passphrase)
            session.commit()
        else:
            check_row = session.get(Setting, "audit_key_check")
            check = check_row.value if check_row else None
            cached = keys.stored_audit_key(target.ident)
            if cached is not None and keys.audit_key_check(cached) == check:
                key = cached
            else:
                given = keys.passphrase_from_env_or_prompt(prompt, confirm=False)
                if not given:
                    raise DatabaseKeyError(
                        "This workstation does not have the audit key of this server database "
                        f"yet: give the database's audit passphrase ({keys.PASSPHRASE_ENV}, or "
                        "the desktop app asks for it) once."
                    )
                salt = stored_audit_salt(session)
                if salt is None or check is None:
                    raise DatabaseKeyError(
                        "This server database's audit key record is incomplete (salt or check "
                        "value missing); restore it from a backup before using it."
                    )
                key = keys.unwrap_audit_key(str(wrapped.value), given, salt)
                if keys.audit_key_check(key) != check:
                    raise DatabaseKeyError("The audit passphrase of this database is wrong.")
    keys.remember_audit_key(target.ident, key)
    return key


def _resolve_audit_key(engine: Engine, secrets_: keys.DatabaseSecrets) -> bytes | Future[bytes]:
    if secrets_.audit_key is not None:
        return secrets_.audit_key
    if secrets_.passphrase is None:
        raise DatabaseKeyError(
            "The audit-trail key of this database is not in this computer's keyring; give the "
            f"passphrase ({keys.PASSPHRASE_ENV}) or restore the key."
        )

    with Session(engine) as session:  # read: it exists but for the first start
        salt = stored_audit_salt(session)
    if salt is None:
        with Session(engine.execution_options(ia_write=True)) as session:
            salt = audit_salt(session)
            session.commit()
    # PBKDF2 releases the GIL: stretched on another core while the app goes on.
    return background.submit(keys.derive_audit_key, secrets_.passphrase, salt)


def daily_backup_if_due(db: Database) -> Path | None:
    """The first start of a day backs the embedded database up (keeps the newest N).

    Not while the database is read-only (the backup would take the room kept for the
    audit trail); and refused up front (:class:`StorageError`, nothing written) when the
    disk lacks room for a copy of the database with some to spare, rather than filling
    the disk under everyone's feet.
    """
    if db.target.path is None:
        return None
    import datetime as dt

    age = latest_backup_age(db.target.path)
    if age is not None and age < dt.timedelta(days=1):
        return None
    if db.read_only:
        log.warning("daily backup skipped: the database is read-only (its disk is full)")
        return None
    free = storage.free_bytes(db.target.path)
    needed = db.target.path.stat().st_size + storage.ROOM_TO_LEAVE
    if free is not None and free < needed:
        mb = 1024 * 1024
        raise StorageError(
            f"The daily backup was skipped: the disk that holds {db.target.path.parent} has "
            f"{free // mb} MB free and the backup needs about {needed // mb} MB. Free some "
            "space there, or back up to another disk (Administration, or 'ia-desk backup')."
        )
    with db.read() as s:
        keep = int(get_setting(s, "backups_kept"))
    return automatic_backup(db.engine, db.target.path, db.cipher_key, "daily", keep)
