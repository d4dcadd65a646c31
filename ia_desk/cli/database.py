"""``ia-desk init`` and ``ia-desk db ...``: creating the database and its first IA
administrator, bringing its tables to this version, this workstation's server
connection, and moving an embedded database to a server."""

from __future__ import annotations

import argparse
import os
import sys

from ia_desk.cli import arguments as arg
from ia_desk.cli import context
from ia_desk.errors import InputError
from ia_desk.terms import SSLMODES


def cmd_init(args: argparse.Namespace) -> int:
    """Create (or bring to this version) the database and its first IA administrator,
    whose password is ``IA_DESK_NEW_PASSWORD`` (or ``IA_DESK_PASSWORD``) or asked."""
    from ia_desk.services import database

    password = os.environ.get(context.NEW_PASSWORD_ENV) or os.environ.get(context.PASSWORD_ENV)
    if not password:
        password = context.new_password(args.admin)
    db, done = database.create(
        args.db,
        args.admin,
        args.name or args.admin,
        password,
        demo=args.demo,
        prompt=context.prompt_passphrase,
        credentials=context.credentials,
    )
    print("\n".join(done))
    context.show_recovery_code(db)
    db.dispose()
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """With the recovery code (``IA_DESK_RECOVERY_CODE`` or asked), give an IA
    administrator a new password, to be changed at sign-in: the code opens an embedded
    database, and proves itself on a server by opening IA's key."""
    from ia_desk.services import database

    code = os.environ.get(context.RECOVERY_CODE_ENV) or context.prompt_passphrase(
        "Recovery code (from the department's safe)", False
    )
    if not code:
        raise InputError(
            f"Give the recovery code in {context.RECOVERY_CODE_ENV} or run in a terminal.",
            field="code",
        )
    password = context.new_password(args.admin)
    db = database.recover(args.db, code, args.admin, password)
    db.dispose()
    print(
        f"{args.admin} has a new password. Sign in with it and choose your own "
        "('ia-desk user passwd'); 'audit verify' names this recovery."
    )
    return 0


def cmd_db_retire_passphrase(args: argparse.Namespace) -> int:
    from ia_desk.services import database

    db, actor = context.signed_in(args)
    try:
        retired = database.retire_passphrase(db, actor).value
    finally:
        db.dispose()
    print(
        "the old database passphrase is retired: it opens nothing now"
        if retired
        else "there is no old database passphrase to retire (retired already, or never one)"
    )
    return 0


def cmd_db_recovery_code(args: argparse.Namespace) -> int:
    """A new recovery code, shown once on standard error (IA administrators)."""
    from ia_desk.services import database

    db, actor = context.signed_in(args)
    try:
        code = database.new_recovery_code(db, actor).value
        # Shown before anything else can fail: the code is committed, and only here.
        context.say(f"\n{database.NEW_RECOVERY_NOTICE}\n\n    {code}\n")
    finally:
        db.dispose()
    print(
        "a new recovery code is made: the old one no longer recovers an administrator of "
        "the database as it stands (it still opens the backups made before)"
    )
    return 0


def cmd_db_change_ia_key(args: argparse.Namespace) -> int:
    """Change IA's key; the new recovery code is shown once on standard error."""
    from ia_desk.services import database

    db, actor = context.signed_in(args)
    try:
        changed = database.rotate_ia_key(db, actor).value
        # Shown before anything else can fail: the change is committed, and only here.
        context.say(f"\n{database.CHANGED_KEY_NOTICE}\n\n    {changed.code}\n")
    finally:
        db.dispose()
    r = changed.rotation
    print(f"IA's key {r.replaces} is changed to {r.fingerprint}")
    print(f"notes and tasks sealed again to the new key: {r.resealed}")
    if r.not_opened:
        print(
            f"sealed values that did not open (changed outside IA Desk), left as they are: "
            f"{r.not_opened} ('ia-desk audit verify')"
        )
    print(f"given the new key: {', '.join([actor.login, *r.given])}")
    if r.given_later:
        print(
            "given it at an IA administrator's sign-in after their own next one: "
            + ", ".join(r.given_later)
        )
    if r.not_given:
        print(
            "not given it (the trail does not make them an active IA account with that "
            "key; an administrator looks into it): " + ", ".join(r.not_given)
        )
    return 0


