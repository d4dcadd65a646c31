"""Operations: a service run off the GUI thread, and one bus that says what changed.

In the spirit of Anki's ``CollectionOp`` and ``QueryOp`` (``qt/aqt/operations``): a
screen never opens a transaction and never tells another screen to refresh. It runs a
service in a :class:`Change` (the service writes and returns ``Done(value, changes)``)
or a :class:`Query` (a read, or work that only records what was done: a print, an
export, a verification)::

    Change(self, lambda: cases.take_action(db, actor, number, "start")).run()
    Query(self, lambda: cases.window(db, actor, number)).success(self.show).run()

Both run on :mod:`ui.worker` (its progress dialog shows only after half a second, and
the garbage collector pauses while work runs). A Change that succeeds publishes
``done.changes`` on the application's one :func:`bus`, then calls its ``success`` with
``done.value``. Every open screen listens (:func:`listen`) and refreshes what concerns
it: the case list on ``case_list``, a case window when its number is in ``cases``, the
administration screen on ``accounts`` and ``settings``... The live updates from other
workstations are published there too (the main window's change feed).

A failure calls ``failure`` if given; by default the service's message is shown, never a
traceback. A :class:`ConflictError` (someone else changed the record meanwhile) offers
to reload: yes publishes what the change was :meth:`Change.about`, so every screen that
shows it reloads. A refused change publishes nothing.

Rules for ``fn``: it calls services only and touches no widget (it runs on another
thread). A window that closes calls :func:`stop_listening`, so that nothing reaches its
screens between closing and being deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from shiboken6 import isValid

from ia_desk import labels
from ia_desk.errors import ConflictError, InputError
from ia_desk.services import Changes, Done
from ui.worker import run_task, show_error

T = TypeVar("T")

__all__ = ["Change", "ChangeBus", "Query", "bus", "listen", "stop_listening"]


class ChangeBus(QObject):
    """The application's one channel of what changed: ``changed(Changes)``."""

    changed = Signal(Changes)

    def publish(self, changes: Changes) -> None:
        """Tell every listening screen (nothing is sent when nothing changed)."""
        if changes.anything:
            self.changed.emit(changes)


_bus: ChangeBus | None = None


def bus() -> ChangeBus:
    """The application's bus, made on first use and owned by the application object."""
    global _bus
    if _bus is None or not isValid(_bus):
        _bus = ChangeBus(QCoreApplication.instance())
    return _bus


_SLOT = "_ops_on_changes"  # where a listening object keeps its connected slot


def listen(receiver: QObject, on_changes: Callable[[Changes], None]) -> None:
    """Call ``on_changes(changes)`` on the GUI thread for every change published, until
    ``receiver`` is deleted or its window calls :func:`stop_listening`. ``on_changes``
    is a method of ``receiver`` (so the connection dies with it); one per receiver."""
    stop_listening_one(receiver)
    bus().changed.connect(on_changes)
    setattr(receiver, _SLOT, on_changes)


def stop_listening_one(receiver: QObject) -> None:
    slot = getattr(receiver, _SLOT, None)
    if slot is not None:
        delattr(receiver, _SLOT)
        bus().changed.disconnect(slot)


def stop_listening(window: QObject) -> None:
    """``window`` and everything in it hear no more changes (it is closing)."""
    for obj in [window, *window.findChildren(QObject)]:
        stop_listening_one(obj)


class Query(Generic[T]):
    """A read (or audit-only work) off the GUI thread: ``success(result)`` back on it."""

    def __init__(self, parent: QWidget | None, fn: Callable[[], T]) -> None:
        self._parent = parent
        self._fn = fn
        self._success: Callable[[T], object] | None = None
        self._failure: Callable[[BaseException], object] | None = None
        self._label = "Working…"

    def success(self, on_success: Callable[[T], object]) -> Query[T]:
        self._success = on_success
        return self

    def failure(self, on_failure: Callable[[BaseException], object]) -> Query[T]:
        """Instead of showing the service's message (a form shows it beside a field)."""
        self._failure = on_failure
        return self

    def with_progress(self, label: str) -> Query[T]:
        """What the progress dialog says if the work takes more than half a second."""
        self._label = label
        return self

    def run(self) -> None:
        def ok(result: Any) -> None:
            if self._success is not None:
                self._success(result)

        run_task(self._parent, self._fn, ok, self._failure, label=self._label)


class Change(Generic[T]):
    """A change through a service off the GUI thread. On success its ``Done.changes``
    go out on the bus, then ``success(done.value)``; on failure nothing goes out."""

    def __init__(self, parent: QWidget | None, fn: Callable[[], Done[T]]) -> None:
        self._parent = parent
        self._fn = fn
        self._success: Callable[[T], object] | None = None
        self._failure: Callable[[BaseException], object] | None = None
        self._about = Changes()
        self._label = "Saving…"

    def success(self, on_success: Callable[[T], object]) -> Change[T]:
        self._success = on_success
        return self

    def failure(self, on_failure: Callable[[BaseException], object]) -> Change[T]:
        """Instead of the default (the service's message; a conflict offers a reload)."""
        self._failure = on_failure
        return self

    def refusals_in(self, label: QLabel, beside: Mapping[str, QLabel] | None = None) -> Change[T]:
        """A refused input is said in the form's own words, the form staying open with
        what was typed; any other failure as by default. Without ``beside``, ``label``
        sits beside the form's one field. With it, a refusal of a field it names is
        said in that field's label, and any other in ``label`` naming its field."""

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, InputError):
                self._failed(exc)
                return
            target = label if beside is None else beside.get(exc.field or "", label)
            next_to_field = beside is None or target is not label
            target.setText(labels.message(exc.message, exc.field, beside=next_to_field))

        self._failure = refused
        return self

    def about(self, changes: Changes) -> Change[T]:
        """What the change concerns: when someone else changed it meanwhile, the reload
        the user accepts publishes this (the case window passes its case)."""
        self._about = changes
        return self

    def with_progress(self, label: str) -> Change[T]:
        self._label = label
        return self

    def run(self) -> None:
        def publish(done: Done[T]) -> None:  # even if the window that asked has closed
            bus().publish(done.changes)

        def ok(done: Done[T]) -> None:
            if self._success is not None:
                self._success(done.value)

        run_task(
            self._parent,
            self._fn,
            ok,
            self._failure or self._failed,
            label=self._label,
            first=publish,
        )

    def show_failure(self, exc: BaseException) -> None:
        """What a failure shows by default (a form that shows its own refusals calls
        this for the others)."""
        self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ConflictError) and self._about.anything:
            again = "Reload the case now?" if self._about.cases else "Reload now?"
            answer = QMessageBox.question(
                self._parent, "Changed by someone else", f"{exc.message}\n\n{again}"
            )
            if answer == QMessageBox.StandardButton.Yes:
                bus().publish(self._about)
            return
        show_error(self._parent, exc)
