"""Print preview, the system print dialog and Save as PDF for case summaries.

The PDF is built by the core (ReportLab) off the GUI thread; pages are rendered for the
preview and for the printer with PDFium (pypdfium2). The print is audited by the core
when the summary is built.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ia_desk.services import Actor, Database, reports
from ia_desk.services.accounts import allowed
from ia_desk.services.reports import AUDIENCES, Printed
from ui.ops import Query
from ui.widgets.layouts import clear_layout
from ui.widgets.screen_fit import fit_to_screen


def render_pages(pdf: bytes, dpi: float) -> list[QImage]:
    doc = pdfium.PdfDocument(pdf)
    images = []
    try:
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=dpi / 72)
            pil = bitmap.to_pil().convert("RGB")
            data = pil.tobytes("raw", "RGB")
            image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888)
            images.append(image.copy())
    finally:
        doc.close()
    return images


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Send each page to the printer as an image at the printer's resolution."""
    painter = QPainter(printer)
    try:
        pages = render_pages(pdf, min(printer.resolution(), 300))
        for i, image in enumerate(pages):
            if i:
                printer.newPage()
            rect = painter.viewport()
            size = image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(rect.x(), rect.y(), size.width(), size.height()), image)
    finally:
        painter.end()


class PrintPreview(QDialog):
    """Preview of one or several case summaries, with Print and Save as PDF."""

    def __init__(
        self, db: Database, actor: Actor, numbers: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.numbers = numbers
        self.printed: Printed | None = None
        self.setWindowTitle(
            f"Print preview: {', '.join(numbers[:3])}" + ("…" if len(numbers) > 3 else "")
        )
        fit_to_screen(self, 900, 900)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Audience"))
        self.audience = QComboBox()
        for key, label in AUDIENCES.items():
            if allowed(actor, f"summary.print_{key}"):
                self.audience.addItem(label, key)
        self.audience.currentIndexChanged.connect(self.build)
        bar.addWidget(self.audience)
        bar.addStretch(1)
        self.info = QLabel()
        bar.addWidget(self.info)
        self.print_btn = QPushButton("Print…")
        self.print_btn.clicked.connect(self.print_)
        self.save_btn = QPushButton("Save as PDF…")
        self.save_btn.clicked.connect(self.save)
        bar.addWidget(self.print_btn)
        bar.addWidget(self.save_btn)
        layout.addLayout(bar)
        self.pages_area = QScrollArea()
        self.pages_area.setWidgetResizable(True)
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_area.setWidget(self.pages)
        layout.addWidget(self.pages_area)
        self.build()

    def build(self) -> None:
        audience = self.audience.currentData()
        numbers = list(self.numbers)
        self.print_btn.setEnabled(False)
        self.save_btn.setEnabled(False)

        def work() -> tuple[Printed, list[QImage]]:
            printed = reports.summaries(self.db, self.actor, numbers, audience)
            return printed, render_pages(printed.pdf, 80)

        Query(self, work).success(self._show).with_progress(
            f"Building {len(numbers)} summary(ies)…"
        ).run()

    def _show(self, result: tuple[Printed, list[QImage]]) -> None:
        self.printed, images = result
        clear_layout(self.pages_layout)
        for image in images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("border: 1px solid #999; margin: 6px;")
            self.pages_layout.addWidget(label)
        self.info.setText(f"{len(images)} page(s) · SHA-256 {self.printed.sha256[:16]}…")
        self.print_btn.setEnabled(True)
        self.save_btn.setEnabled(True)

    def print_(self) -> None:
        if self.printed is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            print_pdf(self.printed.pdf, printer)

    def save(self) -> None:
        if self.printed is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save summary", self.suggested_name(), "PDF (*.pdf)"
        )
        if path:
            self.save_to(Path(path))

    def suggested_name(self) -> str:
        """The file name offered: the case (or how many) and the audience it was built
        for, so a summary for command is never mistaken for IA's (or the reverse)."""
        audience = self.audience.currentData() or "summary"
        if len(self.numbers) == 1:
            return f"{self.numbers[0]}-summary-{audience}.pdf"
        return f"summaries-{len(self.numbers)}-cases-{audience}.pdf"

    def save_to(self, path: Path) -> None:
        assert self.printed is not None
        try:
            reports.save_pdf(self.printed, path)
        except Exception as exc:  # noqa: BLE001 - shown to the user, nothing half-written
            QMessageBox.warning(self, "Save as PDF", str(exc))
            return
        who = self.audience.currentText()
        self.info.setText(f"Saved, for {who}: {path.name} in {path.parent}")
        self.info.setToolTip(str(path))
