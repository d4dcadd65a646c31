"""``run_write``: one change through a core service off the GUI thread, committed with its
audit event or not at all, then the window is told."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from ia_desk.db.models import AuditEvent
from ia_desk.errors import InputError
from ia_desk.settings import get_setting, set_setting
from ui.worker import pending_tasks, run_write


def events(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_a_change_is_stored_with_its_event_and_the_window_told(qtbot, db, admin):
    window = QWidget()
    qtbot.addWidget(window)
    told: list[object] = []
    before = events(db)
    run_write(window, db, admin, lambda s: set_setting(s, admin, "deadline_days", 60), told.append)
    qtbot.waitUntil(lambda: pending_tasks() == 0 and bool(told), timeout=10_000)
    assert told == [None]
    with db.read() as s:
        assert int(get_setting(s, "deadline_days")) == 60
    assert events(db) == before + 1


def test_a_refused_change_stores_nothing_and_the_failure_is_handed_back(qtbot, db, admin):
    window = QWidget()
    qtbot.addWidget(window)
    done: list[object] = []
    failed: list[BaseException] = []
    with db.read() as s:
        days = get_setting(s, "deadline_days")
    before = events(db)
    run_write(
        window,
        db,
        admin,
        lambda s: set_setting(s, admin, "deadline_days", "sixty"),
        done.append,
        failed.append,
    )
    qtbot.waitUntil(lambda: pending_tasks() == 0 and bool(failed), timeout=10_000)
    assert done == [] and isinstance(failed[0], InputError)
    assert "deadline_days" in failed[0].message
    with db.read() as s:
        assert get_setting(s, "deadline_days") == days
    assert events(db) == before
