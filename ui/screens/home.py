"""The home screen: what needs doing today for the signed-in role, as counts that open the
case list filtered to exactly the cases counted.

The counts are the core's (``services.home.home_counts``): this screen lays them out,
one group per heading, and hands the query of a clicked count to the main window. It
follows the bus: a change to the case list (here or at another workstation) reads the
counts again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ia_desk.casefile.listing import CaseQuery
from ia_desk.errors import IADeskError
from ia_desk.services import Actor, Changes, Database
from ia_desk.services import home as home_service
from ia_desk.services.accounts import ROLE_LABELS
from ia_desk.services.home import HomeCount
from ui.ops import Query
from ui.screens.screen import Screen

COLUMNS = 4  # counts per row within a group: four fit 1280 px beside the navigation
# Counts that are work waiting: shown in the alarm colour when not zero.
URGENT = ("overdue", "immediate_action_overdue")


class CountButton(QPushButton):
    """A count and its words; clicking it opens the list of those cases."""

    def __init__(self, item: HomeCount) -> None:
        super().__init__(f"{item.count:,}\n{item.label}")
        self.item = item
        self.setObjectName(f"count-{item.key}")
        self.setToolTip(f"{item.meaning}\nClick to list them.")
        self.setAccessibleName(f"{item.label}: {item.count}")
        self.setMinimumHeight(64)
        # As wide as its share of the row: the screen never scrolls sideways.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(110)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        urgent = item.count > 0 and any(item.key.endswith(u) for u in URGENT)
        colour = "#a40000" if urgent else "#1f3b5a"
        self.setStyleSheet(
            f"QPushButton {{ text-align: left; padding: 6px 12px; font-size: 11pt;"
            f" color: {colour}; }}"
        )


class HomePage(Screen):
    """The role's counts under their headings; a click opens the filtered list."""

    open_list = Signal(object, str)  # the CaseQuery, and the words of what it lists

    def __init__(self, db: Database, actor: Actor) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.items: list[HomeCount] = []
        self.buttons: dict[str, CountButton] = {}
        outer = QVBoxLayout(self)
        title = QLabel(f"Good day, {actor.name}")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        outer.addWidget(title)
        self.subtitle = QLabel(
            f"{ROLE_LABELS.get(actor.role, actor.role)}: what needs doing. "
            "Click a count to list those cases."
        )
        outer.addWidget(self.subtitle)
        # A failed count is said here, in the screen, with a way to try again: the home
        # screen is the first thing shown and must never stop the window behind a box.
        self.problem = QLabel()
        self.problem.setObjectName("home-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a40000;")
        self.try_again = QPushButton("Try again")
        self.try_again.clicked.connect(self.refresh)
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.problem, 1)
        problem_row.addWidget(self.try_again)
        outer.addLayout(problem_row)
        self.problem.hide()
        self.try_again.hide()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.groups = QVBoxLayout(self.body)
        self.groups.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(self.body)
        outer.addWidget(scroll, 1)

    def concerns(self, changes: Changes) -> bool:
        return changes.case_list or bool(changes.cases) or changes.settings

    def refresh(self) -> None:
        Query(self, lambda: home_service.home_counts(self.db, self.actor)).success(
            self.show_counts
        ).failure(self.show_problem).with_progress("Counting cases…").run()

    def show_problem(self, exc: BaseException) -> None:
        """The counts could not be read: said in the screen, the last counts kept."""
        if isinstance(exc, IADeskError):
            reason = exc.message
        else:  # not its text: it may quote the query and what was in it
            reason = f"something unexpected went wrong ({type(exc).__name__})."
        self.problem.setText(f"The counts could not be read just now: {reason}")
        self.problem.show()
        self.try_again.show()

    def show_counts(self, items: list[HomeCount]) -> None:
        self.problem.hide()
        self.try_again.hide()
        self.items = items
        self.buttons = {}
        while self.groups.count():
            child = self.groups.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        boxes: dict[str, QGridLayout] = {}
        for item in items:
            grid = boxes.get(item.group)
            if grid is None:
                box = QGroupBox(item.group)
                grid = QGridLayout(box)
                boxes[item.group] = grid
                self.groups.addWidget(box)
            n = grid.count()
            button = CountButton(item)
            button.clicked.connect(lambda _=False, it=item: self._open(it))
            grid.addWidget(button, n // COLUMNS, n % COLUMNS)
            self.buttons[item.key] = button
        for grid in boxes.values():
            for col in range(COLUMNS):
                grid.setColumnStretch(col, 1)
        self.groups.addStretch(1)

    def _open(self, item: HomeCount) -> None:
        self.open_list.emit(item.query, f"{item.group}: {item.label}")

    def query_of(self, key: str) -> CaseQuery:
        """The list a count opens (for tests and the window)."""
        return next(i.query for i in self.items if i.key == key)
