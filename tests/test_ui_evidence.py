"""Evidence in the desktop app: paste, the grid, the viewer (showing the core's rendition,
never decoding an original in the app's process), duplicate warnings, and intake with
screenshots."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import func, select

from ia_desk.db.models import Case, Evidence
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ui.case_window.window import CaseWindow
from ui.dialogs.intake import IntakeDialog
from ui.evidence_viewer import EvidenceViewer
from ui.worker import pending_tasks

from .conftest import go_around_the_app


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=15_000)


def png(size: tuple[int, int] = (120, 80), colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_pasting_a_screenshot_stores_a_png_with_its_hash(qtbot, db, admin, open_report):
    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    image = QImage(64, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    QApplication.clipboard().setImage(image)
    view.evidence.paste()
    idle(qtbot)
    idle(qtbot)
    with db.read() as s:
        e = s.scalar(select(Evidence))
        assert (e.method, e.media_type, e.width, e.height) == ("clipboard", "image/png", 64, 32)
        assert e.file_name.startswith("clipboard-")
    assert view.evidence.grid.count() == 1
    assert "verified" in view.evidence.grid.item(0).text()
    assert view.tabs.tabText(2) == "Evidence (1)"


def test_viewer_shows_metadata_badge_custody_and_exports(qtbot, db, admin, open_report, tmp_path):
    number = open_report().case.number
    with db.write(admin) as s:
        (e,) = add_evidence(
            s, admin, number, [EvidenceInput(png(), "post.png", source_url="https://x.example/1")]
        ).evidence
        eid = e.id
    viewer = EvidenceViewer(db, admin, eid)
    qtbot.addWidget(viewer)
    idle(qtbot)
    assert viewer.badge.text().startswith("✔ VERIFIED")
    assert viewer.view.item is not None
    assert viewer.custody.item(0, 2).text() == "Screenshot added"  # evidence.add
    assert viewer.custody.item(1, 2).text() == "Screenshot viewed"  # evidence.view
    viewer.export_to(tmp_path)
    idle(qtbot)
    assert len(list(tmp_path.glob(f"{number}-E*"))) == 2
    assert viewer.custody.rowCount() == 4  # add, view, export, view


def test_viewer_shows_a_mismatch_loudly(qtbot, db, admin, open_report):
    number = open_report().case.number
    with db.write(admin) as s:
        (e,) = add_evidence(s, admin, number, [EvidenceInput(png(), "post.png")]).evidence
        eid, sha = e.id, e.sha256
    go_around_the_app(db, "UPDATE evidence_blob SET data = :d WHERE sha256 = :h", d=b"\x01", h=sha)
    viewer = EvidenceViewer(db, admin, eid)
    qtbot.addWidget(viewer)
    idle(qtbot)
    assert viewer.badge.text().startswith("✖ MISMATCH")


def test_intake_with_a_bad_screenshot_stores_neither_case_nor_file(qtbot, db, admin, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: None))
    dlg = IntakeDialog(db, admin)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.mode_buttons["anonymous"].setChecked(True)
    qtbot.keyClicks(dlg.subject_input, "4321")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)
    dlg.subjects.item(0, 1).setText("Casey Newman")
    dlg.occurred.setDate(QDate(2026, 10, 30))
    qtbot.keyClicks(dlg.narrative, "Posted a selfie in uniform.")
    dlg.platform.setCurrentText("Snapchat")
    dlg.pending.add([EvidenceInput(b"definitely not a picture", "fake.png")])
    dlg.save()
    idle(qtbot)
    assert "fake.png: refused" in dlg.errors["file"].text()
    assert dlg.result() == 0
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
    dlg.pending.items.clear()
    dlg.pending.add([EvidenceInput(png(), "real.png", method="drag")])
    dlg.save()
    idle(qtbot)
    assert dlg.result() == QDialog.DialogCode.Accepted
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1


def test_the_viewer_shows_a_large_image_without_decoding_the_original_in_the_app(
    qtbot, db, admin, open_report, monkeypatch
):
    number = open_report().case.number
    original = png((5000, 3000), "maroon")  # 15 M pixels: over the viewer's bound
    with db.write(admin) as s:
        (e,) = add_evidence(s, admin, number, [EvidenceInput(original, "wide.png")]).evidence
        eid = e.id
    decoded_here = []

    def given(arg) -> bytes | None:
        if isinstance(arg, io.BytesIO):
            return arg.getvalue()
        return bytes(arg) if isinstance(arg, bytes | bytearray | memoryview) else None

    def watch(name, real):
        def call(*args, **kwargs):
            if any(given(a) == original for a in args):
                decoded_here.append(name)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(QImage, "loadFromData", watch("QImage.loadFromData", QImage.loadFromData))
    monkeypatch.setattr(QImage, "fromData", staticmethod(watch("QImage.fromData", QImage.fromData)))
    monkeypatch.setattr(
        QPixmap, "loadFromData", watch("QPixmap.loadFromData", QPixmap.loadFromData)
    )
    monkeypatch.setattr(Image, "open", watch("PIL.Image.open", Image.open))
    viewer = EvidenceViewer(db, admin, eid)
    qtbot.addWidget(viewer)
    idle(qtbot)
    assert decoded_here == []
    shown = viewer.view.item.pixmap()
    assert shown.width() * shown.height() <= 3840 * 2160
    assert (shown.width(), shown.height()) == (3718, 2230)
    assert shown.toImage().pixelColor(100, 100).name() == QColor("maroon").name()
    assert viewer.scale_note.text().startswith("Shown at 74% of 5,000 × 3,000 pixels")
    assert viewer.badge.text().startswith("✔ VERIFIED")
    assert [viewer.custody.item(r, 2).text() for r in range(2)] == [
        "Screenshot added",
        "Screenshot viewed",
    ]


def test_the_viewer_shows_page_one_of_a_pdf(qtbot, db, admin, open_report):
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    number = open_report().case.number
    with db.write(admin) as s:
        (e,) = add_evidence(s, admin, number, [EvidenceInput(out.getvalue(), "post.pdf")]).evidence
        eid = e.id
    viewer = EvidenceViewer(db, admin, eid)
    qtbot.addWidget(viewer)
    idle(qtbot)
    assert viewer.view.item is not None
    assert viewer.view.item.pixmap().size().toTuple() == (1700, 2200)
    assert viewer.scale_note.text().startswith("Page 1 of 2, rendered at 200 dpi")


def test_adding_a_file_already_on_the_case_warns_and_stores_it(qtbot, db, admin, open_report):
    number = open_report().case.number
    view = CaseWindow(db, admin, number)
    qtbot.addWidget(view)
    idle(qtbot)
    view.evidence.add_items([EvidenceInput(png(), "post.png")])
    idle(qtbot)
    assert view.evidence.warning is None
    view.evidence.add_items([EvidenceInput(png(), "post-again.png")])
    idle(qtbot)
    idle(qtbot)
    assert "post-again.png" in view.evidence.warning
    assert "already on this case" in view.evidence.warning
    assert view.evidence._notice.isVisible()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 2


def test_a_supervisors_intake_says_elsewhere_without_the_case_number(
    qtbot, db, admin, make_user, open_report, monkeypatch
):
    other = open_report().case.number
    with db.write(admin) as s:
        add_evidence(s, admin, other, [EvidenceInput(png(colour="navy"), "known.png")])
    sup = make_user("supervisor")
    said = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda self: said.append(self.text()) or QMessageBox.StandardButton.Ok
    )
    dlg = IntakeDialog(db, sup)
    qtbot.addWidget(dlg)
    idle(qtbot)
    dlg.mode_buttons["anonymous"].setChecked(True)
    qtbot.keyClicks(dlg.subject_input, "4321")
    qtbot.keyClick(dlg.subject_input, Qt.Key.Key_Return)
    dlg.subjects.item(0, 1).setText("Casey Newman")
    dlg.occurred.setDate(QDate(2026, 10, 30))
    qtbot.keyClicks(dlg.narrative, "Posted a selfie in uniform.")
    dlg.platform.setCurrentText("TikTok")
    dlg.pending.add([EvidenceInput(png(colour="navy"), "from-the-reporter.png")])
    dlg.save()
    idle(qtbot)
    assert dlg.result() == QDialog.DialogCode.Accepted
    (text,) = said
    assert "from-the-reporter.png" in text and "already stored as evidence elsewhere" in text
    assert other not in text