def cmd_db_ia_key(args: argparse.Namespace) -> int:
    """IA's key: when it was made, by whom, and who left while holding it."""
    from ia_desk.services import accounts

    state = accounts.ia_key_state(*context.signed_in(args))
    if args.json:
        context.show(state, True, "")
        return 0
    if state is None:
        print("IA's key has not been made yet (an IA administrator's sign-in makes it)")
        return 0
    how = "changed" if state["changed"] else "made"
    print(f"IA's key {state['fingerprint']}: {how} {state['made_at']} by {state['made_by']}")
    left = state["left"]
    if left:
        print(
            "left since, while holding it: "
            + ", ".join(str(x) for x in left)  # type: ignore[attr-defined]
            + " (change IA's key: 'ia-desk db change-ia-key')"
        )
    else:
        print("nobody who held it has left since")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Opening the database brings its tables to this version; say where it stands.
    Nobody signs in: on a server it is the owner account's work."""
    from ia_desk.services import database

    db = database.open_database(
        args.db, prompt=context.prompt_passphrase, credentials=context.credentials
    )
    try:
        print(f"{db.target.describe()}: schema at {database.schema_revision(db)}")
    finally:
        db.dispose()
    return 0


def cmd_db_migrate_to(args: argparse.Namespace) -> int:
    from ia_desk.services import database

    db, actor = context.signed_in(args)
    try:
        result = database.move_to_server(
            db,
            actor,
            args.url,
            prompt=context.prompt_passphrase,
            progress=lambda m: print(m, file=sys.stderr),
        )
    finally:
        db.dispose()
    total = sum(result.rows.values())
    print(
        f"copied {total:,} rows into {result.target}; audit chain verified on the server "
        f"({result.audit_events_verified:,} events)"
    )
    return 0


def cmd_db_connect(args: argparse.Namespace) -> int:
    """Remember a server for this workstation (its password in the keyring only) and
    check that it opens."""
    from ia_desk.services import database

    conn = database.ServerConnection(args.host, args.database, args.user, args.port, args.tls)
    url = database.connect(conn, context.server_password(args.user, args.host) or None)
    db = database.open_database(url, prompt=context.prompt_passphrase)
    try:
        print(f"connected: {db.target.describe()} (remembered for this workstation)")
    finally:
        db.dispose()
    return 0


def cmd_db_disconnect(args: argparse.Namespace) -> int:
    from ia_desk.services import database

    if database.disconnect():
        print("the server connection is forgotten; the embedded database is used again")
    else:
        print("no server connection was saved")
    return 0


def register(commands: arg.Commands) -> None:
    """Add the ``init`` and ``db ...`` commands to the parser."""
    sp = arg.command(
        commands, "init", cmd_init, "create or upgrade the database and create the first admin"
    )
    sp.add_argument("--admin", required=True, metavar="LOGIN", type=arg.identifier("--admin"))
    sp.add_argument("--name", help="the administrator's full name", type=arg.person("--name"))
    sp.add_argument("--demo", action="store_true", help="add realistic sample cases")

    sp = arg.command(
        commands,
        "recover",
        cmd_recover,
        "open the database with its recovery code and give an IA administrator a new "
        f"password (code: {context.RECOVERY_CODE_ENV} or asked)",
    )
    sp.add_argument("--admin", required=True, metavar="LOGIN", type=arg.identifier("--admin"))

    db = arg.group(commands, "db", "the database: server connection, upgrade, move")
    arg.command(
        db,
        "retire-passphrase",
        cmd_db_retire_passphrase,
        "after the move to own passwords: the old shared passphrase opens nothing (IA admin)",
    )
    arg.command(
        db,
        "recovery-code",
        cmd_db_recovery_code,
        "make a new recovery code for the department's safe, replacing the old one, shown "
        "once (IA admin)",
    )
    arg.command(
        db,
        "change-ia-key",
        cmd_db_change_ia_key,
        "change IA's key after an IA user who held it left: everything sealed is sealed "
        "again to the new key, with a new recovery code shown once (IA admin)",
    )
    sp = arg.command(
        db, "ia-key", cmd_db_ia_key, "IA's key: when it was made, and who left holding it"
    )
    sp.add_argument("--json", action="store_true")
    arg.command(
        db,
        "upgrade",
        cmd_db_upgrade,
        "bring the database's tables to this version (owner account)",
    )
    sp = arg.command(
        db,
        "migrate-to",
        cmd_db_migrate_to,
        "copy this embedded database into an empty PostgreSQL database (IA admin)",
    )
    sp.add_argument("url", metavar="URL", help="postgresql+psycopg://USER[:PASSWORD]@HOST/DB")
    sp = arg.command(
        db,
        "connect",
        cmd_db_connect,
        "remember a PostgreSQL server for this workstation (password: "
        f"{context.DB_PASSWORD_ENV} or asked; kept in the keyring)",
    )
    sp.add_argument("--host", required=True)
    sp.add_argument("--port", type=arg.count("--port", 65535), default=5432)
    sp.add_argument("--database", default="ia_desk")
    sp.add_argument("--user", default="ia_desk_app")
    sp.add_argument("--tls", default="require", choices=list(SSLMODES))
    arg.command(
        db,
        "disconnect",
        cmd_db_disconnect,
        "forget the server connection; use the embedded database",
    )
