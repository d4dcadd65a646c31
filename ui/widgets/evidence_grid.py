"""The Evidence tab's thumbnail grid: drop, paste (Ctrl+V) or pick screenshots.

Adding runs the core's intake off the GUI thread (a :class:`ui.ops.Change`: the case's
window reloads when it is announced); a file already stored as evidence is added and the
core's warning is shown. Opening a thumbnail shows it in the viewer.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Actor, Database, evidence
from ia_desk.services.evidence import Added, EvidenceInput
from ui.evidence_input import IMAGE_FILTER, clipboard_name, clipboard_png, read_files
from ui.evidence_viewer import EvidenceViewer
from ui.ops import Change, Query
from ui.shortcuts import PASTE_EVIDENCE, install
from ui.worker import show_error


class EvidenceGrid(QWidget):
    """Thumbnails of a case's evidence; accepts dropped files and pasted screenshots."""

    def __init__(self, db: Database, actor: Actor, can_add: bool) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.number: str | None = None
        self.items: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        self.grid = QListWidget()
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(180, 140))
        self.grid.setGridSize(QSize(210, 200))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setWordWrap(True)
        self.grid.itemActivated.connect(self._open)
        layout.addWidget(self.grid)
        row = QHBoxLayout()
        self.hint = QLabel()  # said by allow_adding
        row.addWidget(self.hint, 1)
        self.pick = QPushButton("Add files…")
        self.pick.clicked.connect(self.pick_files)
        self.pick.setVisible(can_add)
        row.addWidget(self.pick)
        layout.addLayout(row)
        self._paste = install(PASTE_EVIDENCE, self, self.paste)
        self.error: str | None = None
        self.warning: str | None = None  # the last addition's duplicate warnings
        self._notice: QMessageBox | None = None
        self.allow_adding(can_add)

    def allow_adding(self, can_add: bool, why_not: str | None = None) -> None:
        """Offer drop, paste and pick when the case takes evidence from this user now
        (the case's actions say so; ``why_not`` is shown otherwise)."""
        self.can_add = can_add
        self.hint.setText(
            f"Drop screenshot files here, paste one with {PASTE_EVIDENCE.text}, or pick files."
            if can_add
            else (f"No evidence can be added now: {why_not}." if why_not else "")
        )
        self.pick.setVisible(can_add)
        self.setAcceptDrops(can_add)
        self._paste.setEnabled(can_add)

    def show_items(self, number: str, items: list[dict[str, Any]]) -> None:
        self.number = number
        self.items = items
        self.grid.clear()
        shas = [e["sha256"] for e in items]

        def done(thumbs: dict[str, bytes | None]) -> None:
            self.grid.clear()
            for e in items:
                pix = QPixmap()
                png = thumbs.get(e["sha256"])
                if png:
                    pix.loadFromData(png, "PNG")
                badge = "verified" if e["verified"] else "MISMATCH"
                statement = e.get("statement")  # an interview's statement (issue 22)
                marked = (
                    f"\nStatement of interview {statement['interview']}"
                    + (f"\n{statement['mark']}" if statement["mark"] else "")
                    if statement
                    else ""
                )
                item = QListWidgetItem(
                    QIcon(pix) if not pix.isNull() else QIcon(),
                    f"{e['file_name']}\n{badge} · {e['sha256'][:12]}…{marked}",
                )
                item.setData(Qt.ItemDataRole.UserRole, e["id"])
                if not e["verified"]:
                    item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(f"SHA-256 {e['sha256']}\n{e['media_type']}, {e['size']:,} bytes")
                self.grid.addItem(item)

        Query(self, lambda: evidence.thumbnails(self.db, self.actor, shas)).success(done).run()

    # -- adding
    def add_items(self, items: list[EvidenceInput]) -> None:
        if not items or self.number is None:
            return
        number = self.number
        self.warning = None

        def done(added: Added) -> None:
            if added.warnings:
                self.warn("\n\n".join(w.message for w in added.warnings))

        def failed(exc: BaseException) -> None:
            self.error = getattr(exc, "message", str(exc))
            show_error(self, exc)

        Change(self, lambda: evidence.add_evidence(self.db, self.actor, number, items)).success(
            done
        ).failure(failed).with_progress("Checking and storing evidence…").run()

    def warn(self, text: str) -> None:
        """Say that files were already evidence, without stopping the user's work."""
        self.warning = text
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Already stored as evidence",
            text,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._notice = box

    def pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add screenshots", "", IMAGE_FILTER)
        if paths:
            self.add_items(read_files(paths, "file"))

    def paste(self) -> None:
        image = QApplication.clipboard().image()
        if image.isNull():
            urls = QApplication.clipboard().mimeData().urls()
            paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
            if paths:
                self.add_items(read_files(paths, "clipboard"))
            return
        self.add_items([EvidenceInput(clipboard_png(image), clipboard_name(), "clipboard")])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if paths:
            self.add_items(read_files(paths, "drag"))
        elif mime.hasImage():
            self.add_items(
                [EvidenceInput(clipboard_png(QImage(mime.imageData())), clipboard_name(), "drag")]
            )
        event.acceptProposedAction()

    def _open(self, item: QListWidgetItem) -> None:
        viewer = EvidenceViewer(self.db, self.actor, int(item.data(Qt.ItemDataRole.UserRole)))
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        self._viewer = viewer
