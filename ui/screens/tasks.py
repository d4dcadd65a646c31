"""The "My tasks" screen (IA roles only, issue 22): the signed-in user's tasks on every
case in one list, open ones first by due date, an overdue one in red; done ones on
request. An IA administrator may switch to all IA's tasks (the lists offered are the
core's, ``services.notes.task_scopes``).

Enter or a double-click opens the task's case; "Mark done…" records a task done through
``services.notes.complete_task`` (the button says why not when the task is not the
user's to mark).

The list is read when the screen is first shown, when the user changes what it lists,
and again on a change of any case while it is in front (a task set or done is a change
of its case); a change while another screen is in front is read when this one is next
shown. Never read behind the user's back: each read is audited (``task.list``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from ia_desk import labels
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Changes, Database, notes
from ui.case_window.loading import load_tasks
from ui.dialogs.reason import ReasonDialog
from ui.ops import Query
from ui.screens.screen import Screen
from ui.shortcuts import OPEN_ROW, with_keys
from ui.widgets.fields import notice_label
from ui.widgets.tables import make_table
from ui.worker import show_error

OVERDUE = QColor("#a40000")
DONE = QColor("#6b6b6b")
HEADERS = ["Due", "State", "Case", "Assigned to", "Task"]
DUE, STATE, CASE, ASSIGNEE, TITLE = range(len(HEADERS))


class TasksPage(Screen):
    """The actor's tasks across every case (or, for an IA administrator, everyone's)."""

    open_case = Signal(str)

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.scopes = notes.task_scopes(actor)
        self.scope = self.scopes[0][0] if self.scopes else notes.MINE
        self.tasks: list[dict[str, Any]] = []
        self._reading = False  # a read is under way
        self._again = False  # and another was asked for meanwhile
        layout = QVBoxLayout(self)
        self.heading = QLabel(self._scope_words())
        self.heading.setObjectName("tasks-heading")
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        layout.addWidget(self.heading)
        self.unavailable = notice_label("tasks-unavailable")
        layout.addWidget(self.unavailable)
        layout.addWidget(
            QLabel(
                f"Tasks set on cases, open ones first by due date. {OPEN_ROW.text} or a "
                "double-click opens the task's case."
            )
        )

        row = QHBoxLayout()
        self.scope_buttons: dict[str, QRadioButton] = {}
        group = QButtonGroup(self)
        if len(self.scopes) > 1:  # an IA administrator: theirs, or everyone's
            for key, words in self.scopes:
                button = QRadioButton(words)
                button.setObjectName(f"tasks-scope-{key}")
                button.setChecked(key == self.scope)
                group.addButton(button)
                self.scope_buttons[key] = button
                row.addWidget(button)
            row.addSpacing(24)
        self.include_done = QCheckBox("Include done tasks")
        self.include_done.setObjectName("tasks-include-done")
        row.addWidget(self.include_done)
        row.addStretch(1)
        layout.addLayout(row)

        self.table = make_table(HEADERS)
        self.table.setObjectName("tasks-table")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((DUE, 95), (STATE, 190), (CASE, 115), (ASSIGNEE, 190)):
            self.table.setColumnWidth(col, width)
        self.table.setColumnHidden(ASSIGNEE, self.scope == notes.MINE)
        self.table.activated.connect(lambda index: self._open_row(index.row()))
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.open_btn = QPushButton("Open case")
        self.open_btn.setObjectName("tasks-open")
        self.open_btn.setToolTip(with_keys("Open the selected task's case", OPEN_ROW))
        self.open_btn.clicked.connect(lambda: self._open_row(self._selected_row()))
        self.done_btn = QPushButton("Mark done…")
        self.done_btn.setObjectName("tasks-done")
        self.done_btn.clicked.connect(self._mark_done)
        self.summary = QLabel()
        self.summary.setObjectName("tasks-summary")
        row.addWidget(self.open_btn)
        row.addWidget(self.done_btn)
        row.addSpacing(12)
        row.addWidget(self.summary, 1)
        layout.addLayout(row)

        # Connected once the initial state is set: changing it is the user asking.
        for key, button in self.scope_buttons.items():
            button.toggled.connect(lambda on, k=key: self._set_scope(k) if on else None)
        self.include_done.toggled.connect(lambda _on: self.refresh())
        self._enable()

    # -- reading
    def concerns(self, changes: Changes) -> bool:
        """A task is set or done as a change of its case; a name shown is an account's."""
        return bool(changes.cases) or changes.accounts

    def refresh(self) -> None:
        """Read the list as now asked for. One read at a time: a read asked for while
        one runs (the user ticks "Include done" and switches lists at once) follows it,
        with what is asked then, so an older answer never overwrites a newer. The read
        waits for any case window's (``load_tasks``): two audited reads at once contend
        for the one writer of an embedded database, and the second would fail "busy"."""
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        db, actor = self.db, self.actor
        mine, open_only = self.scope == notes.MINE, not self.include_done.isChecked()
        Query(
            self,
            lambda: load_tasks(db, actor, mine=mine, open_only=open_only),
        ).success(self._read).failure(self._not_read).with_progress("Reading the tasks…").run()

    def _read(self, tasks: list[dict[str, Any]]) -> None:
        self._reading = False
        if self._again:  # what it answers is no longer what is asked
            self.refresh()
        else:
            self._read_and_show(tasks)

    def _not_read(self, exc: BaseException) -> None:
        self._reading = False
        if self._again:
            self.refresh()
        elif isinstance(exc, IADeskError):  # IA's key not held: said here, each reading
            self.unavailable.setText(exc.message)
            self.unavailable.show()
            self._show([])
        else:
            show_error(self, exc)

    def _scope_words(self) -> str:
        return dict(self.scopes).get(self.scope, "My tasks")

    def _set_scope(self, key: str) -> None:
        self.scope = key
        self.heading.setText(self._scope_words())
        self.table.setColumnHidden(ASSIGNEE, key == notes.MINE)
        self.refresh()

    def _read_and_show(self, tasks: list[dict[str, Any]]) -> None:
        self.unavailable.hide()
        self._show(tasks)

    def _show(self, tasks: list[dict[str, Any]]) -> None:
        chosen = self._selected()
        keep = chosen["id"] if chosen else None
        self.tasks = tasks
        self.table.setUpdatesEnabled(False)
        try:
            self.table.clearSelection()
            self.table.setRowCount(len(tasks))
            for r, t in enumerate(tasks):
                texts = [
                    t["due"],
                    labels.task_state(t),
                    t["case"],
                    f"{t['assignee_name']} ({t['assignee']})",
                    t["title"],
                ]
                for c, text in enumerate(texts):
                    item = QTableWidgetItem(text)
                    if t["overdue"]:
                        item.setForeground(QBrush(OVERDUE))
                    elif t["done_at"]:
                        item.setForeground(QBrush(DONE))
                    self.table.setItem(r, c, item)
                title = self.table.item(r, TITLE)
                if title is not None:
                    tip = t["title"] + (f"\n\nDone: {t['note']}" if t["note"] else "")
                    title.setToolTip(tip)
                state = self.table.item(r, STATE)
                if state is not None and t["overdue"]:
                    font = state.font()
                    font.setBold(True)
                    state.setFont(font)
            self.table.resizeRowsToContents()
        finally:
            self.table.setUpdatesEnabled(True)
        for r, t in enumerate(tasks):
            if t["id"] == keep:
                self.table.selectRow(r)
                break
        self.summary.setText(self._summary())
        self._enable()

    def _summary(self) -> str:
        open_ = [t for t in self.tasks if not t["done_at"]]
        overdue = sum(1 for t in open_ if t["overdue"])
        if not self.tasks:
            return (
                "No tasks."
                if self.include_done.isChecked()
                else "No open tasks: nothing is waiting."
            )
        said = f"{len(open_)} open task(s)"
        if overdue:
            said += f", {overdue} overdue"
        done = len(self.tasks) - len(open_)
        if done:
            said += f"; {done} done"
        return said + "."

    # -- the selected task
    def _selected_row(self) -> int:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return rows[0].row() if rows else -1

    def _selected(self) -> dict[str, Any] | None:
        row = self._selected_row()
        return self.tasks[row] if 0 <= row < len(self.tasks) else None

    def _enable(self) -> None:
        task = self._selected()
        self.open_btn.setEnabled(task is not None)
        self.done_btn.setEnabled(bool(task and task["completable"]))
        refused = task["complete_refused"] if task else None
        self.done_btn.setToolTip(
            f"Not now: {refused}."
            if refused
            else "Record the selected task as done, with what was done"
            if task
            else "Select a task first"
        )

    # -- actions
    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.tasks):
            self.open_case.emit(self.tasks[row]["case"])

    def _mark_done(self) -> None:
        t = self._selected()
        if t is None or not t["completable"]:
            return
        db, actor, task_id = self.db, self.actor, t["id"]
        ReasonDialog(
            "Mark task done",
            f"{t['case']}: {t['title']}\n\nWhat was done (optional):",
            lambda note: notes.complete_task(db, actor, task_id, note or None),
            Changes.case(t["case"]),
            self,
        ).exec()  # the change comes back on the bus: the list reads itself again
