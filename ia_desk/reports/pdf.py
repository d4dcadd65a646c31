"""Shared ReportLab pieces: embedded fonts, styles, and the page furniture every printed
IA document carries (the restriction notice, case number, page N of M, printed by/when)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable

NOTICE = "RESTRICTED LAW ENFORCEMENT DATA"
NOTICE_TEXT = (
    "This data shall not be duplicated, disclosed, or discussed without the written "
    "permission of this agency. Data subject to this restriction is contained "
    "throughout this publication."
)
PAGE = LETTER
MARGIN = 0.75 * inch

_fonts_ready = False


def register_fonts() -> None:
    """Embed TrueType fonts (Bitstream Vera, shipped with ReportLab) so text is selectable
    and looks the same on every machine."""
    global _fonts_ready
    if _fonts_ready:
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in (
        ("Body", "Vera.ttf"),
        ("Body-Bold", "VeraBd.ttf"),
        ("Body-Italic", "VeraIt.ttf"),
        ("Body-BoldItalic", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        "Body", normal="Body", bold="Body-Bold", italic="Body-Italic", boldItalic="Body-BoldItalic"
    )
    _fonts_ready = True


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName="Body", fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", parent=base, fontSize=7.5, leading=9.5),
        "title": ParagraphStyle(
            "title", parent=base, fontName="Body-Bold", fontSize=17, leading=21, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName="Body-Bold",
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor("#1f3864"),
            keepWithNext=1,  # a heading never ends a page: it goes over with what it heads
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName="Body-Bold",
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "clause": ParagraphStyle(
            "clause",
            parent=base,
            fontName="Body-Italic",
            leftIndent=10,
            borderPadding=4,
            backColor=colors.HexColor("#f2f2f2"),
        ),
        "flag": ParagraphStyle(
            "flag",
            parent=base,
            fontName="Body-Bold",
            textColor=colors.white,
            backColor=colors.HexColor("#8b0000"),
            borderPadding=4,
            spaceAfter=6,
            spaceBefore=2,
        ),
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER),
    }


def esc(text: Any) -> str:
    return (
        str(text if text is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )


def full_stop(text: str) -> str:
    """A sentence piece ended with one full stop: text that already ends a sentence
    (a reason the user typed, a message that has its own) gets no second one."""
    text = text.rstrip()
    return text if text.rstrip("'\")\u201d\u2019").endswith((".", "!", "?")) else text + "."


def without_full_stop(text: str) -> str:
    """A piece to go inside a sentence: its own closing full stops taken off."""
    return text.rstrip().rstrip(".")


class CaseMarker(Flowable):
    """Invisible: tells the page furniture which case the following pages belong to."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._ia_case = self.number


def numbered_canvas(printed_by: str, printed_at: dt.datetime, audience: str) -> type:
    """A canvas class that draws the furniture on every page, with page N of M."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []
            self._ia_case = ""

        def showPage(self) -> None:  # noqa: N802
            state = dict(self.__dict__)
            state["_ia_case_page"] = self._ia_case
            self._saved.append(state)
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                self._furniture(number, total, state["_ia_case_page"])
                super().showPage()
            super().save()

        def _furniture(self, page: int, total: int, case_number: str) -> None:
            register_fonts()
            width, height = PAGE
            self.saveState()
            self.setFillColor(colors.HexColor("#8b0000"))
            self.setFont("Body-Bold", 9)
            self.drawCentredString(width / 2, height - 0.45 * inch, NOTICE)
            self.setStrokeColor(colors.HexColor("#8b0000"))
            self.line(MARGIN, height - 0.52 * inch, width - MARGIN, height - 0.52 * inch)
            self.setFillColor(colors.black)
            self.setFont("Body", 6.5)
            self.drawCentredString(width / 2, 0.62 * inch, NOTICE_TEXT)
            self.line(MARGIN, 0.75 * inch, width - MARGIN, 0.75 * inch)
            self.setFont("Body", 7.5)
            self.drawString(MARGIN, 0.48 * inch, f"Case {case_number}" if case_number else "")
            self.drawRightString(width - MARGIN, 0.48 * inch, f"Page {page} of {total}")
            self.setFont("Body", 6.5)
            self.drawString(
                MARGIN,
                0.33 * inch,
                f"Printed by {printed_by} on {printed_at:%Y-%m-%d %H:%M} UTC for {audience}",
            )
            self.restoreState()

    return NumberedCanvas


def render(story: list[Any], printed_by: str, reader: str, title: str) -> bytes:
    """Lay a story out on Letter pages with the furniture; returns the PDF's bytes."""
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.8 * inch,
        bottomMargin=0.95 * inch,
        title=title,
        author="IA Desk",
        subject=NOTICE,
    )
    doc.build(
        story,
        canvasmaker=numbered_canvas(
            printed_by, dt.datetime.now(dt.UTC).replace(tzinfo=None), reader
        ),
    )
    return out.getvalue()
