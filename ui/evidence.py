"""Evidence in the app: the thumbnail grid with drop, paste and pick; the viewer.

Adding runs the core's intake off the GUI thread; the clipboard path stores a lossless
PNG of the pasted image and hashes that. A file already stored as evidence is added and
the core's warning is shown.

The viewer never decodes an original in this process: it shows the rendition the
core's isolated decoder made (``view_evidence``), a PNG of bounded size, and says when
that is scaled or is only the first page. The only pictures this process decodes are
the ones our own worker wrote (thumbnails, renditions) and pasted clipboard images.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFormLayout,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk.db.engine import Database
from ia_desk.evidence.store import (
    Added,
    EvidenceInput,
    EvidenceView,
    add_evidence,
    export_evidence,
    thumbnail,
    view_evidence,
)
from ia_desk.security.actor import Actor
from ui.worker import run_task

IMAGE_FILTER = "Screenshots (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff *.pdf)"


def clipboard_png(image: QImage) -> bytes:
    """A pasted image as lossless PNG bytes (what is stored and hashed)."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def rendition_image(png: bytes) -> QImage:
    """The core's rendition (a PNG our own worker wrote, never an original) as a QImage,
    for a worker thread.

    Pillow decodes it: it lets go of the interpreter lock while it does, where Qt's
    reader holds it and stalled the GUI for the whole decode (60-90 ms for a 2,880 px
    picture). The pixels are copied into the QImage a band at a time, premultiplied in
    QImage's ARGB32 byte order (little-endian, as every platform IA Desk ships for), so
    the app holds the decoded picture and the QImage only, and turning it into a pixmap
    on the GUI thread costs nothing."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        if im.format != "PNG":
            return QImage()
        im.load()
        width, height = im.size
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        bits, stride = image.bits(), image.bytesPerLine()
        for top in range(0, height, _BAND):
            band = im.crop((0, top, width, min(height, top + _BAND))).convert("RGBa")
            raw = band.tobytes("raw", "BGRa")
            bits[top * stride : top * stride + len(raw)] = raw
    return image


_BAND = 128  # rows copied at once: ~1.5 MB for the widest rendition


def clipboard_name() -> str:
    return f"clipboard-{dt.datetime.now():%Y%m%d-%H%M%S}.png"


def read_files(paths: list[str], method: str) -> list[EvidenceInput]:
    items = []
    for p in paths:
        path = Path(p)
        items.append(EvidenceInput(data=path.read_bytes(), file_name=path.name, method=method))
    return items


class EvidenceGrid(QWidget):
    """Thumbnails of a case's evidence; accepts dropped files and pasted screenshots."""

    added = Signal()

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
        self.hint = QLabel(
            "Drop screenshot files here, paste one with Ctrl+V, or pick files." if can_add else ""
        )
        row.addWidget(self.hint, 1)
        self.pick = QPushButton("Add files…")
        self.pick.clicked.connect(self.pick_files)
        self.pick.setVisible(can_add)
        row.addWidget(self.pick)
        layout.addLayout(row)
        self._paste = QShortcut(QKeySequence.StandardKey.Paste, self)
        self._paste.activated.connect(self.paste)
        self.error: str | None = None
        self.warning: str | None = None  # the last addition's duplicate warnings
        self._notice: QMessageBox | None = None
        self.allow_adding(can_add)

    def allow_adding(self, can_add: bool, why_not: str | None = None) -> None:
        """Offer drop, paste and pick when the case takes evidence from this user now
        (the case's actions say so; ``why_not`` is shown otherwise)."""
        self.can_add = can_add
        self.hint.setText(
            "Drop screenshot files here, paste one with Ctrl+V, or pick files."
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

        def work() -> dict[str, bytes | None]:
            with self.db.read(self.actor) as s:
                return {sha: thumbnail(s, sha) for sha in shas}

        def done(thumbs: dict[str, bytes | None]) -> None:
            self.grid.clear()
            for e in items:
                pix = QPixmap()
                png = thumbs.get(e["sha256"])
                if png:
                    pix.loadFromData(png, "PNG")
                badge = "verified" if e["verified"] else "MISMATCH"
                item = QListWidgetItem(
                    QIcon(pix) if not pix.isNull() else QIcon(),
                    f"{e['file_name']}\n{badge} · {e['sha256'][:12]}…",
                )
                item.setData(Qt.ItemDataRole.UserRole, e["id"])
                if not e["verified"]:
                    item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(f"SHA-256 {e['sha256']}\n{e['media_type']}, {e['size']:,} bytes")
                self.grid.addItem(item)

        run_task(self, work, done)

    # -- adding
    def add_items(self, items: list[EvidenceInput]) -> None:
        if not items or self.number is None:
            return
        number = self.number
        self.warning = None

        def work() -> Added:
            with self.db.write(self.actor) as s:
                return add_evidence(s, self.actor, number, items)

        def done(added: Added) -> None:
            self.added.emit()
            if added.warnings:
                self.warn("\n\n".join(w.message for w in added.warnings))

        def failed(exc: BaseException) -> None:
            from ui.worker import show_error

            self.error = getattr(exc, "message", str(exc))
            show_error(self, exc)

        run_task(self, work, done, failed, label="Checking and storing evidence…")

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


class ZoomView(QGraphicsView):
    """An image with wheel zoom and drag to pan."""

    def __init__(self) -> None:
        super().__init__()
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scene_ = QGraphicsScene(self)
        self.setScene(self.scene_)
        self.item: QGraphicsPixmapItem | None = None
        self.auto_fit = True  # until the user zooms, the image follows the window's size

    def set_image(self, image: QImage) -> bool:
        """Show a picture already decoded (from the core's rendition, never an original)."""
        self.scene_.clear()
        self.item = None
        if image.isNull():
            return False
        self.item = self.scene_.addPixmap(
            QPixmap.fromImage(image, Qt.ImageConversionFlag.NoOpaqueDetection)
        )
        self.fit()
        return True

    def fit(self) -> None:
        self.auto_fit = True
        if self.item is not None:
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)

    def zoom(self, factor: float) -> None:
        self.auto_fit = False
        self.scale(factor, factor)


