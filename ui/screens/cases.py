"""The case list: a lazy table model over the core's case query, and the page around it.

The page follows the bus (:mod:`ui.ops`): a change to the list (``case_list``: a case
added, a row changed here or at another workstation) reloads it in place, keeping the
rows loaded, the selection and the scroll."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import fields as dataclass_fields

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ia_desk import labels
from ia_desk.casefile.listing import CaseQuery, CaseRow
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Changes, Database
from ia_desk.services import cases as case_service
from ia_desk.services.accounts import allowed
from ia_desk.terms import CASE_STATUSES
from ui.ops import Change, Query
from ui.screens.screen import Screen
from ui.shortcuts import NEW_REPORT, OPEN_ROW, PRINT_SELECTED, with_keys
from ui.widgets.fields import date_edit, picked_date
from ui.worker import show_error

Index = QModelIndex | QPersistentModelIndex
PAGE = 200


OVERDUE_COLOUR = "#a40000"
DISPLAY, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
FOREGROUND, FONT = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
STATUS_COLUMN, FLAGS_COLUMN = 1, 6


def row_texts(r: CaseRow) -> tuple[str, ...]:
    """What each column of a row shows, in the words of IA work (computed off the GUI
    thread, with the page)."""
    return (
        r.number,
        labels.status(r.status).text,
        r.received_at.strftime("%Y-%m-%d %H:%M"),
        r.subjects,
        r.clauses,
        r.deadline_on.isoformat(),
        labels.flags_text(r.flags),
        days_left_text(r),
        r.assigned_to or "",
        labels.reporter_mode(r.reporter_mode) if r.reporter_mode else "",
        findings_text(r.dispositions),
    )


def days_left_text(r: CaseRow) -> str:
    """Days to the deadline in words: "4 days", "Today", "3 days over"; paused, closed."""
    if r.status == "closed":
        return ""
    if r.tolled:
        return "Paused"
    days = r.days_left()
    assert days is not None
    if days == 0:
        return "Today"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} over"
    return f"{days} day{'s' if days != 1 else ''}"


def findings_text(dispositions: tuple[str | None, ...]) -> str:
    """The findings of a case's allegations, each once, in words ("Pending" for none yet)."""
    return ", ".join(dict.fromkeys(labels.disposition(d) for d in dispositions))


def flags_tooltip(flags: list[str]) -> str:
    """Each flag of a row with what it means (the column is narrow; the tooltip whole)."""
    return "\n".join(
        f"{labels.flag(f).text}: {labels.flag(f).meaning}" for f in labels.shown_flags(flags)
    )


# A page of rows and what their cells show.
Page = tuple[list[CaseRow], list[tuple[str, ...]]]


