"""Evidence in the desktop app: paste, the grid, the viewer, and intake with screenshots."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import func, select

from ia_desk.db.models import Case, Evidence
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ui.case_view import CaseWindow
from ui.evidence import EvidenceViewer
from ui.intake import IntakeDialog
from ui.worker import pending_tasks

from .conftest import go_around_the_app


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=15_000)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), "teal").save(out, "PNG")
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
        )
        eid = e.id
    viewer = EvidenceViewer(db, admin, eid)
    qtbot.addWidget(viewer)
    idle(qtbot)
    assert viewer.badge.text().startswith("✔ VERIFIED")
    assert viewer.view.item is not None
    assert viewer.custody.item(0, 2).text() == "evidence.add"
    assert viewer.custody.item(1, 2).text() == "evidence.view"
    viewer.export_to(tmp_path)
    idle(qtbot)
    assert len(list(tmp_path.glob(f"{number}-E*"))) == 2
    assert viewer.custody.rowCount() == 4  # add, view, export, view


def test_viewer_shows_a_mismatch_loudly(qtbot, db, admin, open_report):
    number = open_report().case.number
    with db.write(admin) as s:
        (e,) = add_evidence(s, admin, number, [EvidenceInput(png(), "post.png")])
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
