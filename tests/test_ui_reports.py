"""Print preview and statistics in the desktop app."""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import select

from ia_desk.db.models import AuditEvent
from ui.dialogs.print_preview import PrintPreview
from ui.screens.statistics import StatisticsPage
from ui.worker import pending_tasks


def idle(qtbot):
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)


def test_print_preview_shows_pages_and_saves_the_pdf(qtbot, db, admin, open_report, tmp_path):
    number = open_report().case.number
    preview = PrintPreview(db, admin, [number])
    qtbot.addWidget(preview)
    idle(qtbot)
    assert preview.pages_layout.count() >= 1 and preview.save_btn.isEnabled()
    assert preview.audience.currentData() == "command"
    assert preview.suggested_name() == f"{number}-summary-command.pdf"  # names its audience
    out = tmp_path / "s.pdf"
    preview.save_to(out)
    assert "Saved" in preview.info.text() and "s.pdf" in preview.info.text()  # it says so
    assert number in PdfReader(out).pages[0].extract_text()
    with db.read() as s:
        assert (
            s.scalars(select(AuditEvent).where(AuditEvent.event_type == "summary.print")).first()
            is not None
        )


def test_command_staff_preview_offers_only_the_command_audience(qtbot, db, make_user, open_report):
    number = open_report().case.number
    chief = make_user("command_staff")
    preview = PrintPreview(db, chief, [number])
    qtbot.addWidget(preview)
    idle(qtbot)
    assert [preview.audience.itemData(i) for i in range(preview.audience.count())] == ["command"]


def test_a_batch_is_offered_a_name_with_its_size_and_audience(qtbot, db, admin, open_report):
    numbers = [open_report().case.number for _ in range(2)]
    preview = PrintPreview(db, admin, numbers)
    qtbot.addWidget(preview)
    idle(qtbot)
    preview.audience.setCurrentIndex(preview.audience.findData("ia"))
    idle(qtbot)
    assert preview.suggested_name() == "summaries-2-cases-ia.pdf"


def test_statistics_screen_shows_figures_and_writes_the_annual_pdf(
    qtbot, db, admin, open_report, tmp_path
):
    open_report()
    page = StatisticsPage(db, admin)
    qtbot.addWidget(page)
    idle(qtbot)
    assert page.figures is None  # nothing computed until the page is looked at
    page.show()
    idle(qtbot)
    assert page.figures is not None and page.figures["cases"] == 1
    assert "1</b> case(s) received" in page.summary.text()
    out = tmp_path / "annual.pdf"
    page.write_pdf(out)
    idle(qtbot)
    assert "annual review statistics" in PdfReader(out).pages[0].extract_text()
