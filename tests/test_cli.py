"""The ia-desk command line: each command's success, its bad input, its denials."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ia_desk import __version__
from ia_desk.cli import main
from ia_desk.db.models import AuditEvent, Case

from .conftest import PASSWORD, go_around_the_app, report_doc


@pytest.fixture
def run(db, db_url, monkeypatch, capsys):
    """run(*args, user="admin", stdin=None) -> (exit code, stdout, stderr)."""

    def go(
        *args: str, user: str = "admin", password: str = PASSWORD, stdin: str | None = None
    ) -> tuple[int, str, str]:
        monkeypatch.setenv("IA_DESK_USER", user)
        monkeypatch.setenv("IA_DESK_PASSWORD", password)
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


FIRST_PASSWORD = "Given-by-the-admin-77"


@pytest.fixture
def users(run, monkeypatch):
    """Four accounts, each past its first sign-in (the administrator's password replaced
    by the user's own, as every new account must)."""
    for login, role in [
        ("inv", "ia_investigator"),
        ("sup", "supervisor"),
        ("sup2", "supervisor"),
        ("chief", "command_staff"),
    ]:
        monkeypatch.setenv("IA_DESK_NEW_PASSWORD", FIRST_PASSWORD)
        assert run("user", "add", login, "--role", role, "--name", login.title())[0] == 0
        monkeypatch.setenv("IA_DESK_NEW_PASSWORD", PASSWORD)
        assert run("user", "passwd", user=login, password=FIRST_PASSWORD)[0] == 0


def write_report(tmp_path: Path, **overrides) -> str:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_doc(**overrides)))
    return str(path)


