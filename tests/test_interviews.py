"""Interviews of a case's subjects and witnesses (issue 22): recorded with the advisement
given (a versioned text, its SHA-256 kept), the representative present (Weingarten) and
the statement as an evidence item; amended with a reason, the earlier version kept;
read by IA whole and by command staff only as far as they may; bound to their signed
events; and a compelled (Garrity) statement never reaches the packet of a referral to
the Criminal Investigations Division."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ia_desk.audit.trail import verify
from ia_desk.cases import advisements
from ia_desk.db.models import AuditEvent, Interview
from ia_desk.errors import InputError, NotFound, PermissionDenied
from ia_desk.evidence.store import EvidenceInput
from ia_desk.services import cases as case_service
from ia_desk.services import evidence as evidence_service
from ia_desk.services import interviews
from ia_desk.services import reports as report_service
from ia_desk.terms import COMPELLED_MARK

from .conftest import PASSWORD, go_around_the_app
from .test_summary import png

CST = dt.timezone(dt.timedelta(hours=-6))


def at(hours_ago: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).astimezone(CST).isoformat()


def subject_interview(**overrides):
    given = {
        "interviewee": "subject",
        "badge": "1234",
        "started": at(3),
        "ended": at(2),
        "place": "IA office, room 2",
        "interviewers": ["admin"],
        "rep_requested": True,
        "representation": "present",
        "rep_name": "Sam Union",
        "rep_capacity": "union",
        "advisement": "garrity",
        "acknowledgement": "signed",
        "compelled": True,
        "summary": "Officer Roe said he posted the photo from his own phone.",
    }
    given.update(overrides)
    return given


def witness_interview(**overrides):
    given = {
        "interviewee": "civilian_witness",
        "name": "Dana Civilian",
        "started": at(5),
        "ended": at(4.5),
        "place": "By phone",
        "interviewers": ["admin"],
        "rep_requested": False,
        "representation": "none",
        "advisement": "voluntary",
        "acknowledgement": "not_signed",
        "compelled": False,
        "summary": "Saw the post the night it went up.",
    }
    given.update(overrides)
    return given


@pytest.fixture
def people(make_user):
    return {
        "investigator": make_user("ia_investigator"),
        "other": make_user("ia_investigator"),
        "chief": make_user("command_staff"),
        "supervisor": make_user("supervisor"),
    }


@pytest.fixture
def case(db, admin, open_report) -> str:
    number = open_report().case.number
    case_service.take_action(db, admin, number, "start")
    return number


def add_item(db, admin, number: str, colour: str, name: str) -> int:
    done = evidence_service.add_evidence(db, admin, number, [EvidenceInput(png(colour), name)])
    return done.value.evidence[0].id


def count(db) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Interview)) or 0)


def test_an_interview_keeps_the_advisement_text_given_and_an_amendment_keeps_the_earlier(
    db, admin, case
):
    item = add_item(db, admin, case, "red", "roe-statement.png")
    first = interviews.record(db, admin, case, subject_interview(statement=item)).value
    (row,) = interviews.list_interviews(db, admin, case)
    garrity = advisements.in_force("garrity", dt.date.today())
    assert row["advisement"]["version"] == garrity.version
    assert row["advisement"]["sha256"] == garrity.sha256
    assert (
        "administrative" in row["advisement"]["text"] and row["advisement"]["text_problem"] is None
    )
    assert row["mark"] == COMPELLED_MARK and row["statement"]["id"] == item
    assert row["representation"] == "present" and row["rep_name"] == "Sam Union"
    with pytest.raises(InputError, match="reason"):
        interviews.amend(db, admin, case, first, "  ", {"place": "IA office, room 3"})
    with pytest.raises(InputError, match="changes nothing"):
        interviews.amend(db, admin, case, first, "No change.", {"place": "IA office, room 2"})
    second = interviews.amend(db, admin, case, first, "Wrong room.", {"place": "Room 3"}).value
    (row,) = interviews.list_interviews(db, admin, case)
    assert row["id"] == second and row["version"] == 2 and row["amend_reason"] == "Wrong room."
    assert [(h["id"], h["place"]) for h in row["history"]] == [(first, "IA office, room 2")]
    with pytest.raises(InputError, match="amended already"):
        interviews.amend(db, admin, case, first, "Again.", {"place": "Room 4"})
    # The advisement version an interview records is the one in force on its date.
    earlier = advisements.in_force("garrity", dt.date(2026, 11, 1))
    assert earlier.version == "2026-01-01" and earlier.sha256 != garrity.sha256
    assert advisements.text_of("garrity", "2026-01-01", garrity.sha256)[0] is None


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"ended": at(4)}, "ends .* before it starts"),
        ({"started": at(-2), "ended": at(-3)}, "has not come yet"),
        ({"badge": "9999"}, "no employee with badge"),
        ({"advisement": "voluntary"}, "compelled only under a Garrity advisement"),
        ({"compelled": False}, "orders the employee to answer"),
        ({"representation": "declined", "rep_name": None, "rep_capacity": None}, "Weingarten"),
        (
            {
                "rep_requested": False,
                "representation": "none",
                "rep_name": None,
                "rep_capacity": None,
            },
            "a subject is told they may have a representative",
        ),
        ({"rep_name": None}, "name the representative"),
        ({"interviewers": ["nobody"]}, "no user 'nobody'"),
        ({"statement": 999}, "no evidence item 999"),
        ({"summary": ""}, "summary"),
        ({"advised_at": at(1)}, "the advisement is read before the questions"),
        ({"started": at(40), "ended": at(2)}, "more than 24 hours"),
    ],
)
def test_bad_input_is_named_in_the_users_words_and_nothing_is_stored(
    db, admin, case, overrides, words
):
    with pytest.raises(InputError, match=words):
        interviews.record(db, admin, case, subject_interview(**overrides))
    assert count(db) == 0


def test_who_is_interviewed_as_what(db, admin, case, open_report):
    from ia_desk.services.intake import read_report, submit_report

    from .conftest import report_doc

    # An employee of the roster who is not a subject of this case is a witness.
    other = report_doc(subjects=[{"badge": "5150", "name": "Lee Witness", "department": "police"}])
    submit_report(db, admin, read_report(json.dumps(other).encode()))
    with pytest.raises(InputError, match="not a subject of"):
        interviews.record(db, admin, case, subject_interview(badge="5150"))
    with pytest.raises(InputError, match="is a subject of"):
        interviews.record(
            db,
            admin,
            case,
            witness_interview(interviewee="witness_employee", badge="1234", name=None),
        )
    with pytest.raises(InputError, match="civilian cannot be ordered"):
        interviews.record(db, admin, case, witness_interview(advisement="garrity", compelled=True))
    witness = witness_interview(interviewee="witness_employee", badge="5150", name=None)
    interviews.record(db, admin, case, witness)
    interviews.record(db, admin, case, witness_interview())
    kinds = [i["interviewee_kind"] for i in interviews.list_interviews(db, admin, case)]
    assert kinds == ["witness_employee", "civilian_witness"]


def test_a_compelled_statement_stays_compelled(db, admin, case):
    first = interviews.record(db, admin, case, subject_interview()).value
    with pytest.raises(InputError, match="stays so"):
        interviews.amend(
            db,
            admin,
            case,
            first,
            "It was voluntary.",
            {"advisement": "voluntary", "compelled": False},
        )
    assert count(db) == 1


def test_who_may_record_and_read_and_every_refusal_is_audited(db, admin, people, case):
    inv, other, chief, sup = (people[k] for k in ("investigator", "other", "chief", "supervisor"))
    case_service.take_action(db, admin, case, "assign", assignee=inv.login)
    for who in (chief, sup):
        with pytest.raises(PermissionDenied, match="may not record or amend an interview"):
            interviews.record(db, who, case, subject_interview(interviewers=[inv.login]))
    with pytest.raises(PermissionDenied, match="assigned to another investigator"):
        interviews.record(db, other, case, subject_interview(interviewers=[other.login]))
    with pytest.raises(InputError, match="command staff"):  # a chief is not an interviewer
        interviews.record(db, inv, case, subject_interview(interviewers=[chief.login]))
    first = interviews.record(db, inv, case, subject_interview(interviewers=[inv.login]))
    assert first.value
    with pytest.raises(PermissionDenied, match="may not read a case's interviews"):
        interviews.list_interviews(db, sup, case)
    with db.read() as s:
        denied = sorted(
            (e.event_type, e.user_login)
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.outcome == "denied", AuditEvent.event_type.like("interview.%")
                )
            )
        )
    assert denied == sorted(
        [
            ("interview.record", chief.login),
            ("interview.record", sup.login),
            ("interview.record", other.login),
            ("interview.list", sup.login),
        ]
    )
    assert count(db) == 1
    # Command staff see that it took place and how, never IA's summary or who sat in.
    (seen,) = interviews.list_interviews(db, chief, case)
    assert seen["mark"] == COMPELLED_MARK and seen["interviewee"] == "John Roe (badge 1234)"
    assert "summary" not in seen and "place" not in seen and "rep_name" not in seen
    assert "posted the photo" not in json.dumps(seen) and "Sam Union" not in json.dumps(seen)
    # A case whose findings are complete takes no interview until it is returned.
    from .test_review_chain import finish

    case_service.take_action(db, inv, case, "start")
    finish(db, inv, case)
    with pytest.raises(InputError, match="findings are complete"):
        interviews.record(db, inv, case, witness_interview(interviewers=[inv.login]))


def test_an_interview_edited_around_the_app_is_named_by_audit_verify(db, admin, case):
    interviews.record(db, admin, case, subject_interview())
    with db.read() as s:
        result = verify(s)
    assert result.ok, result.problems
    # Someone with the database turns the compelled statement into a voluntary one.
    go_around_the_app(
        db, "UPDATE interview SET compelled = :no, advisement_kind = 'voluntary'", no=False
    )
    with db.read() as s:
        result = verify(s)
    assert any("interview record 1 is not what" in p for _seq, p in result.problems), result
    go_around_the_app(
        db, "UPDATE interview SET compelled = :yes, advisement_kind = 'garrity'", yes=True
    )
    with db.read() as s:
        assert verify(s).ok
        row = s.get(Interview, 1)
        columns = [c.name for c in Interview.__table__.columns if c.name != "id"]
        values = {c: getattr(row, c) for c in columns}
    # An interview put in with no event.
    go_around_the_app(
        db,
        f"INSERT INTO interview ({', '.join(columns)}) VALUES "
        f"({', '.join(':' + c for c in columns)})",
        **values,
    )
    with db.read() as s:
        result = verify(s)
    assert any("interview record 2 has no event" in p for _seq, p in result.problems), result


def test_a_compelled_statement_never_reaches_the_cid_referral_packet(
    db, admin, case, tmp_path, people
):
    compelled_item = add_item(db, admin, case, "red", "roe-garrity.png")
    voluntary_item = add_item(db, admin, case, "blue", "witness.png")
    post = add_item(db, admin, case, "green", "the-post.png")
    first = interviews.record(db, admin, case, subject_interview(statement=compelled_item)).value
    interviews.record(db, admin, case, witness_interview(statement=voluntary_item))
    out = tmp_path / "cid"
    out.mkdir()
    # No referral is recorded yet: nothing to hand over.
    with pytest.raises(InputError, match="no referral to the Criminal Investigations"):
        interviews.referral_packet(db, admin, case, out)
    case_service.immediate_step(db, admin, case, "referral_to_cid", "Sent to Det. Ashford.")
    # Asked for by its number, the compelled statement is refused and nothing is written.
    with pytest.raises(InputError, match="compelled \\(Garrity\\) statement of interview"):
        interviews.referral_packet(db, admin, case, out, [post, compelled_item])
    assert list(out.iterdir()) == []
    manifest = interviews.referral_packet(db, admin, case, out).value
    handed = {e["id"] for e in manifest["evidence"]}
    assert handed == {voluntary_item, post}
    assert manifest["excluded"]["compelled_statements"] == 1
    text = (out / f"{case}-CID-referral.json").read_text()
    assert "posted the photo" not in text and "roe-garrity" not in text
    files = {p.name for p in out.iterdir()}
    assert not any(f"E{compelled_item:04d}" in name for name in files)
    assert len(files) == 3  # two originals and the manifest
    # A statement moved to another item by an amendment: both items stay excluded.
    other_item = add_item(db, admin, case, "yellow", "roe-garrity-2.png")
    interviews.amend(db, admin, case, first, "The signed copy.", {"statement": other_item})
    again = tmp_path / "cid2"
    again.mkdir()
    handed = {e["id"] for e in interviews.referral_packet(db, admin, case, again).value["evidence"]}
    assert compelled_item not in handed and other_item not in handed
    # The same statement added again as another item is the same statement: left out.
    copy = add_item(db, admin, case, "red", "copy-of-roe.png")  # the bytes of compelled_item
    third = tmp_path / "cid3"
    third.mkdir()
    handed = {e["id"] for e in interviews.referral_packet(db, admin, case, third).value["evidence"]}
    assert copy not in handed and handed == {voluntary_item, post}
    with pytest.raises(InputError, match="a copy of the compelled"):
        interviews.referral_packet(db, admin, case, third, [copy])
    with pytest.raises(PermissionDenied):
        interviews.referral_packet(db, people["chief"], case, again)
    with db.read() as s:
        packets = s.scalars(
            select(AuditEvent).where(
                AuditEvent.event_type == "referral.packet", AuditEvent.outcome == "ok"
            )
        ).all()
        assert len(packets) == 3
        assert json.loads(packets[0].details)["excluded_compelled"] == 1
    # The evidence list marks the compelled statement wherever it shows.
    items = {e["id"]: e for e in case_service.file(db, admin, case)["evidence"]}
    assert items[compelled_item]["statement"]["mark"] == COMPELLED_MARK
    assert items[voluntary_item]["statement"]["mark"] is None and items[post]["statement"] is None


def test_both_summaries_print_what_each_audience_may_see(db, admin, case, people):
    interviews.record(db, admin, case, subject_interview())
    interviews.record(db, admin, case, witness_interview())

    def text(actor, audience: str) -> str:
        printed = report_service.summaries(db, actor, [case], audience)
        return " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(printed.pdf)).pages
        )

    ia = text(admin, "ia")
    assert "COMPELLED (GARRITY)" in ia and "ADMINISTRATIVE USE ONLY" in ia
    assert "version 2026-11-16" in ia and "posted the photo" in ia and "Sam Union" in ia
    assert "Dana Civilian" in ia
    for command in (text(admin, "command"), text(people["chief"], "command")):
        assert "COMPELLED (GARRITY)" in command and "Interview" in command
        assert "posted the photo" not in command and "Sam Union" not in command
        assert "Dana Civilian" not in command
        assert "Civilian witness: not named outside IA" in command


def test_the_command_line_adds_lists_and_amends(
    db, db_url, admin, case, people, monkeypatch, capsys, tmp_path
):
    from ia_desk.cli import main

    def run(*args: str, user: str = "admin") -> tuple[int, str, str]:
        monkeypatch.setenv("IA_DESK_USER", user)
        monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    add = [
        "case", "interview", case, "add", "--interviewee", "subject", "--badge", "1234",
        "--started", at(3), "--ended", at(2), "--place", "IA office", "--interviewer", "admin",
        "--rep-requested", "yes", "--representation", "present", "--rep-name", "Sam Union",
        "--rep-capacity", "union", "--advisement", "garrity", "--acknowledgement", "refused",
        "--compelled", "yes", "--summary", "Said he posted it.",
    ]  # fmt: skip
    code, out, _ = run(*add)
    assert code == 0 and "interview 1 recorded" in out
    code, _, err = run(*[a if a != "garrity" else "voluntary" for a in add])
    assert code == 2 and "compelled only under a Garrity advisement" in err
    assert "Traceback" not in err
    code, out, _ = run("case", "interview", case, "list")
    assert code == 0 and COMPELLED_MARK.upper() in out and "Refused to sign" in out
    code, out, _ = run(
        "case", "interview", case, "amend", "--interview", "1", "--reason", "Time was wrong.",
        "--ended", at(1.5),
    )  # fmt: skip
    assert code == 0 and "new version is interview 2" in out
    code, out, _ = run("case", "interview", case, "list")
    assert "Time was wrong." in out and "earlier version, interview 1" in out
    code, out, _ = run("case", "show", case)
    assert "interview 2: Subject employee" in out
    code, out, _ = run("case", "interview", case, "list", "--json")
    (row,) = json.loads(out)
    assert row["version"] == 2 and row["history"][0]["id"] == 1
    code, out, _ = run("case", "interview", case, "list", user=people["chief"].login)
    assert code == 0 and COMPELLED_MARK.upper() in out and "Said he posted" not in out
    code, _, err = run("case", "interview", case, "list", user=people["supervisor"].login)
    assert code == 3 and "Permission denied" in err
    code, _, err = run(*add, user=people["chief"].login)
    assert code == 3 and "may not record or amend an interview" in err
    # The referral packet from the command line leaves the compelled statement out.
    case_service.immediate_step(db, admin, case, "referral_to_cid")
    code, out, _ = run("case", "referral", case, "--out", str(tmp_path))
    assert code == 0 and "1 compelled (Garrity) statement(s) left out" in out


def test_the_case_window_lists_interviews_and_records_one(qtbot, db, admin, case, people):
    from PySide6.QtWidgets import QPushButton

    from ui.case_window.window import CaseWindow
    from ui.dialogs.interview import InterviewDialog
    from ui.worker import pending_tasks

    interviews.record(db, admin, case, subject_interview())

    def window(actor):
        win = CaseWindow(db, actor, case)
        qtbot.addWidget(win)
        qtbot.waitUntil(lambda: bool(win.data) and not pending_tasks(), timeout=10_000)
        return win

    mine = window(admin)
    tab = mine.interviews
    assert tab is not None and tab.table.rowCount() == 1
    assert COMPELLED_MARK in tab.table.item(0, 3).text()
    tab.table.selectRow(0)
    assert "posted the photo" in tab.detail.toPlainText()
    assert "ORDER TO ANSWER" in tab.detail.toPlainText()  # the exact advisement text
    button = mine.findChild(QPushButton, "interviews-record")
    assert button.isEnabled()
    dialog = InterviewDialog(db, admin, case, mine.data, tab)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.interviewer.count() > 0, timeout=10_000)
    dialog.kind.setCurrentIndex(dialog.kind.findData("civilian_witness"))
    dialog.name.setText("Dana Civilian")
    dialog.place.setText("By phone")
    dialog.advisement.setCurrentIndex(dialog.advisement.findData("voluntary"))
    dialog.representation.setCurrentIndex(dialog.representation.findData("none"))
    dialog.summary.setPlainText("Saw the post.")
    dialog.ended.setDateTime(dialog.started.dateTime().addSecs(-600))  # ends before it starts
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem.text()), timeout=10_000)
    assert "before it starts" in dialog.problem.text() and dialog.result() == 0
    assert count(db) == 1
    dialog.ended.setDateTime(dialog.started.dateTime().addSecs(1800))
    dialog.submit()
    qtbot.waitUntil(lambda: count(db) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 2, timeout=10_000)
    # Command staff: the tab lists that interviews took place, no summary; no recording.
    theirs = window(people["chief"])
    assert theirs.interviews is not None and theirs.interviews.table.rowCount() == 2
    theirs.interviews.table.selectRow(0)
    assert "posted the photo" not in theirs.interviews.detail.toPlainText()
    record = theirs.findChild(QPushButton, "interviews-record")
    assert not record.isEnabled() and "only IA records interviews" in record.toolTip()
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)
    for win in (mine, theirs):
        win.close()
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)


def test_not_found_interview_is_named(db, admin, case):
    with pytest.raises(NotFound, match="has no interview 7"):
        interviews.amend(db, admin, case, 7, "Why.", {"place": "x"})


def test_the_case_window_writes_the_cid_packet_without_the_compelled_statement(
    qtbot, db, admin, case, tmp_path, monkeypatch, message_boxes
):
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from ui.case_window.window import CaseWindow
    from ui.worker import pending_tasks

    compelled_item = add_item(db, admin, case, "red", "roe-garrity.png")
    interviews.record(db, admin, case, subject_interview(statement=compelled_item))
    win = CaseWindow(db, admin, case)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: bool(win.data) and not pending_tasks(), timeout=10_000)

    def button() -> QPushButton:
        return win.findChild(QPushButton, "action-referral-packet")

    assert not button().isEnabled()
    assert "no referral to the Criminal Investigations Division" in button().toolTip()
    case_service.immediate_step(db, admin, case, "referral_to_cid")
    win.reload()
    qtbot.waitUntil(lambda: button() is not None and button().isEnabled(), timeout=10_000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    button().click()
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10_000)
    assert "1 compelled (Garrity) statement(s) left out" in message_boxes[-1]
    names = {p.name for p in tmp_path.iterdir()}
    assert f"{case}-CID-referral.json" in names
    assert not any(f"E{compelled_item:04d}" in n for n in names)
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)
    win.close()
    qtbot.waitUntil(lambda: not pending_tasks(), timeout=10_000)


def test_the_full_export_holds_each_interview_with_its_mark(db, admin, case, tmp_path):
    from ia_desk.services import maintenance

    interviews.record(db, admin, case, subject_interview())
    out = tmp_path / "all.json"
    maintenance.export_everything(db, admin, out)
    (exported,) = [c for c in json.loads(out.read_text())["cases"] if c["case"] == case]
    (row,) = exported["interviews"]
    assert row["mark"] == COMPELLED_MARK and row["advisement"]["sha256"]
    assert "text" not in row["advisement"]
