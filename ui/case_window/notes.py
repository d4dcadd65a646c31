"""The "Notes & tasks" tab (IA roles only): IA's notes on the case, newest first, with the
earlier text of an edited note kept and shown; and the case's tasks, open ones first by
due date, an overdue one in red.

Notes and tasks are read when the tab is first shown and again on a change of the case
while it is shown, never behind the user's back: each read is audited, and the trail
says when someone looked at them."""

from __future__ import annotations

from html import escape as esc
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Changes, Database, notes
from ui.case_window.loading import load_papers
from ui.dialogs.reason import ReasonDialog
from ui.dialogs.task import TaskDialog
from ui.ops import Query
from ui.widgets.fields import notice_label
from ui.worker import show_error

OVERDUE = QColor("#a40000")
DONE = QColor("#6b6b6b")


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table


class NotesTab(QWidget):
    def __init__(self, db: Database, actor: Actor, number: str) -> None:
        super().__init__()
        self.db, self.actor, self.number = db, actor, number
        self.papers: dict[str, Any] = {"notes": [], "tasks": []}
        self.stale = True
        split = QSplitter(Qt.Orientation.Vertical)
        layout = QVBoxLayout(self)
        # Why the papers cannot be shown (IA's key not held, a paper changed outside IA
        # Desk): said here, in the tab, not in a box at each reading.
        self.unavailable = notice_label("notes-unavailable")
        layout.addWidget(self.unavailable)
        layout.addWidget(split)

        box = QGroupBox("Notes (IA only; an edit keeps the earlier text)")
        col = QVBoxLayout(box)
        self.notes = _table(["Written", "By", "Edited", "Note"])
        self.notes.itemSelectionChanged.connect(self._show_note)
        col.addWidget(self.notes, 1)
        self.note_text = QTextBrowser()
        self.note_text.setPlaceholderText("Select a note to read it with its earlier versions.")
        col.addWidget(self.note_text, 1)
        row = QHBoxLayout()
        self.add_note_btn = QPushButton("Add note…")
        self.add_note_btn.setObjectName("notes-add")
        self.add_note_btn.clicked.connect(self._add_note)
        self.edit_note_btn = QPushButton("Edit note…")
        self.edit_note_btn.setObjectName("notes-edit")
        self.edit_note_btn.clicked.connect(self._edit_note)
        row.addWidget(self.add_note_btn)
        row.addWidget(self.edit_note_btn)
        row.addStretch(1)
        col.addLayout(row)
        split.addWidget(box)

        box = QGroupBox("Tasks")
        col = QVBoxLayout(box)
        self.tasks = _table(["Due", "State", "Assigned to", "Task"])
        self.tasks.itemSelectionChanged.connect(self._enable)
        col.addWidget(self.tasks)
        row = QHBoxLayout()
        self.add_task_btn = QPushButton("Add task…")
        self.add_task_btn.setObjectName("tasks-add")
        self.add_task_btn.clicked.connect(self._add_task)
        self.done_btn = QPushButton("Mark done…")
        self.done_btn.setObjectName("tasks-done")
        self.done_btn.clicked.connect(self._mark_done)
        self.refused = QLabel()
        self.refused.setWordWrap(True)
        row.addWidget(self.add_task_btn)
        row.addWidget(self.done_btn)
        row.addWidget(self.refused, 1)
        col.addLayout(row)
        split.addWidget(box)
        split.setSizes([420, 260])
        self._enable()

    # -- reading
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def case_changed(self) -> None:
        """The case changed: read again now if the tab is shown, else when it is."""
        self.stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self.stale = False
        Query(self, lambda: load_papers(self.db, self.actor, self.number)).success(
            self._show
        ).failure(self._cannot_show).run()

    def _cannot_show(self, exc: BaseException) -> None:
        """The papers cannot be read now: say why in the tab, show nothing, offer nothing
        (a fault of IA Desk's own is reported as every other one is)."""
        if not isinstance(exc, IADeskError):
            show_error(self, exc)
            return
        self.unavailable.setText(exc.message)
        self.unavailable.show()
        self.papers = {"notes": [], "tasks": []}
        self.notes.setRowCount(0)
        self.tasks.setRowCount(0)
        self._show_note()
        self._enable()

    def _show(self, papers: dict[str, Any]) -> None:
        self.unavailable.hide()
        self.papers = papers
        self.notes.setRowCount(len(papers["notes"]))
        for r, n in enumerate(papers["notes"]):
            edited = f"{len(n['history'])} time(s)" if n["history"] else ""
            for c, text in enumerate(
                [labels.local_minute(n["written_at"]), n["author"], edited, n["text"]]
            ):
                self.notes.setItem(r, c, QTableWidgetItem(text))
        self.tasks.setRowCount(len(papers["tasks"]))
        for r, t in enumerate(papers["tasks"]):
            who = f"{t['assignee_name']} ({t['assignee']})"
            for c, text in enumerate([t["due"], labels.task_state(t), who, t["title"]]):
                item = QTableWidgetItem(text)
                if t["overdue"]:
                    item.setForeground(QBrush(OVERDUE))
                elif t["done_at"]:
                    item.setForeground(QBrush(DONE))
                if c == 3 and t["note"]:
                    item.setToolTip(f"Done: {t['note']}")
                self.tasks.setItem(r, c, item)
        for table in (self.notes, self.tasks):
            for c in range(table.columnCount() - 1):
                table.resizeColumnToContents(c)
            table.resizeRowsToContents()
        self._show_note()
        self._enable()

    def _selected(self, table: QTableWidget, key: str) -> dict[str, Any] | None:
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.papers[key]):
            return None
        selected: dict[str, Any] = self.papers[key][rows[0].row()]
        return selected

    def _show_note(self) -> None:
        n = self._selected(self.notes, "notes")
        if n is None:
            self.note_text.clear()
        else:
            html = [f"<p><b>{esc(n['author'])}</b>, {labels.local_minute(n['written_at'])}</p>"]
            html.append(f"<p>{esc(n['text']).replace(chr(10), '<br/>')}</p>")
            for old in n["history"]:
                html.append(
                    f"<p style='color:#6b6b6b'><i>Earlier version, {esc(old['author'])}, "
                    f"{labels.local_minute(old['written_at'])}:</i><br/>"
                    f"{esc(old['text']).replace(chr(10), '<br/>')}</p>"
                )
            self.note_text.setHtml("".join(html))
        self._enable()

    def _enable(self) -> None:
        note_refused = self.papers.get("note_refused")
        task_refused = self.papers.get("task_refused")
        loaded = "note_refused" in self.papers
        for btn, refused in (
            (self.add_note_btn, note_refused),
            (self.edit_note_btn, note_refused),
            (self.add_task_btn, task_refused),
        ):
            btn.setEnabled(loaded and refused is None)
            btn.setToolTip(f"Not now: {refused}." if refused else "")
        if self._selected(self.notes, "notes") is None:
            self.edit_note_btn.setEnabled(False)
        task = self._selected(self.tasks, "tasks")
        self.done_btn.setEnabled(bool(task and task["completable"]))
        refused_done = task["complete_refused"] if task else None
        self.done_btn.setToolTip(f"Not now: {refused_done}." if refused_done else "")
        shown = note_refused or task_refused
        self.refused.setText(f"<i>Not now: {esc(shown)}.</i>" if loaded and shown else "")

    # -- changes
    def _about(self) -> Changes:
        return Changes.case(self.number)

    def _add_note(self) -> None:
        ReasonDialog(
            "Add note",
            f"Note on {self.number}. IA roles only read it; the audit trail records that a note "
            "was written, never its text.",
            lambda text: notes.add_note(self.db, self.actor, self.number, text),
            self._about(),
            self,
        ).exec()

    def _edit_note(self) -> None:
        n = self._selected(self.notes, "notes")
        if n is None:
            return
        note_id = n["id"]
        dlg = ReasonDialog(
            "Edit note",
            "The edited text becomes the note; the earlier text is kept and shown under it.",
            lambda text: notes.add_note(self.db, self.actor, self.number, text, note_id),
            self._about(),
            self,
            text=n["text"],
        )
        dlg.exec()

    def _add_task(self) -> None:
        Query(self, lambda: notes.assignees(self.db, self.actor)).success(self._ask_task).run()

    def _ask_task(self, people: list[tuple[str, str]]) -> None:
        TaskDialog(
            people,
            self.actor.login,
            lambda title, who, due: notes.add_task(
                self.db, self.actor, self.number, title, who, due
            ),
            self._about(),
            self,
        ).exec()

    def _mark_done(self) -> None:
        t = self._selected(self.tasks, "tasks")
        if t is None:
            return
        task_id = t["id"]
        ReasonDialog(
            "Mark task done",
            f"{t['title']}\n\nWhat was done (optional):",
            lambda note: notes.complete_task(self.db, self.actor, task_id, note or None),
            self._about(),
            self,
        ).exec()
