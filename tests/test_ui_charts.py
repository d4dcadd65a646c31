"""The statistics screen's bar charts: a whole-number count axis, every category's name
readable whole, the values never cut off, "No data" when there is nothing."""

from __future__ import annotations

import calendar

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics

from ui.screens.statistics import StatisticsPage, month
from ui.widgets.bar_chart import BarChart, count_ticks

# The screen's charts as the demo data fills them, and the longest names the code has.
MONTHS = [(f"{calendar.month_abbr[m]} 2026", v) for m, v in enumerate([0, 1, 5, 9] * 3, 1)]
STEPS = [
    ("Counseling", 0),
    ("Referral for training", 3),
    ("Written reprimand", 2),
    ("Suspension", 0),
    ("Termination", 1),
]
CLAUSES = [
    (f"{policy}/{clause}", count)
    for policy, clause, count in [
        ("vpd-3.21", "III.M", 7),
        ("vpd-3.21", "III.N.3", 5),
        ("city-sn", "procedure.7", 3),
        ("city-sn", "procedure.8", 2),
        ("city-sn", "procedure.9", 2),
        ("vpd-3.21", "IV.B", 2),
        ("vpd-3.21", "IV.D", 1),
        ("vpd-3.21", "III.L", 1),
        ("vpd-3.21", "III.J", 1),
        ("vpd-3.21", "V.A", 1),
    ]
]
STATUSES = [("Received", 0), ("Assigned", 6), ("Investigating", 5), ("Findings complete", 7)]
LONG = [("Retaliation review pending with command staff " * 3, 4), ("Short", 1)]
SIZES = [(540, 190), (300, 190), (900, 300), (260, 160)]  # half of 1280x720, and squeezed


@pytest.mark.parametrize("peak", [0, 1, 2, 3, 7, 9, 10, 16, 23, 99, 101, 1234, 48_000])
def test_the_count_axis_has_whole_ticks_from_zero_to_at_least_the_peak(peak):
    ticks = count_ticks(peak)
    assert all(isinstance(t, int) for t in ticks)
    assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) >= 2
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1 and len(ticks) - 1 <= 5  # even steps, a few of them


def test_small_counts_are_ticked_one_by_one_never_by_halves():
    assert count_ticks(1) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(7) == [0, 2, 4, 6, 8]
    assert count_ticks(0) == [0, 1]  # an all-zero chart still has an axis
    assert count_ticks(7, most=2) == [0, 5, 10]


def chart(qtbot, items, size, details=None) -> BarChart:
    widget = BarChart("A chart")
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.set_items(items, details)
    return widget


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("items", [MONTHS, STEPS, CLAUSES, STATUSES, LONG])
def test_every_name_is_drawn_whole_or_said_whole_by_its_bar(qtbot, items, size):
    widget = chart(qtbot, items, size)
    laid = widget.layout_now()
    assert laid is not None
    for bar, (name, value) in zip(laid.bars, items, strict=True):
        if not bar.name_drawn_whole:  # elided or left out: the bar's tooltip says it all
            said = widget.tooltip_at(bar.slot.center())
            assert said is not None and name in said and f": {value}" in said
        for line in bar.name_lines:  # what is drawn fits where it is drawn
            assert QFontMetrics(widget.font()).horizontalAdvance(line) <= bar.name_rect.width()


@pytest.mark.parametrize("items", [MONTHS, STEPS, CLAUSES, STATUSES])
def test_at_half_a_small_screen_the_screens_names_are_all_drawn_whole(qtbot, items):
    laid = chart(qtbot, items, SIZES[0]).layout_now()
    assert laid is not None
    assert [b.name for b in laid.bars if not b.name_drawn_whole] == []


def test_long_names_put_the_bars_across_with_the_names_beside_them(qtbot):
    laid = chart(qtbot, CLAUSES, SIZES[0]).layout_now()
    assert laid is not None and laid.across
    assert not chart(qtbot, MONTHS, SIZES[0]).layout_now().across  # time runs left to right


def within(rect: QRectF, outer: QRectF) -> bool:
    return (
        outer.left() <= rect.left() <= rect.right() <= outer.right()
        and outer.top() <= rect.top() <= rect.bottom() <= outer.bottom()
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("items", [MONTHS, STEPS, CLAUSES, LONG])
def test_every_value_and_bar_lies_inside_the_chart_and_under_its_title(qtbot, items, size):
    widget = chart(qtbot, items, size)
    laid = widget.layout_now()
    assert laid is not None
    title = QFontMetrics(widget.font()).height()
    inside = QRectF(widget.rect()).adjusted(0, title, 0, 0)  # (at least its minimum height)
    for bar in laid.bars:
        assert within(bar.value_rect, inside), (bar.name, bar.value_rect)
        assert within(bar.bar, inside), (bar.name, bar.bar)  # a zero bar is an empty rect
    tallest = max(laid.bars, key=lambda b: b.value)
    assert laid.ticks[-1] >= tallest.value  # the axis reaches the tallest bar


def test_a_bar_says_its_detail_and_an_empty_chart_says_no_data(qtbot):
    widget = chart(qtbot, CLAUSES[:1], SIZES[0], ["Courtesy"])
    bar = widget.layout_now().bars[0]
    assert widget.tooltip_at(bar.slot.center()) == "vpd-3.21/III.M: 7\nCourtesy"
    empty = chart(qtbot, [], SIZES[0])
    assert empty.layout_now() is None
    empty.show()
    qtbot.waitExposed(empty)
    empty.grab()  # paints "No data" without failing


def test_the_statistics_screen_names_months_and_whole_clause_ids(qtbot, db, admin):
    assert month("2026-03") == "Mar 2026"
    page = StatisticsPage(db, admin)
    qtbot.addWidget(page)
    page._fill(
        {
            "cases": 2,
            "open_by_status": {"received": 1},
            "overdue": 0,
            "median_days_to_close": None,
            "received_per_month": {"2026-01": 2},
            "closed_per_month": {"2026-01": 0},
            "allegations_by_clause": [
                {"clause": "city-sn/procedure.4", "title": "Procedure", "count": 2}
            ],
            "allegations_by_disposition": {"pending": 2},
            "discipline_by_step": {},
        }
    )
    assert page.received.items == [("Jan 2026", 2, "")]
    assert page.clauses.items == [("city-sn/procedure.4", 2, "Procedure")]
    assert page.steps.items == []
