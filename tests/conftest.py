"""Shared fixtures. Every test runs against a temporary data folder and a keyring held
in memory, never the user's real settings, database or keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from argon2 import PasswordHasher
from sqlalchemy.pool import NullPool

from ia_desk.accounts import users
from ia_desk.accounts.users import add_user, change_own_password, unlock_actor
from ia_desk.db.engine import Database
from ia_desk.db.location import resolve_target
from ia_desk.security import crypto, passwords
from ia_desk.security.actor import Actor
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise

# Cheap argon2id parameters keep the suite fast; test_users checks the real ones.
REAL_HASHER = passwords._hasher
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
passwords.dummy_hash.cache_clear()
# The same for the key that wraps each user's signing key (test_userkeys checks the
# real cost).
REAL_KDF = crypto.DEFAULT_KDF
crypto.DEFAULT_KDF = crypto.KdfParams(iterations=1, memory_kib=8, lanes=1)
# Failed sign-ins answer at a whole number of quanta (timing equaliser); short in tests,
# test_users measures the real one.
REAL_FAILURE_QUANTUM = users.FAILURE_QUANTUM
users.FAILURE_QUANTUM = 0.01

PASSWORD = "Tr1cky-but-fine-2026"
FIRST_PASSWORD = "Given-by-the-admin-2026"  # what an administrator sets for a new account
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


# -- the two backends ------------------------------------------------------------------
#
# Every test that uses a database runs twice: on the embedded SQLCipher file and on a
# real PostgreSQL server (scripts/with-postgres.sh starts one for `make test` and sets
# IA_DESK_TEST_PG_*). Without a server the PostgreSQL half is skipped, loudly; under
# CI=true a missing server fails the run instead.

PG_URL = os.environ.get("IA_DESK_TEST_PG_URL")  # the owner role, no database name
PG_ADMIN_URL = os.environ.get("IA_DESK_TEST_PG_ADMIN_URL")  # a superuser
PG_APP_URL = os.environ.get("IA_DESK_TEST_PG_APP_URL")  # the workstation role
PG_MISSING = (
    "PostgreSQL half SKIPPED: no test server (run the suite through `make test` or "
    "scripts/with-postgres.sh, which start one)"
)
AUDIT_PASSPHRASE = "server audit passphrase 2026"
_databases = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the embedded SQLite/SQLCipher file itself"
    )
    config.addinivalue_line("markers", "postgresql_only: needs a PostgreSQL server")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the PostgreSQL copy of tests that are about the SQLite file itself."""
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        backend = params.params.get("backend") if params else None
        if (backend == "postgresql" and item.get_closest_marker("sqlite_only")) or (
            backend == "sqlite" and item.get_closest_marker("postgresql_only")
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not PG_URL:
        terminalreporter.write_sep("!", PG_MISSING, red=True, bold=True)


def _require_server() -> None:
    if not (PG_URL and PG_ADMIN_URL):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but no PostgreSQL test server: " + PG_MISSING)
        pytest.skip(PG_MISSING)


def _admin_engine() -> Any:
    from sqlalchemy import create_engine

    assert PG_ADMIN_URL
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def new_server_database(template: str | None = None) -> str:
    """A new empty (or template-copied) database on the test server; its owner-role URL."""
    from sqlalchemy import text

    _require_server()
    name = f"iat_{os.getpid()}_{next(_databases)}"
    engine = _admin_engine()
    with engine.connect() as conn:
        copy = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f"CREATE DATABASE {name}{copy} OWNER ia_desk_owner"))
    engine.dispose()
    return f"{PG_URL}/{name}"


