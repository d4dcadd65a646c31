"""Running work off the GUI thread (the screens use it through :mod:`ui.ops`).

``run_task(parent, fn, on_success)`` runs ``fn()`` on Qt's thread pool and calls
``on_success(result)`` (or ``on_failure(exc)``) back on the GUI thread. A progress
dialog appears only if the work takes longer than half a second, so quick work never
flashes one.

Rule for ``fn``: it must not touch any widget. It calls core services (each opens its
own transaction) and returns plain data.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from ia_desk import labels
from ia_desk.errors import IADeskError, InputError

PROGRESS_DELAY_MS = 500
# A window that starts work while it is being built (a print preview, a case window) lets
# itself be shown and painted first. Each paint calls into Python many times, and each
# call waits for a worker that holds the interpreter lock: started together, the first
# paint of a print preview stalled the app for 100-200 ms; started after it, ~25 ms.
FIRST_PAINT_MS = 30


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The default failure handler: the service's own message, never a traceback; a
    refused input names its field as a person reads it (not ``subjects[1].badge``)."""
    if isinstance(exc, InputError):
        QMessageBox.warning(parent, "IA Desk", labels.message(exc.message, exc.field))
    elif isinstance(exc, IADeskError):
        QMessageBox.warning(parent, "IA Desk", exc.message)
    else:
        QMessageBox.critical(
            parent, "IA Desk", f"Something went wrong and nothing was saved: {exc}"
        )


_active: set[_Signals] = set()

# Python's cyclic garbage collector runs in whichever thread happens to allocate when it
# is due. If that is a worker thread and the garbage holds Qt objects, Qt would delete
# widgets off the GUI thread and crash. So automatic collection is paused while any task
# runs, and the GUI thread collects when the last one has finished. (Only the young
# generations would leave cycles holding Qt wrappers to the interpreter's last
# collection, where PySide aborts; a full one is kept cheap by freezing start-up's
# objects, which it then skips.)
_running = 0


def freeze_startup_objects() -> None:
    """Once the main window is up: what start-up made (modules, classes, the schema,
    Qt wrappers) lives as long as the app, so collections stop walking it."""
    gc.collect()
    gc.freeze()


def _task_started() -> None:
    global _running
    if _running == 0:
        gc.disable()
    _running += 1


def _task_finished() -> None:
    global _running
    _running -= 1
    if _running == 0:
        gc.enable()
        gc.collect()


def run_task(
    parent: QWidget | None,
    fn: Callable[[], Any],
    on_success: Callable[[Any], object],
    on_failure: Callable[[BaseException], object] | None = None,
    label: str = "Working…",
    first: Callable[[Any], None] | None = None,
) -> None:
    """Run ``fn()`` off the GUI thread; then ``on_success(result)`` or ``on_failure(exc)``
    (by default the message in a box) on it, unless ``parent`` was deleted meanwhile
    (nobody to tell). ``first(result)`` is called before ``on_success`` even then: what
    must happen whoever asked (a committed change is announced)."""
    # Owned by the application object (Qt deletes it, on the GUI thread); Python only
    # borrows it, so no collection can ever delete it from another thread.
    signals = _Signals(QCoreApplication.instance())
    _active.add(signals)
    progress: dict[str, QProgressDialog] = {}
    timer = QTimer(signals)
    timer.setSingleShot(True)

    def show_progress() -> None:
        if gone():
            return
        dlg = QProgressDialog(label, "", 0, 0, parent)
        dlg.setCancelButton(None)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.show()
        progress["dlg"] = dlg

    def finish() -> None:
        timer.stop()
        if "dlg" in progress and isValid(progress["dlg"]):
            progress["dlg"].close()
        _active.discard(signals)
        signals.done.disconnect()
        signals.failed.disconnect()
        signals.deleteLater()
        _task_finished()

    def gone() -> bool:  # the window that asked was closed meanwhile: nobody to tell
        return parent is not None and not isValid(parent)

    def ok(result: Any) -> None:
        finish()
        if first is not None:
            first(result)
        if not gone():
            on_success(result)

    def bad(exc: BaseException) -> None:
        finish()
        if not gone():
            (on_failure or (lambda e: show_error(parent, e)))(exc)

    timer.timeout.connect(show_progress)
    signals.done.connect(ok, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(bad, Qt.ConnectionType.QueuedConnection)
    timer.start(PROGRESS_DELAY_MS)
    _task_started()
    runnable = _Runnable(fn, signals)
    if parent is not None and not parent.window().isVisible():
        QTimer.singleShot(
            FIRST_PAINT_MS, signals, lambda: QThreadPool.globalInstance().start(runnable)
        )
    else:
        QThreadPool.globalInstance().start(runnable)


def pending_tasks() -> int:
    """How many tasks are still running (tests wait for zero)."""
    return len(_active)
