"""The main window: the case list of the signed-in user (the desktop issue builds it out)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QTableView, QVBoxLayout, QWidget

from ia_desk import APP_NAME
from ia_desk.cases.queries import CaseRow, list_cases
from ia_desk.db.engine import Database
from ia_desk.security.actor import Actor
from ia_desk.security.roles import ROLE_LABELS

Index = QModelIndex | QPersistentModelIndex


class CaseTableModel(QAbstractTableModel):
    COLUMNS = ("Case", "Status", "Received", "Subjects", "Clauses", "Deadline", "Flags")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CaseRow] = []

    def set_rows(self, rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                r.number,
                r.status,
                r.received_at.strftime("%Y-%m-%d %H:%M"),
                r.subjects,
                r.clauses,
                r.deadline_on.isoformat(),
                ", ".join(r.flags),
            )[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and "overdue" in r.flags:
            return QBrush(QColor("#a40000"))
        return None


class MainWindow(QMainWindow):
    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.setWindowTitle(f"{APP_NAME}: cases")
        self.resize(1200, 720)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.search = QLineEdit(placeholderText="Search case text (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.refresh)
        layout.addWidget(self.search)
        self.model = CaseTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.setCentralWidget(central)
        self.statusBar().showMessage(
            f"{actor.name} ({actor.login}) · {ROLE_LABELS.get(actor.role, actor.role)} · "
            f"{db.target.describe()}"
        )
        self.refresh()

    def refresh(self) -> None:
        with self.db.read() as session:
            rows = list_cases(session, self.actor, search=self.search.text() or None)
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self.count.setText(f"{len(rows)} case(s)")
