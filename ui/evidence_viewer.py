"""The evidence viewer: one item in a window of its own, with zoom and pan, its metadata
and hash, its custody log, and export.

The viewer never decodes an original in this process: it shows the rendition the
core's isolated decoder made (``services.evidence.view``), a PNG of bounded size, and says when
that is scaled or is only the first page. The only pictures this process decodes are
the ones our own worker wrote (thumbnails, renditions) and pasted clipboard images.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ia_desk import labels
from ia_desk.services import Actor, Database, evidence
from ia_desk.services.evidence import EvidenceView
from ui.ops import Query
from ui.widgets.screen_fit import fit_to_screen
from ui.widgets.zoom_view import ZoomView


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
        if not isinstance(bits, memoryview):  # PySide6 gives a writable view of the pixels
            raise TypeError(f"QImage.bits() gave {type(bits).__name__}, not a memoryview")
        for top in range(0, height, _BAND):
            band = im.crop((0, top, width, min(height, top + _BAND))).convert("RGBa")
            raw = band.tobytes("raw", "BGRa")
            bits[top * stride : top * stride + len(raw)] = raw
    return image


_BAND = 128  # rows copied at once: ~1.5 MB for the widest rendition


class EvidenceViewer(QWidget):
    """One item: the image with zoom and pan, its metadata and hash, its custody log."""

    def __init__(self, db: Database, actor: Actor, evidence_id: int) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.evidence_id = evidence_id
        self.setWindowTitle(f"Evidence {evidence_id}")
        fit_to_screen(self, 1200, 760)
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
        self.badge.setWordWrap(True)
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
            view = evidence.view(self.db, self.actor, eid)
            image = rendition_image(view.rendition.png) if view.rendition else QImage()
            return view, image

        Query(self, work).success(self._show).with_progress("Opening evidence…").run()

    def _show(self, result: tuple[EvidenceView, QImage]) -> None:
        view, image = result
        meta, log = view.metadata, view.custody
        self.metadata = meta
        if meta["verified"]:
            self.badge.setText("✔ VERIFIED: bytes and record are as captured")
            self.badge.setStyleSheet(
                "background: #1b5e20; color: white; padding: 6px; font-weight: bold;"
            )
        else:
            self.badge.setText(
                "✖ MISMATCH: its bytes or its record changed since capture. "
                "This is not the evidence as captured."
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
            ("Captured", "captured_at_utc"),
            ("Captured in zone", "captured_tz"),
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
            elif key == "captured_at_utc":
                value = labels.local_minute(meta.get(key))
            elif key == "method":
                value = labels.evidence_method(str(value))
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
                [
                    labels.local_minute(e["at"]),
                    e["user"],
                    labels.event(e["event"]),
                    labels.outcome(e["outcome"]),
                ]
            ):
                self.custody.setItem(r, c, QTableWidgetItem(v))

    def export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into folder")
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        eid = self.evidence_id

        # The export is recorded in the custody log, which is read again after it.
        Query(self, lambda: evidence.export(self.db, self.actor, eid, folder)).success(
            lambda _files: self.reload()
        ).run()