class CaseListModel(QStandardItemModel):
    """Holds the rows fetched so far; fetches the next page when the view scrolls to it.

    Every query runs off the GUI thread. Results of a query that has since been replaced
    (the user typed on) are dropped.

    The cells are Qt's own items: painting the table (hundreds of cell and role lookups per
    repaint) runs no Python, so it never waits for the interpreter lock while a worker
    builds a summary or runs a search. (A Python model's data() made each repaint wait
    behind such a worker: print previews stalled the window 150-200 ms.)
    """

    COLUMNS = (
        "Case",
        "Status",
        "Received",
        "Subjects",
        "Clauses",
        "Deadline",
        "Flags",
        "Days left",
        "Assigned to",
        "Reporter",
        "Disposition",
    )
    SORT_BY_COLUMN = (
        "number",
        "status",
        "received",
        "subjects",
        "clauses",
        "deadline",
        "flags",
        "days_left",
        "assignee",
        "reporter",
        "disposition",
    )
    loaded = Signal(int)  # total matching rows, after each (re)load
    refused = Signal(str)  # the query was refused (an unknown clause): in plain words

    def __init__(self, db: Database, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.query = CaseQuery()
        self.rows: list[CaseRow] = []
        self.total = 0
        self._generation = 0
        self._fetching = False
        self.setHorizontalHeaderLabels(list(self.COLUMNS))

    # -- loading
    def set_query(self, query: CaseQuery) -> None:
        self.query = query
        self.reload()

    def reload(self, keep_loaded: bool = False) -> None:
        """Run the query again from the top. ``keep_loaded`` fetches as many rows as are
        loaded now (a refresh after changes elsewhere keeps the user's place)."""
        self._generation += 1
        generation, query = self._generation, self.query
        size = max(PAGE, len(self.rows)) if keep_loaded else PAGE

        def work() -> tuple[int, Page]:
            total, rows = case_service.first_page(self.db, self.actor, query, size)
            return total, (rows, [row_texts(r) for r in rows])

        def done(result: tuple[int, Page]) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self.total, page = result
            self.rows = []
            self.removeRows(0, self.rowCount())
            self._fetching = True  # until every row of this load is in
            self._append_in_turns(page, generation)

        def failed(exc: BaseException) -> None:
            if not isValid(self) or generation != self._generation:
                return
            if not isinstance(exc, IADeskError):  # a fault: the usual box
                show_error(None, exc)
                return
            self.total, self.rows = 0, []
            self.removeRows(0, self.rowCount())
            self.refused.emit(labels.message(exc.message))

        Query(None, work).success(done).failure(failed).with_progress("Loading cases…").run()

    def _append_in_turns(self, page: Page, generation: int) -> None:
        """Add a page at a time, letting the window paint between pages: a refresh keeps
        every row the user scrolled through (thousands, at times)."""
        if not isValid(self) or generation != self._generation:
            return  # a newer load replaced this one
        rows, texts = page
        self._append((rows[:PAGE], texts[:PAGE]))
        if len(rows) > PAGE:
            rest = (rows[PAGE:], texts[PAGE:])
            QTimer.singleShot(0, self, lambda: self._append_in_turns(rest, generation))
            return
        self._fetching = False
        self.loaded.emit(self.total)

    def _append(self, page: Page) -> None:
        """Add a page's cells. Setting each cell's data lets Qt make the item itself: an
        item made in Python would be a Python object that every paint asks for overrides."""
        rows, texts = page
        if not rows:
            return
        first = len(self.rows)
        self.rows.extend(rows)
        self.setRowCount(first + len(rows))  # the view learns of the new rows once
        index, set_cell = self.index, self.setItemData
        overdue_brush = QBrush(QColor(OVERDUE_COLOUR))
        white = QBrush(QColor("#ffffff"))
        badges = {
            name: (QBrush(QColor(b.colour)), f"{b.text}: {b.meaning}")
            for name, b in labels.STATUSES.items()
        }
        bold = QFont()
        bold.setBold(True)
        self.blockSignals(True)  # one change notice for the page, not one per cell
        try:
            for i, (r, cells) in enumerate(zip(rows, texts, strict=True), start=first):
                overdue = "overdue" in r.flags
                for col, text in enumerate(cells):
                    roles: dict[int, object] = {DISPLAY: text}
                    if col in (3, 4) and text:  # long lists: whole in the tooltip
                        roles[TOOLTIP] = text
                    elif col == FLAGS_COLUMN and r.flags:
                        roles[TOOLTIP] = flags_tooltip(r.flags)
                    if overdue:
                        roles[FOREGROUND] = overdue_brush
                        if col in (0, 5, 6):
                            roles[FONT] = bold
                    if col == STATUS_COLUMN and r.status in badges:  # a coloured badge
                        roles[BACKGROUND], roles[TOOLTIP] = badges[r.status]
                        roles[FOREGROUND] = white
                    set_cell(index(i, col), roles)
        finally:
            self.blockSignals(False)
        self.dataChanged.emit(index(first, 0), index(len(self.rows) - 1, len(self.COLUMNS) - 1))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        generation, query, offset = self._generation, self.query, len(self.rows)

        def work() -> Page:
            rows = case_service.page(self.db, self.actor, query, offset, PAGE)
            return rows, [row_texts(r) for r in rows]

        def done(page: Page) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._fetching = False
            self._append(page)

        Query(None, work).success(done).run()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.SORT_BY_COLUMN[column] if column < len(self.SORT_BY_COLUMN) else "received"
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.query.sort, self.query.descending):
            return  # the view re-announcing the current order (at start-up): no new query
        from dataclasses import replace

        self.set_query(replace(self.query, sort=key, descending=descending))

    def number_at(self, row: int) -> str | None:
        return self.rows[row].number if 0 <= row < len(self.rows) else None


