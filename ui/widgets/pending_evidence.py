"""Screenshots attached to a new report, stored with the case when it is saved. One the
core refuses (not an image, too large) can be taken off the list again, so the rest of
the report is not lost to it."""

from __future__ import annotations

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services.evidence import EvidenceInput
from ui.evidence_input import IMAGE_FILTER, clipboard_name, clipboard_png, read_files


class PendingEvidence(QWidget):
    """Files chosen in the intake form, stored with the case when it is saved."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[EvidenceInput] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setMaximumHeight(90)
        layout.addWidget(self.list, 1)
        col = QVBoxLayout()
        pick = QPushButton("Add files…")
        pick.clicked.connect(self.pick)
        paste = QPushButton("Paste screenshot")
        paste.clicked.connect(self.paste)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected screenshot off the report")
        self.remove_button.clicked.connect(self.remove_selected)
        col.addWidget(pick)
        col.addWidget(paste)
        col.addWidget(self.remove_button)
        layout.addLayout(col)
        self.setAcceptDrops(True)

    def add(self, items: list[EvidenceInput]) -> None:
        for item in items:
            self.items.append(item)
            self.list.addItem(f"{item.file_name} ({len(item.data):,} bytes, {item.method})")

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.items):
            del self.items[row]
            self.list.takeItem(row)

    def pick(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach screenshots", "", IMAGE_FILTER)
        self.add(read_files(paths, "file"))

    def paste(self) -> None:
        image = QApplication.clipboard().image()
        if not image.isNull():
            self.add([EvidenceInput(clipboard_png(image), clipboard_name(), "clipboard")])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.add(read_files(paths, "drag"))
        event.acceptProposedAction()