def drop_server_database(url: str) -> None:
    from sqlalchemy import text

    name = url.rsplit("/", 1)[1]
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[str, dict[str, str]]]:
    """An initialised server database, made once; each test gets a copy of it."""
    url = new_server_database()
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    saved = os.environ.get("IA_DESK_PASSPHRASE")
    os.environ["IA_DESK_PASSPHRASE"] = AUDIT_PASSPHRASE
    try:
        database, _ = initialise(url, "admin", "Ada Admin", PASSWORD)
        database.dispose()
    finally:
        keyring.set_keyring(previous)
        if saved is None:
            os.environ.pop("IA_DESK_PASSPHRASE", None)
        else:
            os.environ["IA_DESK_PASSPHRASE"] = saved
    ident = resolve_target(url).ident
    secrets = {
        name.split(":")[0]: value
        for (_s, name), value in ring.store.items()
        if name.endswith(ident)
    }
    yield url.rsplit("/", 1)[1], secrets
    drop_server_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _require_server()
    return str(request.param)


@pytest.fixture
def db_url(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's database is: a file path, or a server URL (what --db takes)."""
    if backend == "sqlite":
        yield str(db_path)
        return
    name, _ = request.getfixturevalue("pg_template")
    url = new_server_database(template=name)
    yield url
    drop_server_database(url)


@pytest.fixture
def db(
    db_url: str, backend: str, isolated: MemoryKeyring, request: pytest.FixtureRequest
) -> Iterator[Database]:
    if backend == "sqlite":
        source, secrets = request.getfixturevalue("template")
        db_path = Path(db_url)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        for f in source.parent.glob(source.name + "*"):
            shutil.copyfile(f, db_path.parent / f.name.replace(source.name, db_path.name))
    else:
        _, secrets = request.getfixturevalue("pg_template")
    ident = resolve_target(db_url).ident
    for kind, value in secrets.items():
        isolated.set_password("IA Desk", f"{kind}:{ident}", value)
    database = open_database(db_url)
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
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What message boxes would have told the user: recorded, not waited on (a modal
    box nobody closes offscreen would hang the test)."""
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(
            QMessageBox, kind, staticmethod(lambda _p, _t, text, *a, **k: said.append(text))
        )
    return said


@pytest.fixture
def admin(db: Database) -> Actor:
    """The first administrator, signed in (their key opened with their password)."""
    with db.write(None) as s:
        return unlock_actor(s, "admin", PASSWORD)


_logins = itertools.count(1)


@pytest.fixture
def make_user(db: Database, admin: Actor) -> Callable[[str], Actor]:
    """make_user(role) -> a signed-in actor of that role."""

    def make(role: str) -> Actor:
        login = f"{role.split('_')[0][:6]}{next(_logins)}"
        with db.write(admin) as s:
            add_user(s, admin, login, role, f"Test {role}", FIRST_PASSWORD)
        # Their first sign-in: they choose their own password (and so their own key).
        return change_own_password(db, login, FIRST_PASSWORD, PASSWORD)

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


def go_around_the_app(db: Database, *statements: str, **params: Any) -> None:
    """Run SQL as an attacker with full rights over the database would: on SQLite someone
    with the file and its key drops the protecting triggers; on PostgreSQL a superuser
    turns triggers off for the session (privileges do not bind a superuser)."""
    from sqlalchemy import create_engine, text

    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as conn:
            for table in ("audit_event", "evidence_blob"):
                for action in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
            for sql in statements:
                conn.execute(text(sql), params)
        return
    assert PG_ADMIN_URL
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + str(db.engine.url.database)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for sql in statements:
            conn.execute(text(sql), params)
    engine.dispose()


def changed_by_another_program(db: Database, number: str) -> None:
    """Another program's SQL on the same database, on a connection of its own (not the
    app's pool): it moves the case's change time, as any write of a case does."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE ia_case SET updated_at = :t WHERE number = :n"),
                {"t": "2999-01-01 00:00:00", "n": number},
            )
    finally:
        engine.dispose()