class EvidenceViewer(QWidget):
    """One item: the image with zoom and pan, its metadata and hash, its custody log."""

    def __init__(self, db: Database, actor: Actor, evidence_id: int) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.evidence_id = evidence_id
        self.setWindowTitle(f"Evidence {evidence_id}")
        self.resize(1200, 760)
        layout = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        self.scale_note = QLabel()
        self.scale_note.setObjectName("rendition-note")
        self.scale_note.setWordWrap(True)
        self.scale_note.hide()
        ll.addWidget(self.scale_note)
        self.view = ZoomView()
        ll.addWidget(self.view)
        zoom_row = QHBoxLayout()
        for text, factor in (("Zoom in", 1.25), ("Zoom out", 0.8)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, f=factor: self.view.zoom(f))
            zoom_row.addWidget(b)
        fit = QPushButton("Fit")
        fit.clicked.connect(
            lambda: (
                self.view.item
                and self.view.fitInView(self.view.item, Qt.AspectRatioMode.KeepAspectRatio)
            )
        )
        zoom_row.addWidget(fit)
        zoom_row.addStretch(1)
        ll.addLayout(zoom_row)
        split.addWidget(left)
        right = QWidget()
        rl = QVBoxLayout(right)
        self.badge = QLabel()
        self.badge.setObjectName("verified-badge")
        rl.addWidget(self.badge)
        self.meta = QFormLayout()
        rl.addLayout(self.meta)
        export = QPushButton("Export original with metadata…")
        export.clicked.connect(self.export)
        rl.addWidget(export)
        rl.addWidget(QLabel("<b>Custody log</b>"))
        self.custody = QTableWidget(0, 4)
        self.custody.setHorizontalHeaderLabels(["When (UTC)", "Who", "Event", "Result"])
        self.custody.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.custody.horizontalHeader().setStretchLastSection(True)
        rl.addWidget(self.custody)
        split.addWidget(right)
        split.setSizes([760, 440])
        layout.addWidget(split)
        self.metadata: dict[str, Any] = {}
        self.reload()

    def reload(self) -> None:
        eid = self.evidence_id

        def work() -> tuple[EvidenceView, QImage]:
            view = view_evidence(self.db, self.actor, eid)
            image = rendition_image(view.rendition.png) if view.rendition else QImage()
            return view, image

        run_task(self, work, self._show, label="Opening evidence…")

    def _show(self, result: tuple[EvidenceView, QImage]) -> None:
        view, image = result
        meta, log = view.metadata, view.custody
        self.metadata = meta
        if meta["verified"]:
            self.badge.setText("✔ VERIFIED: the bytes hash to the SHA-256 recorded at capture")
            self.badge.setStyleSheet(
                "background: #1b5e20; color: white; padding: 6px; font-weight: bold;"
            )
        else:
            self.badge.setText(
                "✖ MISMATCH: the stored bytes no longer match the recorded "
                "hash. This is not the evidence as captured."
            )
            self.badge.setStyleSheet(
                "background: #b00020; color: white; padding: 6px; font-weight: bold;"
            )
        while self.meta.rowCount():
            self.meta.removeRow(0)
        for label, key in (
            ("File name", "file_name"),
            ("Type", "media_type"),
            ("Size", "size"),
            ("Pixels", None),
            ("SHA-256", "sha256"),
            ("Source URL", "source_url"),
            ("Platform", "platform"),
            ("Captured (UTC)", "captured_at_utc"),
            ("Time zone", "captured_tz"),
            ("Captured by", "captured_by"),
            ("Workstation", "workstation"),
            ("How", "method"),
            ("Note", "note"),
        ):
            value = (
                f"{meta['width']} × {meta['height']}"
                if key is None and meta["width"]
                else ""
                if key is None
                else meta.get(key)
            )
            if key == "size":
                value = f"{meta['size']:,} bytes"
            text = QLabel("" if value is None else str(value))
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setWordWrap(True)
            self.meta.addRow(label, text)
        self.view.set_image(image)
        note = view.problem or (view.rendition.describe() if view.rendition else "")
        self.scale_note.setText(note)
        self.scale_note.setVisible(bool(note))
        self.custody.setRowCount(len(log))
        for r, e in enumerate(log):
            for c, v in enumerate(
                [e["at"][:19].replace("T", " "), e["user"], e["event"], e["outcome"]]
            ):
                self.custody.setItem(r, c, QTableWidgetItem(v))

    def export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        eid = self.evidence_id

        def work() -> tuple[Path, Path, bool]:
            with self.db.write(self.actor, audit_only=True) as s:
                return export_evidence(s, self.actor, eid, folder)

        run_task(self, work, lambda _r: self.reload())


class PendingEvidence(QWidget):
    """Files chosen in the intake form, stored with the case when it is saved."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[EvidenceInput] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setMaximumHeight(70)
        layout.addWidget(self.list, 1)
        col = QVBoxLayout()
        pick = QPushButton("Add files…")
        pick.clicked.connect(self.pick)
        paste = QPushButton("Paste screenshot")
        paste.clicked.connect(self.paste)
        col.addWidget(pick)
        col.addWidget(paste)
        layout.addLayout(col)
        self.setAcceptDrops(True)

    def add(self, items: list[EvidenceInput]) -> None:
        for item in items:
            self.items.append(item)
            self.list.addItem(f"{item.file_name} ({len(item.data):,} bytes, {item.method})")

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
