"""Clauses suggested for a narrative as it is typed, each saying why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from ui.ops import Query
from ui.widgets.clause_tree import ID_ROLE


class SuggestionList(QWidget):
    """Clauses suggested for a narrative, updated as it is typed (debounced, off the GUI
    thread). Each shows why; its full text is on hover; one click on Add takes it."""

    add_clause = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import QTimer

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Suggested clauses (type the narrative; you decide)")
        layout.addWidget(self.label)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.itemDoubleClicked.connect(lambda it: self.add_clause.emit(it.data(ID_ROLE)))
        layout.addWidget(self.list)
        self.timer = QTimer(self, singleShot=True, interval=350)
        self.timer.timeout.connect(self._run)
        self.text = ""
        self.department = "police"
        self._generation = 0
        self.texts: dict[str, str] = {}

    def update_for(self, text: str, department: str = "police") -> None:
        self.text, self.department = text, department
        self.timer.start()

    def _run(self) -> None:
        from ia_desk.services import policy

        self._generation += 1
        generation, text, dept = self._generation, self.text, self.department

        def work() -> tuple[list[Any], dict[str, str]]:
            texts = self.texts or policy.clause_texts()
            return policy.suggest(text, dept, top=5) if text.strip() else [], texts

        def done(result: tuple[list[Any], dict[str, str]]) -> None:
            if generation != self._generation:
                return
            suggestions, self.texts = result
            self.list.clear()
            for s in suggestions:
                from PySide6.QtWidgets import QListWidgetItem

                item = QListWidgetItem(f"{s.clause}  {s.title}   — {', '.join(s.why[:4])}")
                item.setData(ID_ROLE, s.clause)
                item.setToolTip(self.texts.get(s.clause, ""))
                self.list.addItem(item)

        Query(self, work).success(done).run()

    def add_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.add_clause.emit(item.data(ID_ROLE))