def as_before_signing(db: Database) -> tuple[int, int]:
    """Make the database look as a version from before the signed trail left it: no keys,
    no start of signing, no signatures, no key in any event, every row re-chained by the
    MAC key, and (on the server) no record of changes yet. The upgrade's starting point.
    Returns how many events were kept and how many of them are people's."""
    import hashlib
    import hmac

    from sqlalchemy import select

    from ia_desk.audit.trail import GENESIS, canonical_details, canonical_form
    from ia_desk.db.models import AuditEvent

    table = AuditEvent.__table__
    with db.read() as s:  # plain rows: they outlive the session
        events = list(s.execute(select(table).order_by(table.c.seq)))
    columns = (
        "seq, at, user_login, workstation, event_type, object_type, object_id, case_number, "
        "outcome, details, prev_mac, mac, server_tx"
    )
    # That version had no sealing either: no IA key, no grants (nothing sealed yet).
    statements = [
        "DELETE FROM ia_key_grant",
        "DELETE FROM ia_key",
        "DELETE FROM user_key",
        "DELETE FROM audit_event",
    ]
    params: dict[str, Any] = {}
    prev, seq, people = GENESIS, 0, 0
    for e in events:
        if e.event_type == "audit.signing_begins" or e.event_type.startswith("ia_key."):
            continue
        seq += 1
        people += e.user_login != "system"
        details = e.details
        if e.event_type == "user.create_first_admin":
            details = canonical_details({"login": e.user_login, "role": "ia_admin"})
        elif e.event_type.startswith("user.") and details:
            # no key was named in the events of that version
            old = json.loads(details)
            if isinstance(old, dict) and ("key" in old or "ia_key" in old):
                old.pop("key", None)
                old.pop("ia_key", None)
                details = canonical_details(old)
        row = {
            "seq": seq,
            "at": e.at,
            "user_login": e.user_login,
            "workstation": e.workstation,
            "event_type": e.event_type,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "case_number": e.case_number,
            "outcome": e.outcome,
            "details": details,
            "prev_mac": prev,
        }
        mac = hmac.new(db.audit_key, canonical_form(**row), hashlib.sha256).hexdigest()
        # server_tx: the server's stamp of the event's transaction, kept (PostgreSQL)
        row.update(mac=mac, server_tx=e.server_tx)
        names = ", ".join(f":{k}{seq}" for k in row)
        statements.append(f"INSERT INTO audit_event ({columns}) VALUES ({names})")
        params.update({f"{k}{seq}": v for k, v in row.items()})
        prev = mac
    statements.append("UPDATE audit_head SET seq = :hs, mac = :hm WHERE id = 1")
    if db.engine.dialect.name == "postgresql":
        # The old version had no record of changes on the server: it begins at the upgrade.
        statements.append("DELETE FROM server_change")
    go_around_the_app(db, *statements, hs=seq, hm=prev, **params)
    return seq, people


GRIEVANCE = {
    "identified_as_employee": True,
    "public_concern": False,
    "balance": "A personal grievance against a supervisor, not a matter of public concern.",
}
"""The facts of a scope and First Amendment screen that lets a speech clause be sustained
(ia_desk.cases.speech): an employee identified as one, airing a personal grievance."""


def screen_if_speech(session: Any, actor: Actor, allegation: Any) -> None:
    """Record the screen an allegation under a speech clause needs before it is sustained
    (in the caller's transaction; nothing for any other clause)."""
    from ia_desk.cases.speech import needs_screen, record_screen

    if needs_screen(allegation.clause.clause_id):
        record_screen(session, actor, allegation.id, GRIEVANCE)


def hear_first(session: Any, actor: Actor, number: str, badge: str) -> None:
    """Record the pre-disciplinary notice and the employee's response that a suspension
    or termination needs (Loudermill), in the caller's transaction."""
    import datetime as dt

    from ia_desk.discipline.hearings import record_notice, record_response

    on = dt.date.today()
    record_notice(session, actor, number, badge, on, "The post of the incident, as sustained.")
    record_response(session, actor, number, badge, on, "It was a mistake.", "Lt. Ruiz")