class CasesPage(Screen):
    """Filters, the search box, the table and the count. Read at once (the first screen)."""

    open_case = Signal(str)
    new_report = Signal()
    print_case = Signal(str)
    loads_when_shown = False

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self)
        self.toolbar = QToolBar("Cases")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_by_name: dict[str, QAction] = {}
        if allowed(actor, "report.submit"):
            self._tool(
                "new",
                "New report…",
                with_keys("Open a case from a new report", NEW_REPORT),
                self.new_report.emit,
            )
        self._tool(
            "open", "Open", with_keys("Open the selected case", OPEN_ROW), self.open_selected
        )
        self.prints = allowed(actor, "summary.print_command")
        if self.prints:
            self._tool(
                "print",
                "Print summary…",
                with_keys("Print the selected case's summary", PRINT_SELECTED),
                self.print_selected,
            )
        self._tool(
            "export",
            "Export CSV…",
            "Save the listed cases, as filtered, as a CSV file (recorded in the audit trail)",
            self.export_csv,
        )
        self.toolbar.addSeparator()
        self.saved = QComboBox()
        self.saved.setAccessibleName("Saved filters")
        self.saved.setToolTip("Filters you saved (kept for you on this computer)")
        self.saved.activated.connect(self._use_saved)
        self.toolbar.addWidget(self.saved)
        self._tool(
            "save",
            "Save filter…",
            "Keep the filters as they are now under a name",
            self.ask_save_filter,
        )
        self._fill_saved()
        layout.addWidget(self.toolbar)
        bar = QHBoxLayout()
        self.search = QLineEdit(placeholderText="Search case text: narrative, names, clauses…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        bar.addWidget(self.search, 1)
        self.status = QComboBox()
        self.status.addItem("Any status", None)
        for s in CASE_STATUSES:
            self.status.addItem(labels.status(s).text, s)
            self.status.setItemData(
                self.status.count() - 1, labels.status(s).meaning, Qt.ItemDataRole.ToolTipRole
            )
        bar.addWidget(self.status)
        self.mine = QCheckBox("My cases")
        self.overdue = QCheckBox("Overdue only")
        bar.addWidget(self.mine)
        bar.addWidget(self.overdue)
        layout.addLayout(bar)
        filters = QHBoxLayout()
        self.clause = QLineEdit(placeholderText="Clause, e.g. vpd-3.21/III.D")
        self.employee = QLineEdit(placeholderText="Employee badge")
        self.date_from = date_edit()
        self.date_to = date_edit()
        self.date_from.setDate(QDate.currentDate().addYears(-1))
        self.date_to.setDate(QDate.currentDate())
        self.use_dates = QCheckBox("Received between")
        detail = allowed(actor, "case.read")
        for w in (self.clause, self.employee):
            w.setVisible(detail)
            filters.addWidget(w, 1)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("and"))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        layout.addLayout(filters)
        # A list opened from a count of the home screen: what it lists, and the way back.
        self.preset = CaseQuery()
        self.preset_bar = QWidget()
        preset_row = QHBoxLayout(self.preset_bar)
        preset_row.setContentsMargins(0, 0, 0, 0)
        self.preset_label = QLabel()
        self.preset_label.setObjectName("presetLabel")
        self.preset_label.setStyleSheet("QLabel#presetLabel { font-weight: bold; }")
        self.show_all = QPushButton("Show all cases")
        self.show_all.clicked.connect(self.clear_preset)
        preset_row.addWidget(self.preset_label, 1)
        preset_row.addWidget(self.show_all)
        self.preset_bar.setVisible(False)
        layout.addWidget(self.preset_bar)

        self.model = CaseListModel(db, actor, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        # The indicator first: enabling sorting then asks for the order already queried.
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Eleven columns in the width of a 1280 px screen: one line a row, each cut text
        # whole in its tooltip.
        self.table.setWordWrap(False)
        widths = (92, 105, 115, 108, 108, 80, 120, 70, 78, 85, 88)
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, width)
        if not detail:  # supervisors: status only
            for col in (3, 4, 8, 9, 10):
                self.table.setColumnHidden(col, True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.table.doubleClicked.connect(lambda idx: self._open_row(idx.row()))
        self.table.activated.connect(lambda idx: self._open_row(idx.row()))
        layout.addWidget(self.table)
        self.error = QLabel()
        self.error.setObjectName("listError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel#listError { color: #a40000; font-weight: bold; }")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.count = QLabel()
        layout.addWidget(self.count)
        self.model.refused.connect(self._show_refusal)

        self.search.returnPressed.connect(self.apply)
        self.search.textChanged.connect(self._debounced)
        for w in (self.clause, self.employee):
            w.returnPressed.connect(self.apply)
        self.status.currentIndexChanged.connect(self.apply)
        for box in (self.use_dates, self.mine, self.overdue):
            box.toggled.connect(self.apply)
        self.date_from.dateChanged.connect(self._dates_changed)
        self.date_to.dateChanged.connect(self._dates_changed)
        self.model.loaded.connect(self._show_count)
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.apply)
        self.apply()

    def _debounced(self) -> None:
        self._timer.start()

    def _dates_changed(self) -> None:
        if self.use_dates.isChecked():
            self.apply()

    def show_list(self, query: CaseQuery, words: str) -> None:
        """List what a count of the home screen counted: its query whole (the filters
        here set to it, the rest cleared), named above the table until *Show all*."""
        self._set_filters(query)
        self.preset_label.setText(f"Listing: {words}")
        self.preset_bar.setVisible(True)
        self.apply()

    def clear_preset(self) -> None:
        """*Show all cases*: every filter cleared."""
        self._set_filters(CaseQuery())
        self.preset_bar.setVisible(False)
        self.apply()

    def _set_filters(self, query: CaseQuery) -> None:
        self.preset = query
        boxes: tuple[QWidget, ...] = (self.status, self.search, self.clause, self.employee)
        boxes += (self.mine, self.overdue, self.use_dates)
        for w in boxes:
            w.blockSignals(True)
        try:
            self.status.setCurrentIndex(max(self.status.findData(query.status), 0))
            self.search.setText(query.search or "")
            self.clause.setText(query.clause or "")
            self.employee.setText(query.employee or "")
            self.mine.setChecked(query.mine)
            self.overdue.setChecked(query.overdue_only)
            self.use_dates.setChecked(False)
        finally:
            for w in boxes:
                w.blockSignals(False)
        self._timer.stop()

    def current_query(self) -> CaseQuery:
        return CaseQuery(
            assigned_to_me=self.preset.assigned_to_me,
            open_only=self.preset.open_only,
            work=self.preset.work,
            status=self.status.currentData(),
            clause=self.clause.text().strip() or None,
            employee=self.employee.text().strip() or None,
            received_from=picked_date(self.date_from) if self.use_dates.isChecked() else None,
            received_to=picked_date(self.date_to) if self.use_dates.isChecked() else None,
            mine=self.mine.isChecked(),
            overdue_only=self.overdue.isChecked(),
            search=self.search.text().strip() or None,
            sort=self.model.query.sort,
            descending=self.model.query.descending,
        )

    def apply(self) -> None:
        self._timer.stop()
        self.model.set_query(self.current_query())

    def concerns(self, changes: Changes) -> bool:
        return changes.case_list

    def refresh(self) -> None:
        self.refresh_in_place()

    def refresh_in_place(self) -> None:
        """Show changes (here or at other workstations) without losing the selection or
        the scroll."""
        selected = self.selected_number()
        scroll = self.table.verticalScrollBar().value()

        def restore(_total: int) -> None:
            self.model.loaded.disconnect(restore)
            self.table.verticalScrollBar().setValue(scroll)
            if selected is None:
                return
            for row, r in enumerate(self.model.rows):
                if r.number == selected:
                    self.table.selectRow(row)
                    self.table.verticalScrollBar().setValue(scroll)
                    break

        self.model.loaded.connect(restore)
        self.model.reload(keep_loaded=True)

    def _show_refusal(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.count.setText("No cases listed: correct the filter above.")

    def _show_count(self, total: int) -> None:
        self.error.setVisible(False)
        self.count.setText(f"{total:,} case(s)" + (" match" if self.search.text() else ""))

    def _open_row(self, row: int) -> None:
        number = self.model.number_at(row)
        if number:
            self.open_case.emit(number)

    def _tool(self, name: str, text: str, tip: str, slot: Callable[[], object]) -> None:
        act = self.toolbar.addAction(text)
        act.setToolTip(tip)
        act.setObjectName(f"tool-{name}")
        act.triggered.connect(lambda _=False: slot())
        self.actions_by_name[name] = act

    def export_csv(self, path: str | None = None) -> None:
        """Save every case the filters list as CSV (asks where, unless told)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export the case list", "cases.csv", "CSV files (*.csv)"
            )
            if not path:
                return
        query = self.current_query()

        def saved(result: tuple[str, int]) -> None:
            text, rows = result
            try:
                with open(path, "w", encoding="utf-8-sig", newline="") as out:
                    out.write(text)
            except OSError as exc:
                self.count.setText(f"The list could not be saved to {path}: {exc.strerror}.")
                return
            self.count.setText(f"{rows:,} case(s) exported to {path}.")

        Change(self, lambda: case_service.export_list(self.db, self.actor, query)).success(
            saved
        ).with_progress("Exporting the case list…").run()

    # -- saved filters: a window preference of this user, on this computer (QSettings)
    def _settings_key(self) -> str:
        return f"case_list/saved_filters/{self.actor.login}"

    def saved_filters(self) -> dict[str, dict[str, object]]:
        raw = QSettings().value(self._settings_key(), "{}")
        try:
            data = json.loads(str(raw))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def save_filter(self, name: str) -> None:
        """Keep the filters shown now (and the home screen's list, if one is open)."""
        fields = {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in asdict(self.current_query()).items()
            if k not in ("sort", "descending")
        }
        fields["_words"] = self.preset_label.text() if self.preset_bar.isVisible() else ""
        kept = self.saved_filters()
        kept[name] = fields
        QSettings().setValue(self._settings_key(), json.dumps(kept))
        self._fill_saved()
        self.saved.setCurrentIndex(self.saved.findText(name))

    def ask_save_filter(self) -> None:
        name, ok = QInputDialog.getText(self, "Save filter", "Name of the filter")
        if ok and name.strip():
            self.save_filter(name.strip()[:60])

    def _fill_saved(self) -> None:
        self.saved.blockSignals(True)
        self.saved.clear()
        self.saved.addItem("Saved filters…", None)
        for name in sorted(self.saved_filters()):
            self.saved.addItem(name, name)
        self.saved.blockSignals(False)

    def use_saved(self, name: str) -> None:
        fields = dict(self.saved_filters().get(name) or {})
        words = str(fields.pop("_words", "") or "")
        known = {f.name for f in dataclass_fields(CaseQuery)}
        values = {k: v for k, v in fields.items() if k in known}
        for key in ("received_from", "received_to"):
            if isinstance(values.get(key), str):
                values[key] = dt.date.fromisoformat(str(values[key]))
        query = CaseQuery(**values)  # type: ignore[arg-type]
        self._set_filters(query)
        if query.received_from and query.received_to:
            self.use_dates.blockSignals(True)
            self.use_dates.setChecked(True)
            self.use_dates.blockSignals(False)
            for edit, day in (
                (self.date_from, query.received_from),
                (self.date_to, query.received_to),
            ):
                edit.setDate(QDate(day.year, day.month, day.day))
        self.preset_label.setText(words or f"Listing: {name}")
        self.preset_bar.setVisible(bool(query.work or query.assigned_to_me or query.open_only))
        self.apply()

    def _use_saved(self, index: int) -> None:
        name = self.saved.itemData(index)
        if name:
            self.use_saved(str(name))

    def open_selected(self) -> None:
        number = self.selected_number()
        if number is None:
            self.count.setText("Select a case in the list first.")
            return
        self.open_case.emit(number)

    def print_selected(self) -> None:
        number = self.selected_number()
        if number is None:
            self.count.setText("Select a case in the list first.")
            return
        self.print_case.emit(number)

    def row_menu(self, row: int) -> QMenu:
        """The menu of a row (right-click): open it, print its summary."""
        self.table.selectRow(row)
        menu = QMenu(self)
        number = self.model.number_at(row)
        menu.addAction(f"Open {number}", self.open_selected)
        if self.prints:
            menu.addAction("Print summary…", self.print_selected)
        return menu

    def _row_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.row_menu(index.row()).exec(self.table.viewport().mapToGlobal(pos))

    def selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.number_at(rows[0].row()) if rows else None
