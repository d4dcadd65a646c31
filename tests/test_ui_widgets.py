"""The shared widgets: the discipline ladder wears the printed summary's colours."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ia_desk.reports import summary
from ui.widgets.ladder import Ladder

STEPS = ["counseling", "training", "written_reprimand", "suspension", "termination"]


def entry(recommended: str, low: str, high: str) -> dict:
    return {
        "recommendation": {"step": recommended, "range": [low, high]},
        "rungs": [{"step": s, "label": s.replace("_", " ").capitalize()} for s in STEPS],
        "decisions": [{"step": "training", "current": True}],
    }


def test_the_ladder_on_screen_wears_the_colours_of_the_printed_one(qtbot, monkeypatch):
    monkeypatch.setitem(summary.RUNG_COLOURS, "suspension", "#123456")  # one source
    ladder = Ladder(entry("training", "counseling", "suspension"))
    qtbot.addWidget(ladder)
    style = {s: ladder.findChild(QLabel, f"rung-{s}").styleSheet() for s in STEPS}
    for step in ("counseling", "training", "written_reprimand", "suspension"):
        assert f"background: {summary.RUNG_COLOURS[step]};" in style[step], step
    assert "#123456" in style["suspension"]
    assert "background: #c8c8c8;" in style["termination"]  # outside the range: grey
    assert "4px solid" in style["training"] and "4px solid" not in style["counseling"]
    trained = ladder.findChild(QLabel, "rung-training").text()
    assert "(recommended)" in trained and "✔" in trained


def test_the_discard_question_keeps_the_work_unless_discard_is_chosen(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QWidget

    from ui.widgets.fields import may_discard

    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[QMessageBox] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def exec_(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append(box)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert may_discard(parent, "Discard this note?", "The note is not saved.") is False
    box = asked[-1]
    assert box.windowTitle() == "Discard this note?" and box.text() == "The note is not saved."
    assert box.defaultButton().text() == "Keep editing"  # Enter never loses the work
    answer[0] = QMessageBox.StandardButton.Discard
    assert may_discard(parent, "Discard this note?", "The note is not saved.") is True
