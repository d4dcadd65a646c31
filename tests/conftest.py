"""Shared fixtures. Every test runs against a temporary data folder and a keyring held
in memory, never the user's real settings, database or keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from argon2 import PasswordHasher

from ia_desk.admin import initialise
from ia_desk.db.engine import Database, open_database, resolve_target
from ia_desk.security import passwords
from ia_desk.security.actor import Actor
from ia_desk.security.users import actor_of, add_user, get_user

# Cheap argon2id parameters keep the suite fast; test_users checks the real ones.
REAL_HASHER = passwords._hasher
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords.DUMMY_HASH = passwords._hasher.hash("timing equaliser")

PASSWORD = "Tr1cky-but-fine-2026"
DATA = Path(__file__).parent / "data"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in memory, standing in for the OS keyring during tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Temporary data folder, memory keyring, no stray credentials from the environment."""
    monkeypatch.setenv("IA_DESK_DATA_DIR", str(tmp_path / "data"))
    for var in (
        "IA_DESK_DB",
        "IA_DESK_PASSPHRASE",
        "IA_DESK_USER",
        "IA_DESK_PASSWORD",
        "IA_DESK_NEW_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ia-desk.db"


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A freshly initialised database, made once; each test gets a copy of it."""
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        path = tmp_path_factory.mktemp("template") / "ia-desk.db"
        database, _ = initialise(str(path), "admin", "Ada Admin", PASSWORD)
        database.dispose()
    finally:
        keyring.set_keyring(previous)
    ident = resolve_target(str(path)).ident
    secrets = {
        name.split(":")[0]: value
        for (_s, name), value in ring.store.items()
        if name.endswith(ident)
    }
    return path, secrets


@pytest.fixture
def db(
    db_path: Path, template: tuple[Path, dict[str, str]], isolated: MemoryKeyring
) -> Iterator[Database]:
    source, secrets = template
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for f in source.parent.glob(source.name + "*"):
        shutil.copyfile(f, db_path.parent / f.name.replace(source.name, db_path.name))
    ident = resolve_target(str(db_path)).ident
    for kind, value in secrets.items():
        isolated.set_password("IA Desk", f"{kind}:{ident}", value)
    database = open_database(str(db_path))
    yield database
    settle_qt()
    database.dispose()


def settle_qt() -> None:
    """Let background tasks of the UI finish before their database goes away."""
    import sys

    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool
        from PySide6.QtWidgets import QApplication

        QThreadPool.globalInstance().waitForDone(20_000)
        if QApplication.instance() is not None:
            QApplication.processEvents()


@pytest.fixture
def admin(db: Database) -> Actor:
    with db.read() as s:
        return actor_of(get_user(s, "admin"))


_logins = itertools.count(1)


@pytest.fixture
def make_user(db: Database, admin: Actor) -> Callable[[str], Actor]:
    """make_user(role) -> a signed-in actor of that role."""

    def make(role: str) -> Actor:
        login = f"{role.split('_')[0][:6]}{next(_logins)}"
        with db.write(admin) as s:
            return actor_of(add_user(s, admin, login, role, f"Test {role}", PASSWORD))

    return make


def report_doc(**overrides: Any) -> dict[str, Any]:
    """A valid report document; keyword arguments replace top-level fields."""
    doc: dict[str, Any] = {
        "received_at": "2026-11-02T09:15:00-06:00",
        "channel": "supervisor",
        "reporter": {
            "mode": "confidential",
            "name": "Pat Quill",
            "badge": "2001",
            "phone": "601-555-0199",
            "email": "pquill@example.org",
            "good_faith": True,
        },
        "subjects": [
            {
                "badge": "1234",
                "name": "John Roe",
                "department": "police",
                "rank": "Officer",
                "unit": "Patrol",
            }
        ],
        "incident": {
            "occurred_on": "2026-10-30",
            "platform": "Facebook",
            "url": "https://facebook.example/posts/1",
            "narrative": "Officer posted a photo of a marked patrol car at a "
            "crime scene with the caption 'busy night'.",
        },
        "clauses": ["vpd-3.21/III.M"],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def open_report(db: Database, admin: Actor) -> Callable[..., Any]:
    from ia_desk.cases.intake import open_case, parse_report

    def go(actor: Actor | None = None, **overrides: Any) -> Any:
        who = actor or admin
        with db.write(who) as s:
            return open_case(s, who, parse_report(report_doc(**overrides)))

    return go
