"""Own password only (issue 20, items 1 and 6): an embedded database opens with its
user's own password, and with nothing else that lies beside it.

Every attack opens the file with ``sqlcipher3`` directly, as someone holding the
database file and its key file would.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import sqlcipher3
from sqlalchemy import func, select

from ia_desk.accounts.users import add_user, create_first_admin, set_active, unlock_actor
from ia_desk.db.models import Case, User
from ia_desk.errors import AuthenticationError, DatabaseKeyError, InputError
from ia_desk.security import keyfile
from ia_desk.services import accounts, database
from ia_desk.services import audit as audit_service
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise
from tests.conftest import FIRST_PASSWORD, PASSWORD, report_doc

pytestmark = pytest.mark.sqlite_only

OLD_PASSPHRASE = "the shared one 2026"
BOB_PASSWORD = "His-own-choice-2026"


@pytest.fixture
def no_secure_keyring() -> Iterator[None]:
    """A workstation with no secure keyring: nothing cached, nothing to cache."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def as_user(login: str, password: str) -> Callable[[], tuple[str, str]]:
    return lambda: (login, password)


def opens(path: Path, key: str) -> bool:
    """Does ``key`` (as PRAGMA key takes it: a passphrase or x'hex') open the file?"""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = {sqlite_quote(key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def sqlite_quote(value: str) -> str:
    if value.startswith("x'"):
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def everything_in(doc: object) -> Iterator[str]:
    """Every string in a key file, and every value one could make of it as a key."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield str(k)
            yield from everything_in(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from everything_in(v)
    else:
        text = str(doc)
        yield text
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        hexed = bytes.fromhex(text) if re.fullmatch(r"(?:[0-9a-f]{2})+", text) else b""
        for blob in (raw, hexed):
            for start in range(0, max(len(blob) - 31, 0), 4):
                yield f"x'{blob[start : start + 32].hex()}'"


@pytest.fixture
def made(db_path: Path, no_secure_keyring: None) -> tuple[Path, str]:
    """A new database made on a workstation with no secure keyring; its recovery code."""
    db, _ = initialise(str(db_path), "admin", "Ada Admin", PASSWORD)
    code = database.take_recovery_code(db)
    assert code is not None
    assert database.take_recovery_code(db) is None  # shown once
    with db.write(None) as s:
        admin = unlock_actor(s, "admin", PASSWORD)
        add_user(s, admin, "bob", "ia_investigator", "Bob Inv", FIRST_PASSWORD)
    db.dispose()
    return db_path, code


def test_the_files_beside_the_database_open_nothing_without_a_password(made):
    path, _ = made
    kf_path = keyfile.path_for(path)
    assert stat.S_IMODE(kf_path.stat().st_mode) == 0o600
    doc = json.loads(kf_path.read_text())
    tries = [*everything_in(doc), "", "ia-desk", str(path)]
    tries += [str(p.name) for p in path.parent.iterdir()]
    assert len(tries) > 40
    opened = [t for t in tries if opens(path, t)]
    assert opened == [], "something in the files beside the database opens it"
    # The database itself still opens, and only with the user's own password.
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 2
    assert opens(path, db.cipher_key)  # the attack's method works with the real key
    db.dispose()


def test_each_user_opens_it_with_their_own_password_and_signs_in_with_it(made):
    path, _ = made
    # Bob's first sign-in: the password the administrator chose opens it; he chooses
    # his own, and from then on only his own does.
    db = open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    accounts.change_password(db, "bob", FIRST_PASSWORD, BOB_PASSWORD)
    db.dispose()
    with pytest.raises(DatabaseKeyError) as refused:
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    assert "login or password is wrong" in refused.value.message
    db = open_database(str(path), credentials=as_user("bob", BOB_PASSWORD))
    actor = accounts.sign_in(db, "bob", BOB_PASSWORD)
    assert actor.login == "bob" and not actor.must_change_password
    db.dispose()
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    db.dispose()
    # An unknown login answers as a wrong password does.
    with pytest.raises(DatabaseKeyError) as unknown:
        open_database(str(path), credentials=as_user("mallory", PASSWORD))
    assert unknown.value.message == refused.value.message
    # Someone else's password opens nothing under their own login.
    with pytest.raises(DatabaseKeyError):
        open_database(str(path), credentials=as_user("bob", PASSWORD))
    # Without credentials, it says what to do.
    with pytest.raises(DatabaseKeyError, match="IA_DESK_USER"):
        open_database(str(path))


def test_a_disabled_users_password_no_longer_opens_it(made):
    path, _ = made
    kf_path = keyfile.path_for(path)
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    admin = accounts.sign_in(db, "admin", PASSWORD)
    assert keyfile.KeyFile.load(kf_path).has_user("bob")
    accounts.set_active(db, admin, "bob", False)
    db.dispose()
    assert not keyfile.KeyFile.load(kf_path).has_user("bob")
    with pytest.raises(DatabaseKeyError, match="login or password is wrong"):
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    # The attack: bob's old wrapping is gone from the file, so nothing of his opens it.
    doc = json.loads(kf_path.read_text())
    assert "bob" not in doc["users"]
    assert [t for t in everything_in(doc) if opens(path, t)] == []


def test_a_refused_change_leaves_the_key_file_as_it_was(made):
    path, _ = made
    kf_path = keyfile.path_for(path)
    before = kf_path.read_bytes()
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    admin = accounts.sign_in(db, "admin", PASSWORD)
    with pytest.raises(InputError), db.write(admin) as s:
        set_active(s, admin, "bob", False)
        raise InputError("changed my mind")  # the transaction rolls back
    assert kf_path.read_bytes() == before
    with pytest.raises(InputError):  # the password rules refuse it: nothing is wrapped
        accounts.reset_password(db, admin, "bob", "short")
    assert kf_path.read_bytes() == before
    db.dispose()


def test_the_recovery_code_opens_it_and_gives_an_admin_a_new_password(made):
    path, code = made
    new = "Out-of-the-safe-2026"
    with pytest.raises(DatabaseKeyError, match="recovery code does not open"):
        database.recover(str(path), code[:-4] + "0000", "admin", new)
    with pytest.raises(InputError, match="not an active IA administrator"):
        database.recover(str(path), code, "bob", new).dispose()
    database.recover(str(path), code.lower().replace("-", " "), "admin", new).dispose()
    # Every administrator password was lost; the new one opens the database and signs in,
    # to be replaced at once by one of the administrator's own choosing.
    with pytest.raises(DatabaseKeyError):
        open_database(str(path), credentials=as_user("admin", PASSWORD))
    db = open_database(str(path), credentials=as_user("admin", new))
    actor = accounts.sign_in(db, "admin", new)
    assert actor.must_change_password
    actor = accounts.change_password(db, "admin", new, PASSWORD)
    result = audit_service.verify_trail(db, actor)
    # The recovery is named by verify, and nothing else is wrong: the new key signs.
    assert [p for _, p in result.problems] == [
        p for _, p in result.problems if "recovery code" in p
    ]
    assert len(result.problems) == 1
    db.dispose()


def test_a_tampered_key_file_does_not_open_and_says_so(made):
    path, _ = made
    kf_path = keyfile.path_for(path)
    doc = json.loads(kf_path.read_text())
    # bob's wrapping put in the administrator's place: it names bob, so it opens nothing.
    doc["users"]["admin"] = doc["users"]["bob"]
    kf_path.write_text(json.dumps(doc))
    with pytest.raises(DatabaseKeyError) as swapped:
        open_database(str(path), credentials=as_user("admin", FIRST_PASSWORD))
    assert "altered" in swapped.value.message
    # One byte of an entry changed.
    wrapped = bytearray(base64.b64decode(doc["users"]["bob"]["wrapped"]))
    wrapped[-1] ^= 1
    doc["users"]["bob"]["wrapped"] = base64.b64encode(bytes(wrapped)).decode()
    kf_path.write_text(json.dumps(doc))
    with pytest.raises(DatabaseKeyError, match="altered"):
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    # Not a key file at all.
    kf_path.write_text("{ this is not json")
    with pytest.raises(DatabaseKeyError) as damaged:
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    assert "damaged" in damaged.value.message and "Traceback" not in damaged.value.message
    kf_path.unlink()
    with pytest.raises(DatabaseKeyError, match="key file of this database .* is missing"):
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))


def test_the_keyring_caches_a_users_unwrapped_key_only_where_it_is_secure(made, isolated, db_path):
    path, _ = made
    # No secure keyring (the fixture): nothing was cached, so nothing opens without sign-in.
    keyring.set_keyring(isolated)
    assert isolated.store == {}
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    db.dispose()
    names = {name.split(":")[0] for _s, name in isolated.store}
    assert names == {"db-key", "audit-key", "db-key-user"}
    db = open_database(str(path))  # the next start on this workstation: sign-in only
    admin = accounts.sign_in(db, "admin", PASSWORD)
    # Disabling the user whose password filled the cache forgets it here.
    with db.write(admin) as s:
        add_user(s, admin, "carl", "ia_admin", "Carl Admin", FIRST_PASSWORD)
    accounts.change_password(db, "carl", FIRST_PASSWORD, BOB_PASSWORD)
    db.dispose()
    db = open_database(str(path), credentials=as_user("carl", BOB_PASSWORD))
    db.dispose()
    db = open_database(str(path))
    carl = accounts.sign_in(db, "carl", BOB_PASSWORD)
    admin = accounts.sign_in(db, "admin", PASSWORD)
    accounts.set_active(db, admin, "bob", False)
    assert isolated.store  # the cache was carl's, not bob's
    accounts.set_active(db, carl, "admin", False)
    db.dispose()
    assert isolated.store == {}


def test_a_backup_carries_its_wrappings(made, tmp_path):
    path, _ = made
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    admin = accounts.sign_in(db, "admin", PASSWORD)
    out = tmp_path / "copy.db"
    from ia_desk.services import maintenance

    maintenance.make_backup(db, admin, out)
    db.dispose()
    beside = keyfile.path_for(out)
    assert stat.S_IMODE(beside.stat().st_mode) == 0o600
    secrets = keyfile.KeyFile.load(beside).open_as_user("admin", PASSWORD)
    assert opens(out, secrets.pragma_key)
    assert [t for t in everything_in(json.loads(beside.read_text())) if opens(out, t)] == []


# -- the upgrade from a shared passphrase (item 6) --------------------------------------


def old_passphrase_database(
    path: Path, monkeypatch: pytest.MonkeyPatch, passphrase: str = OLD_PASSPHRASE
) -> int:
    """A database as the versions before per-user wrapping made one where there was no
    secure keyring: SQLCipher keyed by the shared passphrase, the audit key derived from
    it, no key file; an administrator, two users and a case. Returns its case count."""
    from ia_desk.accounts.users import change_own_password
    from ia_desk.cases.intake import open_case, parse_report
    from ia_desk.db.location import resolve_target
    from ia_desk.security import keys
    from ia_desk.startup import opening

    target = resolve_target(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv(keys.PASSPHRASE_ENV, passphrase)

    def as_before(target_: object, **_: object) -> tuple[keys.DatabaseSecrets, None]:
        return keys.secrets_for_new_database(target.ident, True), None

    # The old start-up: the passphrase keys the new file (setup wrapped nothing).
    with monkeypatch.context() as m:
        m.setattr(opening.own_passwords, "secrets_for_setup", as_before)
        db, _ = initialise(str(path), "admin", "Ada Admin", PASSWORD)
    assert not keyfile.path_for(path).exists()
    with db.write(None) as s:
        admin = unlock_actor(s, "admin", PASSWORD)
        add_user(s, admin, "bob", "ia_investigator", "Bob Inv", FIRST_PASSWORD)
        add_user(s, admin, "cleo", "supervisor", "Cleo Sup", FIRST_PASSWORD)
    change_own_password(db, "bob", FIRST_PASSWORD, BOB_PASSWORD)
    with db.write(admin) as s:
        open_case(s, admin, parse_report(report_doc()))
    with db.read() as s:
        cases = s.scalar(select(func.count()).select_from(Case)) or 0
    db.dispose()
    assert opens(path, passphrase)
    return cases


def test_an_old_passphrase_database_moves_to_own_passwords_at_first_sign_in(
    db_path, no_secure_keyring, monkeypatch, capsys
):
    from ia_desk.cli import main

    cases = old_passphrase_database(db_path, monkeypatch)
    backups = db_path.parent / "backups"
    # The first sign-in after the upgrade: passphrase (the last time) and own password.
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", str(db_path), "case", "list"]) == 0
    printed = capsys.readouterr()
    code = re.search(r"\n\s+([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)\n", printed.err)
    assert code is not None and "RECOVERY CODE" in printed.err
    # A backup was made first; it is the database as it was (the passphrase opens it).
    (backup,) = backups.glob("*before-own-passwords*.db")
    assert opens(backup, OLD_PASSPHRASE)
    # The attack: the passphrase every user knew no longer opens the file, nor does
    # anything in the key file.
    assert not opens(db_path, OLD_PASSPHRASE)
    kf_doc = json.loads(keyfile.path_for(db_path).read_text())
    assert [t for t in everything_in(kf_doc) if opens(db_path, t)] == []
    # The administrator's own password opens it now, with nothing lost.
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    db = open_database(str(db_path), credentials=as_user("admin", PASSWORD))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases
    admin = accounts.sign_in(db, "admin", PASSWORD)
    assert database.take_recovery_code(db) is None  # shown once, the first time only
    verified = audit_service.verify_trail(db, admin)
    assert verified.ok, verified.problems
    db.dispose()
    assert main(["--db", str(db_path), "case", "list"]) == 0
    assert "RECOVERY CODE" not in capsys.readouterr().err
    # Bob has not signed in since: his password alone does not open it; with the old
    # passphrase once it does, and from then on his own password.
    with pytest.raises(DatabaseKeyError, match="old database passphrase"):
        open_database(str(db_path), credentials=as_user("bob", BOB_PASSWORD))
    monkeypatch.setenv("IA_DESK_PASSPHRASE", OLD_PASSPHRASE)
    db = open_database(str(db_path), credentials=as_user("bob", BOB_PASSWORD))
    accounts.sign_in(db, "bob", BOB_PASSWORD)
    db.dispose()
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    open_database(str(db_path), credentials=as_user("bob", BOB_PASSWORD)).dispose()
    # The administrator retires the passphrase: Cleo, who never signed in, needs a reset.
    monkeypatch.setenv("IA_DESK_PASSPHRASE", OLD_PASSPHRASE)
    assert main(["--db", str(db_path), "db", "retire-passphrase"]) == 0
    with pytest.raises(DatabaseKeyError, match="no key to this database"):
        open_database(str(db_path), credentials=as_user("cleo", FIRST_PASSWORD))
    assert "legacy" not in json.loads(keyfile.path_for(db_path).read_text())
    # The recovery code shown at the move opens it.
    db = database.recover(str(db_path), code.group(1), "admin", "Out-of-the-safe-2026")
    db.dispose()


def test_a_move_killed_before_the_rekey_starts_again(db_path, no_secure_keyring, monkeypatch):
    """The new key file is written beside the database under another name before the
    rekey: a start that finds it and an old key that still opens the file throws it away
    and moves again at the next sign-in."""
    from ia_desk.startup import own_passwords

    old_passphrase_database(db_path, monkeypatch)

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(own_passwords, "_rekey", killed)
        db = open_database(str(db_path))
        with pytest.raises(KeyboardInterrupt):
            accounts.sign_in(db, "admin", PASSWORD)
        db.dispose()
    moving = keyfile.path_for(db_path).with_name(db_path.name + ".keys.moving")
    assert moving.exists() and opens(db_path, OLD_PASSPHRASE)
    db = open_database(str(db_path))
    assert not moving.exists()
    accounts.sign_in(db, "admin", PASSWORD)
    db.dispose()
    assert not opens(db_path, OLD_PASSPHRASE)
    open_database(str(db_path), credentials=as_user("admin", PASSWORD)).dispose()


def test_first_admin_is_refused_a_second_time(made):
    path, _ = made
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    with pytest.raises(InputError), db.write(None) as s:
        create_first_admin(s, "eve", "Eve", PASSWORD)
    assert not keyfile.KeyFile.load(keyfile.path_for(path)).has_user("eve")
    with pytest.raises(AuthenticationError):
        accounts.sign_in(db, "eve", PASSWORD)
    db.dispose()


# -- the desktop ------------------------------------------------------------------------


def test_the_recovery_code_dialog_stays_until_it_is_written_down(qtbot):
    from PySide6.QtCore import Qt

    from ui.dialogs.recovery_code import RecoveryCodeDialog

    dlg = RecoveryCodeDialog("ABCD-EFGH")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.code.text() == "ABCD-EFGH"
    assert not dlg.ok.isEnabled()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert dlg.isVisible()  # not closed before it is written down
    dlg.written.setChecked(True)
    assert dlg.ok.isEnabled()
    dlg.ok.click()
    assert dlg.result() == dlg.DialogCode.Accepted


def test_the_desktops_first_start_shows_the_recovery_code_once(qtbot, db_path, monkeypatch):
    import ui.app
    from ui.dialogs.first_run import FirstRunDialog

    class Filled(FirstRunDialog):
        def exec(self) -> int:
            qtbot.addWidget(self)
            self.login.setText("admin")
            self.password.setText(PASSWORD)
            self.password2.setText(PASSWORD)
            self.demo.setChecked(False)
            return int(self.DialogCode.Accepted)

    shown: list[str | None] = []
    monkeypatch.setattr(ui.app, "FirstRunDialog", Filled)
    monkeypatch.setattr(ui.app, "show_recovery_code", lambda code, *_: shown.append(code))
    db = ui.app.first_run(str(db_path))
    assert isinstance(db, database.Database)
    (code,) = shown
    assert code and re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{1,4})+", code)
    db.dispose()
    database.recover(str(db_path), code, "admin", "Out-of-the-safe-2026").dispose()


def test_the_desktop_asks_the_password_once_where_no_key_is_cached(qtbot, made, monkeypatch):
    """No copy of the key on this computer: the sign-in window comes before the database
    opens, and what it was given signs the user in (no second prompt)."""
    import ui.app
    from ui.dialogs.sign_in import SignInDialog

    path, _ = made
    asked: list[str] = []

    def ask(where: str, error: str = "") -> tuple[str, str]:
        asked.append(where)
        return "admin", PASSWORD

    monkeypatch.setattr(ui.app, "ask_credentials", ask)
    opened = ui.app.open_or_create(str(path))
    assert opened is not None
    db, given = opened
    assert given == ("admin", PASSWORD) and len(asked) == 1
    dlg = SignInDialog(db, preset=given)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.actor is not None, timeout=5000)
    assert dlg.actor is not None and dlg.actor.login == "admin"
    db.dispose()
    # Before the database opens, the window only takes the login and password.
    before = SignInDialog(None, where=str(path))
    qtbot.addWidget(before)
    before.login.setText("bob")
    before.password.setText("x")
    before._sign_in()
    assert before.credentials == ("bob", "x") and before.actor is None


def test_a_restored_backup_opens_with_the_passwords_it_holds(made, tmp_path):
    """A restore puts the backup's key file in place with it: the passwords of the
    accounts it holds open it, as they sign in to it."""
    from ia_desk.services import maintenance

    path, _ = made
    db = open_database(str(path), credentials=as_user("admin", PASSWORD))
    admin = accounts.sign_in(db, "admin", PASSWORD)
    out = tmp_path / "before.db"
    maintenance.make_backup(db, admin, out)
    accounts.change_password(db, "bob", FIRST_PASSWORD, BOB_PASSWORD)
    db.dispose()
    db = open_database(str(path), credentials=as_user("bob", BOB_PASSWORD))
    admin = accounts.sign_in(db, "admin", PASSWORD)
    maintenance.restore_backup(db, admin, out)
    with pytest.raises(DatabaseKeyError):
        open_database(str(path), credentials=as_user("bob", BOB_PASSWORD))
    db = open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))
    assert accounts.sign_in(db, "bob", FIRST_PASSWORD).must_change_password
    db.dispose()
    # The key file it replaced is kept beside the copy of the database kept aside.
    assert list(path.parent.glob("*before-restore*.db.keys"))


def test_an_entry_asking_argon2_for_too_much_is_refused_without_trying(made):
    path, _ = made
    kf_path = keyfile.path_for(path)
    doc = json.loads(kf_path.read_text())
    doc["users"]["bob"]["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB
    kf_path.write_text(json.dumps(doc))
    with pytest.raises(DatabaseKeyError, match="altered"):
        open_database(str(path), credentials=as_user("bob", FIRST_PASSWORD))


def test_a_script_opens_it_with_the_users_login_and_password_from_the_environment(
    made, monkeypatch
):
    path, _ = made
    monkeypatch.setenv("IA_DESK_USER", "bob")
    monkeypatch.setenv("IA_DESK_PASSWORD", "not his")
    with pytest.raises(DatabaseKeyError, match="login or password is wrong"):
        open_database(str(path))
    monkeypatch.setenv("IA_DESK_PASSWORD", FIRST_PASSWORD)
    open_database(str(path)).dispose()


def test_an_old_keyring_database_gets_its_key_file_at_first_sign_in(db_path, monkeypatch):
    """A database from before, whose random key lived only in keyrings: the first
    sign-in writes its key file (backup first) and keeps the key, which the other
    workstations have cached."""
    from ia_desk.security import keys
    from ia_desk.startup import opening

    def as_before(target: object, **_: object) -> tuple[keys.DatabaseSecrets, None]:
        return keys.secrets_for_new_database(target.ident, True), None  # type: ignore[attr-defined]

    with monkeypatch.context() as m:
        m.setattr(opening.own_passwords, "secrets_for_setup", as_before)
        db, _ = initialise(str(db_path), "admin", "Ada Admin", PASSWORD)
        db.dispose()
    assert not keyfile.path_for(db_path).exists()
    db = open_database(str(db_path))
    old_key = db.cipher_key
    accounts.sign_in(db, "admin", PASSWORD)
    assert database.take_recovery_code(db) is not None
    db.dispose()
    assert list((db_path.parent / "backups").glob("*before-own-passwords*.db"))
    secrets = keyfile.KeyFile.load(keyfile.path_for(db_path)).open_as_user("admin", PASSWORD)
    assert secrets.pragma_key == old_key and opens(db_path, old_key)
    keyring.get_keyring().store.clear()  # type: ignore[attr-defined]
    open_database(str(db_path), credentials=as_user("admin", PASSWORD)).dispose()