def case_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_the_parser_is_built_without_loading_the_database_layer():
    """``ia-desk --version`` and ``--help`` stay quick: importing the command line and
    building its parser (every command's choices included) load no SQLAlchemy and none of
    the services."""
    code = (
        "import sys; from ia_desk.cli import build_parser, main; build_parser(); "
        "assert main(['--version']) == 0; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] == 'sqlalchemy' or m.startswith('ia_desk.services')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_init_creates_a_database_and_the_first_admin(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", PASSWORD)
    path = tmp_path / "fresh.db"
    assert main(["--db", str(path), "init", "--admin", "boss", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "administrator created: boss" in out and "demo data: 24 cases" in out
    assert main(["--db", str(path), "init", "--admin", "boss"]) == 0
    assert "users exist already" in capsys.readouterr().out


def test_init_with_a_weak_password_stores_nothing_usable(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", "short")
    assert main(["--db", str(tmp_path / "w.db"), "init", "--admin", "boss"]) == 2
    assert "at least 12" in capsys.readouterr().err


def test_report_add_from_file_and_stdin(run, tmp_path, db):
    code, out, _ = run("report", "add", write_report(tmp_path), "--json")
    assert code == 0 and json.loads(out)["case"] == "IA-2026-0001"
    code, out, _ = run(
        "report", "add", "-", "--json", stdin=json.dumps(report_doc(reporter={"mode": "anonymous"}))
    )
    reply = json.loads(out)
    assert code == 0 and reply["case"] == "IA-2026-0002" and len(reply["tracking_code"]) == 14
    assert case_count(db) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(report_doc(clauses=["vpd-3.21/XX"])), "clauses[0]: Unknown clause"),
        (
            json.dumps({k: v for k, v in report_doc().items() if k != "incident"}),
            "incident: must be a JSON object",
        ),
        (json.dumps(report_doc(subjects=[{"badge": 5}])), "subjects[0].badge: must be text"),
    ],
)
def test_report_add_bad_input_exits_2_and_stores_nothing(run, tmp_path, db, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, _, err = run("report", "add", str(path))
    assert code == 2 and message in err
    assert "Traceback" not in err
    assert case_count(db) == 0


def test_report_add_missing_file(run):
    code, _, err = run("report", "add", "/nonexistent/report.json")
    assert code == 2 and "no such file" in err


def test_wrong_password_exits_3(run, tmp_path):
    code, _, err = run("case", "list", password="wrong-password!")
    assert code == 3 and "login or password is wrong" in err


def test_policy_list_and_show(run):
    code, out, _ = run("policy", "list", "--policy", "city-sn", "--json")
    ids = [c["id"] for c in json.loads(out)]
    assert (
        code == 0 and "city-sn/procedure.10" in ids and all(i.startswith("city-sn/") for i in ids)
    )
    code, out, _ = run("policy", "show", "vpd-3.21/IV.G", "--json")
    shown = json.loads(out)
    assert code == 0 and {"id", "policy", "version", "title", "text"} <= shown.keys()
    assert shown["text"] == "The names of victims of sexual assault or child molestation."
    code, _, err = run("policy", "show", "vpd-3.21/IV.Z")
    assert code == 2 and "Unknown clause" in err


def test_case_list_show_and_search(run, tmp_path):
    run("report", "add", write_report(tmp_path))
    run(
        "report",
        "add",
        write_report(
            tmp_path,
            incident={"occurred_on": "2026-10-30", "narrative": "A meme about the mayor."},
            clauses=["vpd-3.21/III.L"],
        ),
    )
    code, out, _ = run("case", "list", "--json")
    assert code == 0 and [r["case"] for r in json.loads(out)] == ["IA-2026-0002", "IA-2026-0001"]
    code, out, _ = run("case", "list", "--search", "meme", "--json")
    assert [r["case"] for r in json.loads(out)] == ["IA-2026-0002"]
    code, out, _ = run("case", "list", "--search", "patrol car", "--json")
    assert [r["case"] for r in json.loads(out)] == ["IA-2026-0001"]
    code, _, err = run("case", "list", "--status", "bogus")
    assert code == 2 and "status: must be one of" in err
    code, out, _ = run("case", "show", "IA-2026-0001", "--json")
    data = json.loads(out)
    assert code == 0
    for key in (
        "case",
        "status",
        "received_at",
        "reporter",
        "subjects",
        "allegations",
        "evidence",
        "flags",
    ):
        assert key in data
    assert data["allegations"][0].keys() >= {"id", "employee", "clause", "disposition"}
    code, _, err = run("case", "show", "IA-2026-9999")
    assert code == 2 and "There is no case IA-2026-9999" in err


def test_roles_see_what_they_may(run, users, tmp_path):
    run("report", "add", write_report(tmp_path), user="sup")
    # the supervisor who submitted sees the status only
    code, out, _ = run("case", "show", "IA-2026-0001", "--json", user="sup")
    assert code == 0 and json.loads(out).keys() == {"case", "status", "received_at"}
    code, out, _ = run("case", "list", "--json", user="sup")
    assert [r["case"] for r in json.loads(out)] == ["IA-2026-0001"]
    assert json.loads(out)[0]["subjects"] == ""
    # another supervisor sees nothing of it
    code, _, err = run("case", "show", "IA-2026-0001", user="sup2")
    assert code == 3 and "Permission denied" in err
    assert json.loads(run("case", "list", "--json", user="sup2")[1]) == []
    # command staff read it, but never the confidential reporter's identity
    code, out, _ = run("case", "show", "IA-2026-0001", "--json", user="chief")
    rep = json.loads(out)["reporter"]
    assert code == 0 and rep == {"mode": "confidential", "good_faith": True, "identity": "withheld"}
    assert "Pat Quill" not in out
    # IA sees it, and that read is audited
    code, out, _ = run("case", "show", "IA-2026-0001", "--json", user="inv")
    assert json.loads(out)["reporter"]["name"] == "Pat Quill"


def test_allegation_add_and_find(run, users, tmp_path, db):
    run("report", "add", write_report(tmp_path))
    code, out, _ = run(
        "allegation",
        "add",
        "IA-2026-0001",
        "--employee",
        "1234",
        "--clause",
        "vpd-3.21/III.L",
        "--json",
        user="inv",
    )
    aid = json.loads(out)["id"]
    assert code == 0
    assert run("case", "action", "IA-2026-0001", "start", user="inv")[0] == 0
    code, _, err = run("allegation", "find", str(aid), "--disposition", "guilty", user="inv")
    assert code == 2 and "disposition: must be one of" in err
    # III.L punishes speech: sustaining it needs the scope and First Amendment screen.
    code, _, err = run(
        "allegation",
        "find",
        str(aid),
        "--disposition",
        "sustained",
        "--rationale",
        "x",
        user="inv",
    )
    assert code == 2 and "record the scope and First Amendment screen first" in err
    code, _, err = run(
        "allegation",
        "screen",
        str(aid),
        "--identified",
        "--public-concern",
        "no",
        "--balance",
        "A personal grievance.",
        user="inv",
    )
    assert code == 0, err
    code, out, _ = run(
        "allegation",
        "find",
        str(aid),
        "--disposition",
        "sustained",
        "--rationale",
        "Post seen on screenshot.",
        "--json",
        user="inv",
    )
    assert code == 0 and json.loads(out)["disposition"] == "sustained"
    code, _, err = run("allegation", "find", str(aid), "--disposition", "withdrawn", user="sup")
    assert code == 3
    code, _, err = run(
        "allegation",
        "add",
        "IA-2026-0001",
        "--employee",
        "1234",
        "--clause",
        "vpd-3.21/III.K",
        user="chief",
    )
    assert code == 3
    code, _, err = run(
        "allegation",
        "add",
        "IA-2026-0001",
        "--employee",
        "0000",
        "--clause",
        "vpd-3.21/III.K",
        user="inv",
    )
    assert code == 2 and "no employee with badge" in err
    with db.read() as s:
        denied = [
            e.event_type
            for e in s.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied"))
        ]
    assert denied == ["allegation.find", "allegation.add"]


def test_user_add_denied_for_non_admin(run, users):
    code, _, err = run("user", "add", "x1", "--role", "ia_admin", "--name", "X", user="inv")
    assert code == 3 and "Permission denied" in err


def test_export_is_admin_only_and_keeps_anonymous_reporters_anonymous(run, users, tmp_path):
    run("report", "add", write_report(tmp_path, reporter={"mode": "anonymous"}))
    out_file = tmp_path / "export.json"
    code, _, _ = run("export", str(out_file), user="inv")
    assert code == 3 and not out_file.exists()
    code, out, _ = run("export", str(out_file))
    assert code == 0 and out_file.exists()
    doc = json.loads(out_file.read_text())
    assert doc["cases"][0]["reporter"] == {"mode": "anonymous"}
    assert doc["audit_checkpoint"]


def test_audit_verify_and_checkpoint(run, users, tmp_path):
    run("report", "add", write_report(tmp_path))
    code, out, _ = run("audit", "checkpoint")
    assert code == 0
    cp = out.strip()
    code, out, _ = run("audit", "verify", "--checkpoint", cp)
    assert code == 0 and "intact" in out
    code, _, err = run("audit", "verify", "--checkpoint", "12:nothex")
    assert code == 2 and "SEQ:HASH" in err
    assert run("audit", "verify", user="inv")[0] == 3


def test_no_command_without_the_app_prints_help(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out


def test_unknown_command_exits_2(capsys):
    assert main(["frobnicate"]) == 2


def test_settings_list_and_set(run, users):
    code, out, _ = run("settings", "list", "--json")
    assert code == 0 and {r["key"]: r["value"] for r in json.loads(out)}["deadline_days"] == 90
    assert run("settings", "set", "deadline_days", "60")[0] == 0
    code, _, err = run("settings", "set", "deadline_days", "0")
    assert code == 2 and "between 1 and 3650" in err
    code, _, err = run("settings", "set", "colour", "blue")
    assert code == 2 and "unknown 'colour'" in err
    assert run("settings", "set", "deadline_days", "30", user="inv")[0] == 3
    code, out, _ = run("settings", "list", "--json")
    assert {r["key"]: r["value"] for r in json.loads(out)}["deadline_days"] == 60


def test_deadline_follows_the_setting(run, tmp_path):
    run("settings", "set", "deadline_days", "45")
    run("report", "add", write_report(tmp_path))
    code, out, _ = run("case", "show", "IA-2026-0001", "--json")
    assert json.loads(out)["deadline"] == "2026-12-17"


def _png(path: Path, colour: str = "red") -> str:
    from PIL import Image

    Image.new("RGB", (50, 40), colour).save(path, "PNG")
    return str(path)


def test_evidence_add_show_verify_export_custody(run, tmp_path):
    run("report", "add", write_report(tmp_path))
    shot = _png(tmp_path / "post.png")
    code, out, _ = run(
        "evidence",
        "add",
        "IA-2026-0001",
        shot,
        "--source-url",
        "https://facebook.example/p/9",
        "--captured-at",
        "2026-10-30T21:05:00-06:00",
        "--note",
        "Seen by reporter",
        "--json",
    )
    assert code == 0
    added = json.loads(out)[0]
    code, out, _ = run("case", "show", "IA-2026-0001", "--json")
    item = json.loads(out)["evidence"][0]
    assert {k: item[k] for k in ("id", "sha256", "file_name", "verified")} == {
        "id": added["id"],
        "sha256": added["sha256"],
        "file_name": "post.png",
        "verified": True,
    }
    code, out, _ = run("evidence", "verify", "IA-2026-0001")
    assert code == 0 and "1 of 1 item(s) verified" in out
    out_dir = tmp_path / "exported"
    out_dir.mkdir()
    code, out, _ = run("evidence", "export", str(added["id"]), "--out", str(out_dir))
    assert code == 0 and len(list(out_dir.iterdir())) == 2
    code, out, _ = run("evidence", "custody", str(added["id"]), "--json")
    assert [r["event"] for r in json.loads(out)] == [
        "evidence.add",
        "evidence.verify",
        "evidence.export",
    ]


def test_evidence_add_refuses_bad_files_with_exit_2(run, tmp_path, db):
    run("report", "add", write_report(tmp_path))
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    code, _, err = run("evidence", "add", "IA-2026-0001", str(junk))
    assert code == 2 and "junk.png: refused" in err and "Traceback" not in err
    code, _, err = run("evidence", "add", "IA-2026-0001", str(tmp_path / "missing.png"))
    assert code == 2 and "no such file" in err
    code, _, err = run(
        "evidence",
        "add",
        "IA-2026-0001",
        _png(tmp_path / "ok.png"),
        "--captured-at",
        "last tuesday",
    )
    assert code == 2 and "--captured-at" in err


def test_evidence_verify_exits_1_listing_each_mismatch(run, tmp_path, db):

    run("report", "add", write_report(tmp_path))
    run(
        "evidence",
        "add",
        "IA-2026-0001",
        _png(tmp_path / "a.png"),
        _png(tmp_path / "b.png", "blue"),
    )
    go_around_the_app(
        db,
        "UPDATE evidence_blob SET data = :d WHERE sha256 = (SELECT min(sha256) FROM evidence_blob)",
        d=b"\x00",
    )
    code, out, _ = run("evidence", "verify")
    assert code == 1 and out.count("MISMATCH") == 1 and "1 of 2 item(s) verified" in out


def test_discipline_recommend_and_record(run, users, tmp_path):
    run("report", "add", write_report(tmp_path))
    code, out, _ = run("case", "show", "IA-2026-0001", "--json")
    aid = json.loads(out)["allegations"][0]["id"]
    run("case", "action", "IA-2026-0001", "start", user="inv")
    run(
        "allegation",
        "find",
        str(aid),
        "--disposition",
        "sustained",
        "--rationale",
        "Seen.",
        user="inv",
    )
    code, out, _ = run("discipline", "recommend", "IA-2026-0001", "--employee", "1234", "--json")
    rec = json.loads(out)
    assert code == 0 and {"step", "range", "explanation", "priors", "immediate_action"} <= (
        rec.keys()
    )
    assert rec["step"] == "written_reprimand" and rec["range"] == ["training", "termination"]
    code, _, err = run(
        "discipline",
        "record",
        "IA-2026-0001",
        "--employee",
        "1234",
        "--step",
        "counseling",
        user="chief",
    )
    assert code == 2 and "say which mitigating factors justify it" in err
    code, out, _ = run(
        "discipline",
        "record",
        "IA-2026-0001",
        "--employee",
        "1234",
        "--step",
        "written_reprimand",
        "--json",
        user="chief",
    )
    assert code == 0 and json.loads(out)["within_range"] is True
    assert (
        run(
            "discipline",
            "record",
            "IA-2026-0001",
            "--employee",
            "1234",
            "--step",
            "training",
            user="inv",
        )[0]
        == 3
    )


def test_a_suspension_is_recorded_with_its_days_and_pay(run, users, tmp_path):
    run("report", "add", write_report(tmp_path, clauses=["vpd-3.21/IV.B"]))
    run("case", "action", "IA-2026-0001", "start")
    _, out, _ = run("case", "show", "IA-2026-0001", "--json")
    aid = json.loads(out)["allegations"][0]["id"]
    run("allegation", "find", str(aid), "--disposition", "sustained", "--rationale", "Seen.")
    record = ("discipline", "record", "IA-2026-0001", "--employee", "1234")
    code, _, err = run(*record, "--step", "suspension", "--days", "5", "--without-pay")
    assert code == 2 and "(Loudermill): record the notice first" in err
    who = ("IA-2026-0001", "--employee", "1234")
    code, _, err = run("discipline", "response", *who, "--on", "2026-11-02", "--waived")
    assert code == 2 and "the notice of the charges and the evidence comes first" in err
    code, out, _ = run(
        "discipline", "notice", *who, "--on", "2026-11-02", "--charges", "The post of 10 May."
    )
    assert code == 0 and "notice of the charges given on 2026-11-02" in out
    code, _, err = run(*record, "--step", "suspension", "--days", "5", "--without-pay")
    assert code == 2 and "chance to respond to the notice of 2026-11-02" in err
    code, _, err = run("discipline", "response", *who, "--on", "2026-11-01", "--waived")
    assert code == 2 and "before the notice" in err
    code, _, err = run("discipline", "response", *who, "--on", "2026-11-04")
    assert code == 2 and "response: required" in err
    code, out, _ = run(
        "discipline",
        "response",
        *who,
        "--on",
        "2026-11-04",
        "--response",
        "I regret it.",
        "--heard-by",
        "Capt. Ames",
    )
    assert code == 0 and "responded on 2026-11-04" in out
    code, _, err = run(*record, "--step", "suspension", user="chief")
    assert code == 2 and "needs its length in days" in err
    code, _, err = run(*record, "--step", "suspension", "--days", "5", user="chief")
    assert code == 2 and "with or without pay" in err
    code, _, err = run(*record, "--step", "termination", "--days", "5", "--reason", "x")
    assert code == 2 and "only a suspension has a length" in err
    code, out, _ = run(
        *record, "--step", "suspension", "--days", "5", "--without-pay", user="chief"
    )
    assert code == 0 and out.strip() == (
        "recorded: suspension, 5 days without pay (recommended suspension)"
    )
    _, out, _ = run("case", "show", "IA-2026-0001", "--json")
    (decision,) = json.loads(out)["discipline"]
    assert (decision["suspension_days"], decision["without_pay"]) == (5, True)
    assert decision["length"] == "5 days without pay"


def test_retaliation_block_exits_1_until_reviewed(run, users, tmp_path):
    run(
        "report",
        "add",
        write_report(
            tmp_path,
            reporter={"mode": "anonymous"},
            subjects=[{"badge": "2001", "name": "Pat Quill", "department": "police"}],
        ),
    )
    run("report", "add", write_report(tmp_path))  # Pat (2001) reports 1234 in good faith
    run(
        "report",
        "add",
        write_report(tmp_path, reporter={"mode": "anonymous"}, subjects=[{"badge": "2001"}]),
    )
    code, out, _ = run("case", "show", "IA-2026-0003", "--json")
    assert "retaliation_review" in json.loads(out)["flags"]
    aid = json.loads(out)["allegations"][0]["id"]
    run("case", "action", "IA-2026-0003", "start")
    find = ("allegation", "find", str(aid), "--disposition", "sustained", "--rationale", "Seen.")
    code, _, err = run(*find)  # a finding against the protected reporter waits too
    assert code == 1 and "retaliation review" in err
    code, _, err = run(
        "discipline", "record", "IA-2026-0003", "--employee", "2001", "--step", "written_reprimand"
    )
    assert code == 1 and "retaliation review" in err
    code, _, _ = run(
        "retaliation",
        "review",
        "IA-2026-0003",
        "--conclusion",
        "no_retaliation",
        "--reasoning",
        "Unrelated public post.",
    )
    assert code == 0
    assert run(*find)[0] == 0
    assert (
        run(
            "discipline",
            "record",
            "IA-2026-0003",
            "--employee",
            "2001",
            "--step",
            "written_reprimand",
        )[0]
        == 0
    )


def test_matrix_show_and_policy_reviews(run, tmp_path):
    code, out, _ = run("discipline", "matrix", "show", "--json")
    assert code == 0 and json.loads(out)["version"] == 1
    bad = tmp_path / "m.json"
    bad.write_text("{}")
    code, _, err = run("discipline", "matrix", "set", str(bad), "--reason", "test")
    assert code == 2 and "matrix.steps" in err
    code, out, _ = run("policy", "reviews", "--json")
    assert code == 0 and json.loads(out) == []


def test_case_toll_action_and_reporter_update(run, tmp_path):
    run("report", "add", write_report(tmp_path))
    assert run("case", "action", "IA-2026-0001", "start")[0] == 0
    code, _, err = run("case", "action", "IA-2026-0001", "close")
    assert code == 2 and "Cannot close" in err
    assert run("case", "toll", "IA-2026-0001", "--reason", "DA asked us to wait")[0] == 0
    code, out, _ = run("case", "show", "IA-2026-0001", "--json")
    assert "tolled" in json.loads(out)["flags"]
    code, out, _ = run("case", "untoll", "IA-2026-0001")
    assert code == 0 and "deadline resumed" in out
    assert run("case", "reporter-update", "IA-2026-0001", "--note", "Called back.")[0] == 0


def test_summary_and_stats_commands(run, users, tmp_path):
    from pypdf import PdfReader

    run("report", "add", write_report(tmp_path))
    run("report", "add", write_report(tmp_path))
    out = tmp_path / "one.pdf"
    code, msg, _ = run("summary", "IA-2026-0001", "--out", str(out), user="chief")
    assert code == 0 and "sha256" in msg
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "identity withheld" in text and "Pat Quill" not in text
    code, _, err = run(
        "summary", "IA-2026-0001", "--out", str(out), "--audience", "ia", user="chief"
    )
    assert code == 3
    code, _, _ = run(
        "summary",
        "IA-2026-0001",
        "IA-2026-0002",
        "--out",
        str(tmp_path / "two.pdf"),
        "--audience",
        "ia",
    )
    assert code == 0
    code, msg, _ = run(
        "stats",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--out",
        str(tmp_path / "st.pdf"),
        "--csv",
        str(tmp_path / "st.csv"),
    )
    assert code == 0 and (tmp_path / "st.csv").read_text().startswith("figure,key,value")
    code, _, err = run("stats", "--from", "2026-12-31", "--to", "2026-01-01")
    assert code == 2 and "ends before it starts" in err


@pytest.mark.sqlite_only
def test_backup_and_restore_commands(run, users, tmp_path):
    run("report", "add", write_report(tmp_path))
    backup = tmp_path / "backup.db"
    code, out, _ = run("backup", str(backup))
    assert code == 0 and backup.exists()
    assert run("backup", str(tmp_path / "x.db"), user="inv")[0] == 3
    run("report", "add", write_report(tmp_path))
    code, out, _ = run("restore", str(backup))
    assert code == 0 and "previous database is kept" in out
    code, out, _ = run("case", "list", "--json")
    assert [r["case"] for r in json.loads(out)] == ["IA-2026-0001"]


@pytest.mark.postgresql_only
def test_backup_of_a_server_database_points_to_pg_dump(run, users, tmp_path):
    code, _, err = run("backup", str(tmp_path / "backup.db"))
    assert code != 0 and "pg_dump" in err and not (tmp_path / "backup.db").exists()


def test_user_and_audit_commands(run, users, tmp_path, monkeypatch):
    run("report", "add", write_report(tmp_path))
    assert run("user", "disable", "inv")[0] == 0
    code, _, err = run("case", "list", user="inv")
    assert code == 3 and "disabled" in err
    assert run("user", "enable", "inv")[0] == 0
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", "Another-strong-pass-9")
    assert run("user", "reset", "inv")[0] == 0
    code, _, err = run("case", "list", user="inv", password="Another-strong-pass-9")
    assert code == 3 and "user passwd" in err  # the reset password opens nothing else
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", "Chosen-by-them-2026")
    assert run("user", "passwd", user="inv", password="Another-strong-pass-9")[0] == 0
    assert run("case", "list", user="inv", password="Chosen-by-them-2026")[0] == 0
    code, _, err = run("user", "disable", "admin")
    assert code == 2 and "your own account" in err
    code, out, _ = run("audit", "list", "--event", "user.", "--json")
    assert {r["event"] for r in json.loads(out)} >= {
        "user.disable",
        "user.enable",
        "user.reset_password",
    }
    code, out, _ = run("audit", "export", str(tmp_path / "a.csv"), "--case", "IA-2026-0001")
    assert code == 0 and "exported" in out


def test_an_unexpected_error_is_no_traceback_and_nothing_is_saved(run, tmp_path, db, monkeypatch):
    """The last line of defence: a fault in IA Desk (here after the case's rows are
    written, before the command ends) is said plainly with exit 70, its detail (which may
    hold a reporter's name) kept back unless IA_DESK_DEBUG=1, and nothing is saved."""

    def fail(*_args, **_kwargs):
        raise RuntimeError("while indexing the report of Pat Quill")

    monkeypatch.setattr("ia_desk.cases.intake.index_text", fail)
    code, out, err = run("report", "add", write_report(tmp_path))
    assert code == 70
    assert "unexpected error (RuntimeError)" in err and "nothing was saved" in err
    assert "Traceback" not in out + err and "Pat Quill" not in out + err
    assert case_count(db) == 0
    monkeypatch.setenv("IA_DESK_DEBUG", "1")
    code, _, err = run("report", "add", write_report(tmp_path))
    assert code == 70 and "Traceback" in err and "Pat Quill" in err
    assert case_count(db) == 0


def test_bad_arguments_name_the_argument_before_anything_is_opened(run, tmp_path):
    code, _, err = run("audit", "list", "--limit", "-3")
    assert code == 2 and "--limit: -3 is out of range (1 to 100000)" in err
    code, _, err = run("evidence", "custody", "twelve")
    assert code == 2 and "id: 'twelve' is not an evidence id" in err
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (8 * 1024 * 1024 + 1))
    code, _, err = run("report", "add", str(big))
    assert code == 2 and "file:" in err and "at most 8,388,608" in err


@pytest.mark.parametrize(
    "where",
    ["{tmp}", "http://evil.example/ia.db", "{tmp}/ia\x00.db", "sqlite+pysqlcipher:///" + "y" * 300],
    ids=["a folder", "an http address", "a NUL byte", "a name too long"],
)
def test_a_db_that_cannot_be_a_database_is_refused_naming_db(tmp_path, capsys, where):
    code = main(["--db", where.format(tmp=tmp_path), "case", "list"])
    err = capsys.readouterr().err
    assert code == 2 and "--db:" in err and "Traceback" not in err


def test_a_denied_listing_of_a_register_or_the_trail_is_audited(run, users, db):
    """A reader refused a list (the registers, the audit trail) is told so and the refusal
    is in the audit trail, as for every other denied command."""
    for argv in (
        ("approval", "list"),
        ("account", "log"),
        ("training", "overview"),
        ("audit", "list"),
    ):
        code, _, err = run(*argv, user="sup")
        assert code == 3 and "Permission denied" in err, argv
    with db.read() as s:
        denied = [
            e.event_type
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.outcome == "denied").order_by(AuditEvent.seq)
            )
        ]
    assert denied == ["approval.list", "post.list", "training.overview", "audit.list"]


