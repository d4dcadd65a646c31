"""Starting up (issue 21): the first-start form is checked before anything is made or any
secret asked, a failed first start leaves no half-made database, a database that does
not open offers Try again, and a session without a display is told how to get one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

import ia_desk.startup.setup
from ia_desk.db.models import User
from ia_desk.errors import InputError, StorageError
from ia_desk.security import keys
from ia_desk.security.keyfile import path_for
from ia_desk.services import database
from ia_desk.startup import open_database
from tests.conftest import AUDIT_PASSPHRASE, PASSWORD, drop_server_database, new_server_database

ROOT = Path(__file__).resolve().parents[1]


def no_prompt(*_: object, **__: object) -> str:
    raise AssertionError("a secret was asked before the first-start form was checked")


def files_named_after(path: Path) -> list[str]:
    if not path.parent.exists():
        return []
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


@pytest.mark.parametrize(
    ("login", "name", "password", "field"),
    [
        ("admin", "Ada Admin", "short", "password"),
        ("9admin", "Ada Admin", PASSWORD, "login"),
        ("admin", "A\x07da", PASSWORD, "name"),
    ],
)
def test_a_refused_first_administrator_makes_nothing_and_asks_no_secret(
    db_path, login, name, password, field
):
    with pytest.raises(InputError) as refused:
        database.create(str(db_path), login, name, password, prompt=no_prompt)
    assert refused.value.field == field
    assert files_named_after(db_path) == []
    assert keys.cached_secrets(database.resolve_target(str(db_path)).ident) is None


def test_a_first_start_that_fails_midway_removes_what_it_made(db_path, monkeypatch):
    """The disk fills as the administrator is written: the new file, its key file and
    this computer's cached key go; a backup that was there before stays; the next first
    start then works."""
    db_path.parent.mkdir(parents=True)
    earlier = db_path.with_name(db_path.name + ".backup-2026-11-30")
    earlier.write_bytes(b"an earlier backup")

    def disk_full(*_: object) -> None:
        raise StorageError("The disk is full.")

    with monkeypatch.context() as m:
        m.setattr(ia_desk.startup.setup, "create_first_admin", disk_full)
        with pytest.raises(StorageError):
            database.create(str(db_path), "admin", "Ada Admin", PASSWORD)
        assert files_named_after(db_path) == [earlier.name]
        assert not path_for(db_path).exists()
        assert keys.cached_secrets(database.resolve_target(str(db_path)).ident) is None
    db, _ = database.create(str(db_path), "admin", "Ada Admin", PASSWORD)
    db.dispose()
    reopened = open_database(str(db_path), credentials=lambda: ("admin", PASSWORD))
    with reopened.read() as s:
        assert list(s.scalars(select(User.login))) == ["admin"]
    reopened.dispose()
    assert earlier.read_bytes() == b"an earlier backup"


@pytest.fixture
def server_url(monkeypatch) -> object:
    url = new_server_database()
    monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
    yield url
    drop_server_database(url)


@pytest.mark.postgresql_only
def test_a_server_first_start_that_stopped_is_finished_at_the_next_start(
    qtbot, server_url, monkeypatch
):
    """The server's tables were made, then the first start stopped: the next desktop
    start shows the first-start form again (not a sign-in nobody can pass)."""
    import ui.app
    from ui.dialogs.first_run import FirstRunDialog

    def stopped(*_: object) -> None:
        raise StorageError("The connection to the server was lost.")

    with monkeypatch.context() as m:
        m.setattr(ia_desk.startup.setup, "create_first_admin", stopped)
        with pytest.raises(StorageError):
            database.create(server_url, "admin", "Ada Admin", PASSWORD)
    assert database.database_exists(database.resolve_target(server_url))

    forms: list[str] = []

    class Filled(FirstRunDialog):
        def exec(self) -> int:
            qtbot.addWidget(self)
            forms.append(self.intro.text())
            self.login.setText("admin")
            self.password.setText(PASSWORD)
            self.password2.setText(PASSWORD)
            self.demo.setChecked(False)
            return int(self.DialogCode.Accepted)

    monkeypatch.setattr(ui.app, "FirstRunDialog", Filled)
    monkeypatch.setattr(ui.app, "show_recovery_code", lambda *_: None)
    opened = ui.app.open_or_create(server_url)
    assert opened is not None and len(forms) == 1 and "no user yet" in forms[0]
    db, _ = opened
    with db.read() as s:
        assert list(s.scalars(select(User.login))) == ["admin"]
    db.dispose()


def test_a_database_that_does_not_open_offers_try_again(qtbot, monkeypatch, db_path):
    """A server down, a disk unplugged: the box says why and Try again opens it once it
    is back; Close ends the start."""
    import ui.app

    made, _ = database.create(str(db_path), "admin", "Ada Admin", PASSWORD)
    made.dispose()
    real_open = ui.app.open_database
    tries: list[int] = []

    def flaky(*args: object, **kwargs: object) -> object:
        tries.append(1)
        if len(tries) == 1:
            raise StorageError("The disk that holds the database is not there.")
        return real_open(*args, **kwargs)

    shown: list[tuple[str, list[str]]] = []

    def click(label: str):
        def exec_(box) -> int:
            shown.append((box.text(), [b.text() for b in box.buttons()]))
            (button,) = [b for b in box.buttons() if b.text() == label]
            button.click()
            return 0

        return exec_

    monkeypatch.setattr(ui.app, "open_database", flaky)
    monkeypatch.setattr(ui.app, "ask_credentials", lambda *_, **__: ("admin", PASSWORD))
    monkeypatch.setattr(ui.app.QMessageBox, "exec", click(ui.app.TRY_AGAIN))
    keys.forget_cached_secrets(database.resolve_target(str(db_path)).ident)
    opened = ui.app.open_or_create(str(db_path))
    assert opened is not None and len(tries) == 2
    opened[0].dispose()
    ((text, buttons),) = shown
    assert "not there" in text
    # --db named the database: no connection to change, but Try again and Close.
    assert buttons == [ui.app.TRY_AGAIN, "Close"]

    tries.clear()
    monkeypatch.setattr(ui.app.QMessageBox, "exec", click("Close"))
    assert ui.app.open_or_create(str(db_path)) is None and len(tries) == 1


def test_without_a_display_the_app_says_how_to_start_one(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "IA_DESK_DB")
    }
    env["IA_DESK_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from ui.app import run_app; sys.exit(run_app())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert run.returncode == 5, run.stderr
    assert "xvfb-run -a make run" in run.stderr and "no display" in run.stderr
    assert "libxcb" not in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "data").exists() or list((tmp_path / "data").iterdir()) == []
