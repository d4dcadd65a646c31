"""The database as the doors see it: which one, opening or creating it, this
workstation's server connection, moving to a server, and noticing other workstations'
changes. (What a start does is :mod:`ia_desk.startup`'s; this is its door.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ia_desk.accounts.users import count_users, unlock_actor
from ia_desk.db.changes import SOMETHING, ChangeFeed
from ia_desk.db.connection import DEFAULT_PORT, SSLMODES, ServerConnection, saved_connection
from ia_desk.db.engine import Database
from ia_desk.db.location import Target, is_loopback, resolve_target
from ia_desk.db.migrate import current_revision
from ia_desk.db.models import User
from ia_desk.security import keys
from ia_desk.security.actor import Actor
from ia_desk.services import Changes, Done
from ia_desk.startup import (
    daily_backup_if_due,
    database_exists,
    open_database,
    own_passwords,
    start_stretching,
)
from ia_desk.startup.connection import forget_connection, save_connection
from ia_desk.startup.setup import initialise
from ia_desk.startup.transfer import Transfer, migrate_to

__all__ = [
    "DEFAULT_PORT",
    "SOMETHING",
    "SSLMODES",
    "ChangeFeed",
    "Database",
    "PassphrasePrompt",
    "ServerConnection",
    "Target",
    "Transfer",
    "connect",
    "changes_elsewhere",
    "connect_checked",
    "create",
    "daily_backup_if_due",
    "database_exists",
    "needs_first_admin",
    "disconnect",
    "is_loopback",
    "migrate_to",
    "open_database",
    "resolve_target",
    "saved_connection",
    "schema_revision",
    "secure_keyring_available",
    "start_stretching",
    "take_recovery_code",
    "recover",
    "new_recovery_code",
    "rotate_ia_key",
    "KeyChanged",
    "CHANGED_KEY_NOTICE",
    "retire_passphrase",
    "RECOVERY_NOTICE",
    "NEW_RECOVERY_NOTICE",
    "MIN_PASSPHRASE",
]

PassphrasePrompt = keys.PassphrasePrompt
RECOVERY_NOTICE = own_passwords.RECOVERY_NOTICE
NEW_RECOVERY_NOTICE = own_passwords.NEW_RECOVERY_NOTICE
CHANGED_KEY_NOTICE = own_passwords.CHANGED_KEY_NOTICE
KeyChanged = own_passwords.KeyChanged
take_recovery_code = own_passwords.take_recovery_code
MIN_PASSPHRASE = keys.MIN_PASSPHRASE
secure_keyring_available = keys.secure_keyring_available


def create(
    url: str | None,
    admin_login: str,
    admin_name: str,
    admin_password: str,
    *,
    demo: bool = False,
    prompt: PassphrasePrompt | None = None,
    credentials: own_passwords.Credentials | None = None,
) -> tuple[Database, list[str]]:
    """Create (or bring to this version) the database and its first IA administrator;
    with ``demo``, add the demonstration cases. Returns the database and what was done
    (a new database's recovery code: :func:`take_recovery_code`, once)."""
    db, done = initialise(
        url, admin_login, admin_name, admin_password, prompt=prompt, credentials=credentials
    )
    if demo:
        from sqlalchemy import select

        # Here, not at the top: the demo data's images (Pillow) stay out of every start.
        from ia_desk.services.maintenance import add_demo_cases

        with db.write(None) as s:
            admin = s.scalars(select(User).where(User.role == "ia_admin").order_by(User.id)).first()
            assert admin is not None
            # Signed as the administrator, with the key their password opens.
            actor = unlock_actor(s, admin.login, admin_password)
        done.append(f"demo data: {add_demo_cases(db, actor)} cases")
    return db, done


def needs_first_admin(db: Database) -> bool:
    """Whether the database has no user yet: a server database whose first start
    stopped after IA Desk's tables were made (the next start finishes it)."""
    with db.read() as session:
        return count_users(session) == 0


def connect(conn: ServerConnection, password: str | None) -> str:
    """Remember a server for this workstation (its password in the keyring); its URL."""
    return save_connection(conn, password)


def connect_checked(conn: ServerConnection, password: str | None) -> str:
    """Reach the server and sign in with these details first; only then remember them,
    as :func:`connect` does. Refused (an IADeskError naming the field, or the server's
    own answer) with nothing kept."""
    from sqlalchemy.engine import make_url

    checked = conn.checked()
    probe = make_url(checked.url())
    if password:
        probe = probe.set(password=password)
    database_exists(resolve_target(probe.render_as_string(hide_password=False)))
    return connect(checked, password)


def changes_elsewhere(feed: ChangeFeed) -> Changes:
    """What other workstations changed since the feed's last poll, as the screens'
    :class:`Changes`: the case list, and the cases the backend names (PostgreSQL names
    each; SQLite says only that some case changed). Raises what the feed's connection
    raises (a dropped server)."""
    changed = feed.poll()
    if not changed:
        return Changes()
    return Changes(cases=frozenset(changed - {SOMETHING}), case_list=True)


def disconnect() -> bool:
    """Forget the server connection: the embedded database is used again."""
    return forget_connection()


def schema_revision(db: Database) -> str | None:
    """The database's schema version (Alembic's revision)."""
    return current_revision(db.engine)


def move_to_server(
    db: Database,
    actor: Actor,
    url: str,
    *,
    prompt: PassphrasePrompt | None = None,
    progress: Callable[[str], None] | None = None,
) -> Transfer:
    """Copy this embedded database into an empty server database (IA administrators)."""
    return migrate_to(db, actor, url, prompt=prompt, progress=progress)


def backup_folder(db: Database) -> Path | None:
    """Where the automatic backups of an embedded database are kept."""
    return db.target.path.parent / "backups" if db.target.path else None


def recover(url: str | None, code: str, admin_login: str, new_password: str) -> Database:
    """Give the IA administrator ``admin_login`` a new password (to be changed at their
    next sign-in) with the recovery code: it opens an embedded database, and on a
    server it proves itself by opening IA's key. Audited as ``user.recover`` (``audit
    verify`` names it). Returns the open database."""
    db = open_database(url, recovery_code=code)
    try:
        own_passwords.recover(db, admin_login, new_password, code)
    except BaseException:
        db.dispose()
        raise
    return db


def new_recovery_code(db: Database, actor: Actor) -> Done[str]:
    """A new recovery code for the department's safe, replacing the old one (IA
    administrators who hold IA's key; audited, the code never in the trail). The
    caller shows it once."""
    return Done(own_passwords.new_recovery_code(db, actor), Changes())


def retire_passphrase(db: Database, actor: Actor) -> Done[bool]:
    """After the move to own passwords: the old shared passphrase opens nothing any more
    (IA administrators; audited). False when it was retired already."""
    return Done(own_passwords.retire_passphrase(db, actor), Changes())


def rotate_ia_key(db: Database, actor: Actor) -> Done[KeyChanged]:
    """Change IA's key after an IA user who held it left (IA administrators holding it):
    everything sealed is sealed again to the new key, which goes to the IA users who are
    still IA's, with a new recovery code (shown once). The change is announced to the
    accounts' screens."""
    return Done(own_passwords.rotate_ia_key(db, actor), Changes(accounts=True))