def test_a_summary_that_cannot_be_written_is_not_recorded_as_printed(run, tmp_path, db):
    """/proc takes no files (even for root, whom the folder check lets through): the
    command says so, and the trail does not claim a summary was printed."""
    run("report", "add", write_report(tmp_path))
    code, out, err = run("summary", "IA-2026-0001", "--out", "/proc/ia-desk-summary.pdf")
    assert code == 2 and "/proc" in err and "Traceback" not in err
    with db.read() as s:
        printed = s.scalars(select(AuditEvent).where(AuditEvent.event_type.like("summary.%"))).all()
    assert printed == []


def test_note_and_task_commands(run, users, tmp_path):
    """IA writes, edits and reads notes and sets and completes tasks; outside IA every one
    of these commands is refused (exit 3); bad input names its argument (exit 2)."""
    import datetime as dt

    run("report", "add", write_report(tmp_path))
    number = "IA-2026-0001"
    code, out, _ = run("note", "add", number, "--text", "Spoke to the platform.", "--json")
    assert code == 0 and json.loads(out)["note"] == 1
    code, out, _ = run("note", "add", number, "--text", "Spoke to Meta.", "--supersedes", "1")
    assert code == 0 and "edits note 1" in out
    code, out, _ = run("note", "list", number, user="inv")
    assert code == 0 and "Spoke to Meta." in out and "edited 1 time(s)" in out
    code, out, _ = run("note", "list", number, "--json")
    assert json.loads(out)[0]["history"][0]["text"] == "Spoke to the platform."
    code, _, err = run("note", "add", number, "--text", "   ")
    assert code == 2 and "note: required" in err
    due = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    code, out, _ = run(
        "task", "add", number, "--title", "Preserve", "--assignee", "inv", "--due", due
    )
    assert code == 0 and "task 1 added: for inv" in out
    code, _, err = run("task", "add", number, "--title", "x", "--assignee", "sup", "--due", due)
    assert code == 2 and "assignee: sup is a supervisor" in err
    code, _, err = run(
        "task", "add", number, "--title", "x", "--assignee", "inv", "--due", "2020-01-01"
    )
    assert code == 2 and "due: 2020-01-01 is in the past" in err
    code, out, _ = run("task", "list", "--mine", "--open", user="inv")
    assert code == 0 and "Preserve [2 day(s) left]" in out and "1 task(s)" in out
    code, out, _ = run("task", "done", "1", "--note", "Letter sent.", user="inv")
    assert code == 0 and f"task 1 of {number} marked done" in out
    code, out, _ = run("task", "list", number, "--json")
    assert json.loads(out)[0]["done_by"] == "inv"
    code, _, err = run("task", "done", "abc")
    assert code == 2 and "id:" in err
    for user in ("sup", "chief"):
        for argv in (
            ("note", "list", number),
            ("note", "add", number, "--text", "x"),
            ("task", "list"),
            ("task", "add", number, "--title", "x", "--assignee", "inv", "--due", due),
            ("task", "done", "1"),
        ):
            code, out, err = run(*argv, user=user)
            assert code == 3 and "Spoke" not in out + err, (user, argv)
