"""The leak sweep: plant identities and marked text, then read every output path as every
role and fail on anything a reader may not see.

Outputs walked: every command of the CLI, taken from its parser (a command added later
fails this test until it is given arguments here: then it is swept too), with whatever it
prints, and every file it writes (PDFs read as text, backups and exports as bytes); every
screen of the main window, every page of the user guide and every tab of the case window,
by harvesting the text of each widget, item and tooltip they hold; each summary audience.

What is planted (tests/conftest.py's helpers make the database):
- case A: submitted by a supervisor, its confidential good-faith reporter is Quinn
  Whistle (badge W7731, 601-555-0147, qwhistle@example.org), who is named in the
  narrative, a finding's rationale, a reporter update, a toll's reason, an evidence
  note and a discipline reason; the juvenile Jamie Doe is named there too and marked.
- case D: Robin Tipster (W8842) reports in good faith, confidentially; case E then
  names Robin as a subject, so E is held for a retaliation review whose reasoning
  cites D by number.
- case C: an anonymous report; its tracking code was handed to the reporter only.
- case A also holds a sustained finding under 3.21 §IV.K, so a Brady/Giglio flag, decided
  and disclosed with texts naming Quinn: what goes to a prosecutor names no confidential
  reporter for any role, IA's included.

Rules: outside IA (supervisor, command staff) nothing of Quinn or Jamie, anywhere;
nothing of Robin in what is about D, and D's number in nothing about E. For everyone:
the anonymous reporter's tracking code never shows again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ia_desk.cases.allegations import add_allegation, record_finding
from ia_desk.cases.deadlines import record_reporter_update, toll, untoll
from ia_desk.cases.notes import add_note, add_task
from ia_desk.cases.queries import get_case
from ia_desk.cases.redaction import add_redaction
from ia_desk.cases.review import decide as decide_review
from ia_desk.cases.speech import record_screen
from ia_desk.cases.workflow import perform
from ia_desk.cli import build_parser, main
from ia_desk.db.models import BradyFlag
from ia_desk.discipline.brady import decide as brady_decide
from ia_desk.discipline.brady import disclose as brady_disclose
from ia_desk.discipline.hearings import record_notice, record_response
from ia_desk.discipline.immediate import notify_chief, raise_on_facts, record_step
from ia_desk.discipline.ladder import record
from ia_desk.evidence.store import EvidenceInput, add_evidence
from ia_desk.protection.retaliation import record_review
from ia_desk.services.allegations import record_finding_in

from .conftest import PASSWORD, report_doc
from .test_summary import png

QUINN = {
    "mode": "confidential",
    "name": "Quinn Whistle",
    "badge": "W7731",
    "phone": "601-555-0147",
    "email": "qwhistle@example.org",
    "good_faith": True,
}
ROBIN = {"mode": "confidential", "name": "Robin Tipster", "badge": "W8842", "good_faith": True}
OUTSIDE_IA_NEVER = ("Quinn", "Whistle", "W7731", "555-0147", "5550147", "qwhistle", "Jamie")
ROBIN_SECRETS = ("Robin", "Tipster", "W8842")
ROLES = ("ia_admin", "ia_investigator", "supervisor", "command_staff")
TODAY = dt.date.today()
IA_ROLES = ("ia_admin", "ia_investigator")


class Planted:
    def __init__(self) -> None:
        self.numbers: dict[str, str] = {}
        self.tracking_code = ""
        self.evidence_id = 0
        self.allegation_id = 0
        self.e_allegation_id = 0
        self.logins: dict[str, str] = {}

    def forbidden(self, role: str, scope: set[str]) -> list[str]:
        """What a reader of ``role`` may not see in an output about the cases ``scope``."""
        never = [self.tracking_code]
        if role in IA_ROLES:
            return never
        never += list(OUTSIDE_IA_NEVER)
        d, e = self.numbers["D"], self.numbers["E"]
        if d in scope and e not in scope:  # (Robin is a subject of E, rightly shown there)
            never += list(ROBIN_SECRETS)
        if e in scope and d not in scope:
            never.append(d)
        return never


@pytest.fixture
def planted(db, admin, make_user, open_report) -> Planted:
    p = Planted()
    sup = make_user("supervisor")
    inv = make_user("ia_investigator")
    chief = make_user("command_staff")
    p.logins = {
        "ia_admin": "admin",
        "ia_investigator": inv.login,
        "supervisor": sup.login,
        "command_staff": chief.login,
    }
    narrative = (
        "Quinn Whistle (badge W7731) saw Officer Roe post the patrol car at the scene and "
        "named the juvenile Jamie Doe. Reach Quinn on (601) 555-0147 or QWhistle@example.org."
    )
    a = open_report(
        actor=sup,
        reporter=QUINN,
        incident={
            "occurred_on": "2026-10-30",
            "platform": "Facebook",
            "url": "https://facebook.example/roe/posts/9",
            "narrative": narrative,
        },
        clauses=["vpd-3.21/III.M"],
    )
    p.numbers["A"] = a.case.number
    c = open_report(actor=sup, reporter={"mode": "anonymous"})
    p.numbers["C"], p.tracking_code = c.case.number, c.tracking_code
    p.numbers["D"] = open_report(reporter=ROBIN).case.number
    p.numbers["E"] = open_report(
        reporter={"mode": "anonymous"},
        subjects=[{"badge": "W8842", "name": "Robin Tipster", "department": "police"}],
        clauses=["vpd-3.21/III.J"],
    ).case.number
    number = p.numbers["A"]
    with db.write(admin) as s:
        raise_on_facts(
            s, admin, p.numbers["E"], ["safety"], f"It answers the report in {p.numbers['D']}."
        )
        p.e_allegation_id = get_case(s, p.numbers["E"]).allegations[0].id
        record_screen(
            s,
            admin,
            p.e_allegation_id,
            {
                "identified_as_employee": True,
                "public_concern": True,
                "concern_note": f"The post answers the report in {p.numbers['D']}.",
                "balance": f"Weighed against the report in {p.numbers['D']}.",
                "outcome": "department_interest_outweighs",
            },
        )
        add_redaction(s, admin, number, "Jamie Doe", "juvenile")
        perform(s, admin, number, "start")
        p.allegation_id = get_case(s, number).allegations[0].id
        record_finding(
            s,
            admin,
            p.allegation_id,
            "sustained",
            "Quinn Whistle's screenshot matches the post; Jamie Doe is named in it.",
        )
        # A Brady/Giglio flag (issue 23): a sustained finding under a credibility clause,
        # decided and disclosed with texts that name the reporter as IA's own texts may.
        # (Decided below, once the review chain has signed the findings off.)
        credible = add_allegation(s, admin, number, "1234", "vpd-3.21/IV.K")
        credible_id = credible.id
        record_finding_in(
            s, admin, credible.id, "sustained", "Quinn Whistle (W7731) saw the fake account."
        )
        record_reporter_update(s, admin, number, "Phoned 601.555.0147: told Quinn it is open.")
        toll(
            s,
            admin,
            number,
            "Whistle asked us to wait for the criminal case.",
            on=dt.date.today() - dt.timedelta(days=3),
        )
        untoll(s, admin, number)
        # A raised by its clause (III.M), E on the facts: free text of both, planted.
        notify_chief(s, admin, number, "Phoned the Chief with Whistle's address")
        record_step(s, admin, number, "take_down_order", "Roe told to remove Jamie Doe's name.")
        (item,) = add_evidence(
            s,
            admin,
            number,
            [
                EvidenceInput(
                    png("red"),
                    "capture-from-qwhistle.png",
                    note="Sent by Quinn Whistle (W7731).",
                    source_url="https://facebook.example/roe/posts/9",
                )
            ],
        ).evidence
        p.evidence_id = item.id
        # IA's notes and tasks (issue 22) name the reporter as IA's own texts may.
        first = add_note(s, admin, number, "Quinn Whistle (601-555-0147) will send more.")
        add_note(s, admin, number, "Whistle and Jamie Doe's school both called.", first.id)
        add_task(s, admin, number, "Call Quinn Whistle back", "admin", TODAY)
        # Interviews (issue 22): IA's summary names the reporter, and the reporter is
        # interviewed as a civilian witness (named, as IA may); an amendment's reason too.
        _plant_interviews(s, admin, number)
        perform(s, admin, number, "findings")
        # The IA commander's sign-off (the review chain, issue 22) names the reporter as
        # IA's own texts may; A then awaits the Chief's (given below).
        decide_review(s, admin, number, "signed_off", "Quinn Whistle's account holds up.")
        record_review(
            s,
            admin,
            p.numbers["E"],
            "no_retaliation",
            f"Unrelated to the report in {p.numbers['D']}: a citizen sent the post.",
        )
    with db.write(chief) as s:
        # The notice and the response before a termination (Loudermill), naming the
        # confidential reporter as IA's own texts may.
        record_notice(
            s, chief, number, "1234", TODAY, "The post, and Quinn Whistle's account of it."
        )
        record_response(s, chief, number, "1234", TODAY, "Whistle has it in for me.", "Capt. Ames")
        record(s, chief, number, "1234", "termination", "Whistle's account is corroborated.")
        # The Chief's sign-off ends the review chain: the findings are final.
        decide_review(s, chief, number, "signed_off", "Agreed: Whistle's account stands.")
    with db.write(admin) as s:
        flag = s.scalar(select(BradyFlag).where(BradyFlag.allegation_id == credible_id))
        brady_decide(s, admin, flag.id, "disclose", "Whistle's account is corroborated.")
        brady_disclose(
            s, admin, flag.id, TODAY, "DA", "Lt. Ames", "Quinn Whistle's statement (601-555-0147)."
        )
    return p


def _plant_interviews(s: Any, admin: Any, number: str) -> None:
    from ia_desk.cases.interviews import amend_interview, record_interview

    now = dt.datetime.now(dt.UTC)
    common = {
        "started": (now - dt.timedelta(hours=3)).isoformat(),
        "ended": (now - dt.timedelta(hours=2)).isoformat(),
        "interviewers": ["admin"],
    }
    record_interview(
        s,
        admin,
        number,
        {
            **common,
            "interviewee": "subject",
            "badge": "1234",
            "place": "IA office",
            "rep_requested": True,
            "representation": "present",
            "rep_name": "Sam Union",
            "rep_capacity": "union",
            "advisement": "garrity",
            "acknowledgement": "signed",
            "compelled": True,
            "summary": "Roe says Quinn Whistle (601-555-0147) took the photo of Jamie Doe.",
        },
    )
    witness = record_interview(
        s,
        admin,
        number,
        {
            **common,
            "interviewee": "civilian_witness",
            "name": "Quinn Whistle",
            "place": "Whistle's kitchen",
            "rep_requested": False,
            "representation": "none",
            "advisement": "voluntary",
            "acknowledgement": "refused",
            "compelled": False,
            "summary": "Whistle saw the post go up.",
        },
    )
    amend_interview(s, admin, number, witness.id, "Whistle gave the time.", {"place": "W7731's"})


# -- the command line, every command of its parser -------------------------------------


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += leaf_commands(sub, (*prefix, name))
    return out if out or not prefix else [" ".join(prefix)]


def earlier_version(out: Path) -> Path:
    """A file of an earlier version of 3.21, as an administrator would add it."""
    from ia_desk.policy.catalogue import shipped_files

    data = next(f.data for f in shipped_files() if f.data["policy"] == "vpd-3.21")
    data = {**data, "version": "2019-05-01", "effective_from": "2019-05-01"}
    path = out / "vpd-3.21@2019-05-01.json"
    path.write_text(json.dumps(data))
    return path


def command_table(p: Planted, out: Path) -> dict[str, list[list[str]]]:
    """Arguments for every command: reads and refusals of each kind, about the planted
    cases (writes that would change what later commands read run on copies of things)."""
    a, c, d, e = (p.numbers[k] for k in "ACDE")
    report = out / "report.json"
    report.write_text(json.dumps(report_doc(reporter={"mode": "anonymous"})))
    matrix = out / "matrix.json"
    shot = out / "shot.png"
    shot.write_bytes(png("blue"))
    return {
        "init": [["init", "--admin", "someone"]],
        "user add": [["user", "add", "newbie", "--role", "supervisor", "--name", "New Be"]],
        "user passwd": [["user", "passwd"]],
        "user list": [["user", "list", "--json"], ["user", "list"]],
        "user reset": [["user", "reset", "newbie"]],
        "user disable": [["user", "disable", "newbie"]],
        "user enable": [["user", "enable", "newbie"]],
        "backup": [["backup", str(out / "b{n}.db")]],
        "restore": [["restore", str(out / "missing-backup.db")]],
        "policy list": [["policy", "list", "--policy", "vpd-3.21"]],
        "policy show": [["policy", "show", "vpd-3.21/III.M", "--json"]],
        "policy suggest": [["policy", "suggest", "patrol car at a crime scene", "--json"]],
        "policy annual-review": [
            [
                "policy",
                "annual-review",
                "--policy",
                "city-sn",
                "--on",
                "2026-11-01",
                "--reviewers",
                "Chief",
                "--outcome",
                "Kept.",
            ]
        ],
        "policy reviews": [["policy", "reviews", "--all", "--json"]],
        "policy add-version": [
            ["policy", "add-version", str(earlier_version(out))],
            ["policy", "add-version", str(out / "no-such-version.json")],
        ],
        "report add": [["report", "add", str(report), "--json"]],
        "home": [["home"], ["home", "--json"]],
        "case list": [
            ["case", "list", "--json"],
            ["case", "list"],
            ["case", "list", "--search", "Quinn", "--json"],
            ["case", "list", "--search", "Jamie Doe", "--json"],
            ["case", "list", "--search", "qwhistle", "--json"],
        ],
        "case show": [["case", "show", n, *j] for n in (a, c, d, e) for j in ([], ["--json"])],
        "case action": [["case", "action", a, "close"], ["case", "action", e, "start"]],
        "case review": [
            ["case", "review", a, "sign-off", "--comments", "Agreed: Whistle's account holds."],
            ["case", "review", e, "return", "--comments", "Ask Quinn again."],
        ],
        "case toll": [["case", "toll", a, "--reason", "x"]],
        "case untoll": [["case", "untoll", e]],
        "case immediate": [
            ["case", "immediate", a, "--raise", "zzz", "--grounds", "safety"],
            ["case", "immediate", a, "--notified", "by phone"],
            ["case", "immediate", a, "--action", "referral_to_cid"],
            ["case", "immediate", c, "--action", "relief_from_duty"],
            ["case", "immediate", a],
        ],
        "case reporter-update": [["case", "reporter-update", d, "--note", "Told them."]],
        "case redact": [["case", "redact", d, "--text", "zzz", "--kind", "other"]],
        "case interview": [
            ["case", "interview", a, "list"],
            ["case", "interview", a, "list", "--json"],
            ["case", "interview", e, "list"],
            ["case", "interview", a, "add", "--interviewee", "civilian_witness"]
            + ["--name", "Quinn Whistle", "--summary", "Whistle again."],
            ["case", "interview", a, "amend", "--interview", "3", "--reason", "Whistle."]
            + ["--place", "x"],
        ],
        "case referral": [["case", "referral", a, "--out", str(out)], ["case", "referral", e]]
        + [["case", "referral", e, "--out", str(out)]],
        "note add": [["note", "add", a, "--text", "A note."], ["note", "add", c, "--text", "x"]],
        "note list": [["note", "list", n, *j] for n in (a, e) for j in ([], ["--json"])],
        "task add": [
            ["task", "add", a, "--title", "Call back", "--assignee", "admin"]
            + ["--due", TODAY.isoformat()]
        ],
        "task list": [
            ["task", "list"],
            ["task", "list", a, "--json"],
            ["task", "list", "--mine", "--open", "--json"],
            ["task", "list", "--overdue"],
        ],
        "task done": [["task", "done", "1", "--note", "Called Whistle back."]],
        "stats": [
            [
                "stats",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--json",
                "--out",
                str(out / "stats{n}.pdf"),
                "--csv",
                str(out / "stats{n}.csv"),
            ]
        ],
        "demo": [["demo", "--cases", "2"]],
        "summary": [
            ["summary", n, "--out", str(out / "s{n}.pdf"), "--audience", aud]
            for n in (a, d, e)
            for aud in ("command", "ia")
        ]
        + [["summary", a, d, e, "--out", str(out / "batch{n}.pdf")]],
        "discipline recommend": [["discipline", "recommend", a, "--employee", "1234", "--json"]],
        "discipline record": [
            ["discipline", "record", e, "--employee", "W8842", "--step", "counseling"],
            ["discipline", "record", a, "--employee", "1234", "--step", "training"],
        ],
        "discipline notice": [
            ["discipline", "notice", a, "--employee", "1234", "--on", "2026-11-02"]
            + ["--charges", "The post of 30 October."]
        ],
        "discipline response": [
            ["discipline", "response", a, "--employee", "1234", "--on", "2026-11-03", "--waived"]
        ],
        "discipline appeal": [
            ["discipline", "appeal", a, "--employee", "1234", "--kind", "grievance"]
            + ["--filed", "2026-11-04"]
        ],
        "discipline appeal-outcome": [
            ["discipline", "appeal-outcome", a, "--employee", "1234", "--outcome", "upheld"]
            + ["--decided", "2026-11-05", "--note", "Upheld."]
        ],
        "warning list": [["warning", "list", "--json"], ["warning", "list", "--open"]],
        "warning ack": [["warning", "ack", "1", "--note", "Looked at it."]],
        "brady list": [["brady", "list", "--json"], ["brady", "list", "--status", "disclose"]],
        "brady show": [["brady", "show", "1", "--json"], ["brady", "show", "1"]],
        "brady decide": [["brady", "decide", "1", "--decision", "disclose", "--reason", "x"]],
        "brady disclose": [
            ["brady", "disclose", "1", "--on", TODAY.isoformat(), "--office", "DA"]
            + ["--by", "Lt. Ames", "--what", "Quinn Whistle, W7731, again."]
        ],
        "discipline matrix show": [["discipline", "matrix", "show", "--json"]],
        "discipline matrix set": [["discipline", "matrix", "set", str(matrix), "--reason", "r"]],
        "retaliation review": [
            ["retaliation", "review", e, "--conclusion", "inconclusive", "--reasoning", "x"]
        ],
        # (A's, not D's: revoking Robin's would let IA allege against Robin on D.)
        "protection revoke": [
            ["protection", "revoke", a, "--reason", "We are only asking."],
            ["protection", "revoke", c, "--reason", "An anonymous one."],
        ],
        "allegation add": [
            ["allegation", "add", d, "--employee", "W8842", "--clause", "vpd-3.21/III.K"],
            ["allegation", "add", e, "--employee", "1234", "--clause", "vpd-3.21/III.L"],
        ],
        "allegation find": [
            [
                "allegation",
                "find",
                str(p.allegation_id),
                "--disposition",
                "exonerated",
                "--rationale",
                "x",
            ]
        ],
        "allegation screen": [
            ["allegation", "screen", str(p.allegation_id), "--public-concern", "no"],
            [
                "allegation",
                "screen",
                str(p.e_allegation_id),
                "--public-concern",
                "no",
                "--balance",
                "A grievance.",
            ],
        ],
        "evidence add": [["evidence", "add", a, str(shot)], ["evidence", "add", c, str(shot)]],
        "evidence verify": [["evidence", "verify", "--json"], ["evidence", "verify", a]],
        "evidence export": [["evidence", "export", str(p.evidence_id), "--out", str(out)]],
        "evidence custody": [["evidence", "custody", str(p.evidence_id), "--json"]],
        "approval add": [
            ["approval", "add", "--employee", "1234", "--items", "uniform", "--purpose", "x"]
        ],
        "approval decide": [
            ["approval", "decide", "1", "--decision", "approved", "--by", "Chief Burns"]
            + ["--as", "chief", "--on", "2026-10-01"]
        ],
        "approval link": [["approval", "link", a, "1", "--depicts", "uniform,marked_unit"]],
        "approval list": [["approval", "list", "--json"], ["approval", "list"]],
        "approval remove": [
            ["approval", "remove", "1", "--by", "Chief Burns", "--as", "chief"]
            + ["--reason", "Whistle complained."],
            ["approval", "remove", "1", "--done"],
        ],
        "account add": [["account", "add", "--platform", "X", "--handle", "@vpd"]],
        "account list": [["account", "list", "--json"], ["account", "list"]],
        "account post": [
            ["account", "post", "1", "--text", "Hello", "--by", "1234"]
            + ["--at", "2026-11-02T09:00-06:00", "--approved-by", "Lt. Ames"]
            + ["--approved-at", "2026-11-02T10:00-06:00"]
        ],
        "account log": [["account", "log", "--json"], ["account", "log"]],
        "training record": [
            [
                "training",
                "record",
                "--employee",
                "1234",
                "--on",
                "2026-11-01",
                "--course",
                "SM 101",
                "--trainer",
                "Sgt. Lee",
                "--answers",
                a,
            ]
        ],
        "training hired": [["training", "hired", "--employee", "1234", "--on", "2026-01-05"]],
        "training overview": [["training", "overview", "--json"], ["training", "overview"]],
        "settings list": [["settings", "list", "--json"]],
        "settings set": [["settings", "set", "reporter_update_days", "30"]],
        "export": [["export", str(out / "all{n}.json")]],
        "db upgrade": [["db", "upgrade"]],
        "db retire-passphrase": [["db", "retire-passphrase"]],
        "db recovery-code": [["db", "recovery-code"]],
        "db change-ia-key": [["db", "change-ia-key"]],
        "db ia-key": [["db", "ia-key"], ["db", "ia-key", "--json"]],
        "recover": [["recover", "--admin", "admin"]],
        "db migrate-to": [["db", "migrate-to", "postgresql+psycopg://nobody@127.0.0.1:1/x"]],
        "db connect": [["db", "connect", "--host", "127.0.0.1", "--port", "1"]],
        "db disconnect": [["db", "disconnect"]],
        "audit verify": [["audit", "verify"]],
        "audit outside": [["audit", "outside"], ["audit", "outside", "--json"]],
        "audit checkpoint": [["audit", "checkpoint"]],
        "audit list": [["audit", "list", "--json"], ["audit", "list", "--case", a]],
        "audit export": [["audit", "export", str(out / "audit{n}.csv")]],
    }


def file_text(path: Path) -> str:
    raw = path.read_bytes()
    text = raw.decode("utf-8", "ignore")
    if raw[:5] == b"%PDF-":
        from pypdf import PdfReader

        text += " ".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)
    return text


def scope_of(argv: list[str], numbers: dict[str, str]) -> set[str]:
    return {n for n in numbers.values() if n in argv}


def find_leaks(text: str, forbidden: list[str]) -> list[str]:
    folded = re.sub(r"[\s()\-.]+", "", text).lower()
    return [
        f
        for f in forbidden
        if f.lower() in text.lower() or re.sub(r"[\s()\-.]+", "", f).lower() in folded
    ]


def test_no_command_tells_a_reader_what_their_role_may_not_see(
    db, db_url, planted, tmp_path, monkeypatch, capsys
):
    parser = build_parser()
    out = tmp_path / "out"
    out.mkdir()
    (out / "matrix.json").write_text(json.dumps({"steps": "not a matrix"}))
    table = command_table(planted, out)
    assert sorted(table) == sorted(leaf_commands(parser)), (
        "every command of the parser is swept: give a new command its arguments here"
    )
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", "A-new-one-for-newbie-1")
    monkeypatch.setenv("IA_DESK_DB_PASSWORD", "not-a-real-one")
    leaks: list[str] = []
    runs = 0
    # Reads first; the commands that change the database's shape for everyone last.
    last = (
        "restore",
        "db migrate-to",
        "db connect",
        "db disconnect",
        "init",
        "demo",
        "user passwd",
    )
    order = [k for k in table if k not in last] + list(last)
    for role in ROLES:
        monkeypatch.setenv("IA_DESK_USER", planted.logins[role])
        monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
        for command in order:
            for argv in table[command]:
                runs += 1
                argv = [x.replace("{n}", str(runs)) for x in argv]
                before = set(out.iterdir())
                main(["--db", db_url, *argv])
                printed = capsys.readouterr()
                assert "Traceback" not in printed.err, (command, printed.err)
                text = printed.out + printed.err
                for made in set(out.iterdir()) - before:
                    if made.is_file():
                        text += file_text(made)
                forbidden = planted.forbidden(role, scope_of(argv, planted.numbers))
                if argv[0] == "brady":  # what goes to a prosecutor: for every role
                    forbidden += list(OUTSIDE_IA_NEVER)
                for leak in find_leaks(text, forbidden):
                    leaks.append(f"{role}: ia-desk {' '.join(argv)} shows {leak!r}")
    assert runs >= 4 * len(table)
    assert leaks == [], "\n".join(leaks)


# -- the desktop: every screen, every tab ----------------------------------------------


def harvest(widget: Any) -> str:
    """Every text a widget tree holds: labels, buttons, fields, browsers, table, list and
    tree items, combo entries, item models behind views, tooltips and window titles."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
        QWidget,
    )

    parts: list[str] = []
    for w in [widget, *widget.findChildren(QWidget)]:
        parts += [w.toolTip(), w.windowTitle()]
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit)):
            parts.append(w.text())
        elif isinstance(w, (QTextEdit, QPlainTextEdit)):
            parts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            parts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            parts += list(model_texts(w.model()))
    return "\n".join(p for p in parts if p)


def model_texts(model: Any, parent: Any = None) -> Iterator[str]:
    from PySide6.QtCore import QModelIndex, Qt

    parent = parent or QModelIndex()
    try:
        columns = max(model.columnCount(parent), 1)
    except TypeError:  # a list model: one column, its count not public
        columns = 1
    for r in range(model.rowCount(parent)):
        for c in range(columns):
            index = model.index(r, c, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value:
                    yield str(value)
            if c == 0 and model.rowCount(index) > 0:  # a tree's children
                yield from model_texts(model, index)


def settle(qtbot: Any) -> None:
    from ui.worker import pending_tasks

    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=20_000)


def test_no_screen_shows_a_reader_what_their_role_may_not_see(
    qtbot, db, planted, monkeypatch, tmp_path
):
    from PySide6.QtWidgets import QMessageBox

    from ia_desk.accounts.users import unlock_actor
    from ui.case_window.window import CaseWindow
    from ui.evidence_viewer import EvidenceViewer
    from ui.main_window import MainWindow

    said: list[str] = []  # what message boxes would have told the user: an output too

    def box(*args: Any, **_kw: Any) -> Any:
        said.append(" ".join(str(a) for a in args[1:] if isinstance(a, str)))
        return QMessageBox.StandardButton.No

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, box)
    leaks: list[str] = []
    for role in ROLES:
        said.clear()
        with db.read() as s:
            actor = unlock_actor(s, planted.logins[role], PASSWORD)
        window = MainWindow(db, actor)
        qtbot.addWidget(window)
        window.show()
        for row, title in enumerate(window.titles):
            window.nav.setCurrentRow(row)
            settle(qtbot)
            page = window.page(title)
            if title == "Home":  # each count opens its list: swept as it shows
                for key, button in page.buttons.items():
                    button.click()
                    settle(qtbot)
                    for leak in find_leaks(harvest(window.cases), planted.forbidden(role, set())):
                        leaks.append(f"{role}: the list of the {key} count shows {leak!r}")
                window.cases.clear_preset()
                window.nav.setCurrentRow(row)
                settle(qtbot)
            if title == "Cases":
                for words in ("Quinn", "Jamie", "qwhistle", ""):
                    page.search.setText(words)
                    page.apply()
                    settle(qtbot)
                    found = page.model.rowCount()
                    if words and role not in IA_ROLES and found:
                        leaks.append(f"{role}: Cases searching {words!r} finds {found} case(s)")
                    shown = harvest(page).replace(words, "") if words else harvest(page)
                    for leak in find_leaks(shown, planted.forbidden(role, set())):
                        leaks.append(f"{role}: Cases searching {words!r} shows {leak!r}")
                    exported = tmp_path / f"list-{role}-{len(words)}.csv"
                    page.export_csv(str(exported))  # the CSV of the list as filtered
                    settle(qtbot)
                    text = exported.read_text(encoding="utf-8-sig")
                    if words:
                        text = text.replace(words, "")
                    for leak in find_leaks(text, planted.forbidden(role, set())):
                        leaks.append(f"{role}: the CSV of {words!r} holds {leak!r}")
            if title == "My tasks":  # IA's tasks on every case: each list it offers, done too
                page.include_done.setChecked(True)
                settle(qtbot)
                for key, button in page.scope_buttons.items():
                    button.setChecked(True)
                    settle(qtbot)
                    for leak in find_leaks(harvest(page), planted.forbidden(role, set())):
                        leaks.append(f"{role}: My tasks ({key}) shows {leak!r}")
                if role == "ia_admin":  # the planted task is read: the sweep is not empty
                    assert any(t["title"] == "Call Quinn Whistle back" for t in page.tasks)
            if title == "Employees":  # each history, its Brady/Giglio flags, and the review
                from ui.dialogs.brady import BradyReviewDialog

                never = planted.forbidden(role, set()) + list(OUTSIDE_IA_NEVER)
                for r in range(page.table.rowCount()):
                    page.table.setCurrentCell(r, 0)
                    settle(qtbot)
                    for leak in find_leaks(page.brady.text(), never):
                        leaks.append(f"{role}: an employee's Brady/Giglio flags show {leak!r}")
                if page.brady_review.isVisibleTo(page):
                    review = BradyReviewDialog(db, actor, page)
                    review.refresh()
                    settle(qtbot)
                    assert review.table.rowCount() == 1, role  # the planted flag is read
                    for r in range(review.table.rowCount()):
                        review.table.setCurrentCell(r, 0)
                        for leak in find_leaks(harvest(review), never):
                            leaks.append(f"{role}: the Brady/Giglio review shows {leak!r}")
                    review.deleteLater()
            for leak in find_leaks(harvest(page), planted.forbidden(role, set())):
                leaks.append(f"{role}: the {title} screen shows {leak!r}")
        if role not in IA_ROLES:  # task titles are IA's: the screen is not offered at all
            assert "My tasks" not in window.titles, role
        window.show_guide()  # Help > User guide: every page of the role's guide
        guide = window.guide
        assert guide is not None
        for row in range(guide.pages.count()):
            guide.pages.setCurrentRow(row)
            for leak in find_leaks(harvest(guide), planted.forbidden(role, set())):
                leaks.append(f"{role}: the guide's page {guide.titles[row]!r} shows {leak!r}")
        for key, number in planted.numbers.items():
            view = CaseWindow(db, actor, number)
            qtbot.addWidget(view)
            settle(qtbot)
            for i in range(view.tabs.count()):
                view.tabs.setCurrentIndex(i)
                if view.tabs.tabText(i).startswith("Notes"):  # read when looked at
                    view.show()
                    settle(qtbot)
                    if key == "A":  # the planted notes and task: the sweep reads them
                        assert view.notes is not None and view.notes.notes.rowCount() == 1
                        assert view.notes.tasks.rowCount() >= 1
                        view.notes.notes.selectRow(0)  # the note with its earlier text
                if view.tabs.tabText(i).startswith("Interviews") and view.interviews:
                    table = view.interviews.table
                    if key == "A":  # the planted interviews: the sweep reads them
                        assert table.rowCount() == 2, role
                    for r in range(table.rowCount()):
                        table.selectRow(r)
                        text = harvest(view)
                        for leak in find_leaks(text, planted.forbidden(role, {number})):
                            leaks.append(f"{role}: case {key} interviews show {leak!r}")
                if view.tabs.tabText(i).startswith("Allegations"):
                    for r in range(view.allegations.rowCount()):
                        view.allegations.setCurrentCell(r, 0)
                        text = harvest(view)
                        for leak in find_leaks(text, planted.forbidden(role, {number})):
                            leaks.append(f"{role}: case {key} allegations show {leak!r}")
            for leak in find_leaks(harvest(view), planted.forbidden(role, {number})):
                leaks.append(f"{role}: the window of case {key} shows {leak!r}")
            if "retaliation_review" in view.offered and "retaliation" in view.data:
                from ui.dialogs.retaliation_review import RetaliationReviewDialog

                triggers = [t["text"] for t in view.data["retaliation"]["triggers"]]
                review = RetaliationReviewDialog(db, actor, number, triggers, view)
                for leak in find_leaks(harvest(review), planted.forbidden(role, {number})):
                    leaks.append(f"{role}: the review dialog of case {key} shows {leak!r}")
                review.deleteLater()
            view.close()
        if role != "supervisor":
            viewer = EvidenceViewer(db, actor, planted.evidence_id)
            qtbot.addWidget(viewer)
            settle(qtbot)
            for leak in find_leaks(
                harvest(viewer), planted.forbidden(role, {planted.numbers["A"]})
            ):
                leaks.append(f"{role}: the evidence viewer shows {leak!r}")
            viewer.close()
        window.close()
        for leak in find_leaks("\n".join(said), planted.forbidden(role, set())):
            leaks.append(f"{role}: a message box says {leak!r}")
    assert leaks == [], "\n".join(leaks)


def test_each_summary_audience_holds_what_its_reader_may_see(db, admin, planted, make_user):
    from ia_desk.reports.summary import batch, summary

    from .test_summary import flat, pdf_text

    chief = make_user("command_staff")
    for actor, audience, role in (
        (admin, "ia", "ia_admin"),
        (admin, "command", "command_staff"),  # IA printing for command staff
        (chief, "command", "command_staff"),
    ):
        for number in planted.numbers.values():
            with db.write(actor) as s:
                text = flat(pdf_text(summary(s, actor, number, audience).pdf))
            assert find_leaks(text, planted.forbidden(role, {number})) == [], (number, audience)
        with db.write(actor) as s:
            text = flat(pdf_text(batch(s, actor, list(planted.numbers.values()), audience).pdf))
        assert find_leaks(text, planted.forbidden(role, set())) == [], audience
    with db.write(admin) as s:  # and IA's own summary does hold the identity
        text = flat(pdf_text(summary(s, admin, planted.numbers["A"], "ia").pdf))
    assert "Quinn Whistle" in text and "Jamie Doe" in text


# -- the database's own secrets: never in a message or a log ----------------------------


def test_no_command_or_log_shows_the_database_secrets(tmp_path, monkeypatch, capsys, caplog):
    """Own passwords' every output path (setup, sign-in refused and accepted, recovery
    refused and accepted, retiring the passphrase, a damaged key file): the database's
    key, its audit key, a password and the recovery code appear in no message and no
    log line; the recovery code only in the one place that shows it, once."""
    import logging

    import keyring
    import keyring.backends.fail

    from ia_desk.security import keyfile

    keyring.set_keyring(keyring.backends.fail.Keyring())  # nothing cached: sign-in opens
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "own.db"
    new_password = "Out-of-the-safe-2026"
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", PASSWORD)
    assert main(["--db", str(path), "init", "--admin", "admin"]) == 0
    shown = capsys.readouterr()
    match = re.search(r"\n\s+([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)\n", shown.err)
    assert match is not None
    code = match.group(1)
    secrets = keyfile.KeyFile.load(keyfile.path_for(path)).open_as_user("admin", PASSWORD)
    printed: list[str] = []
    runs = [
        ({"IA_DESK_USER": "admin", "IA_DESK_PASSWORD": "a wrong one"}, ["user", "list"]),
        ({"IA_DESK_USER": "nobody", "IA_DESK_PASSWORD": PASSWORD}, ["user", "list"]),
        ({"IA_DESK_USER": "admin", "IA_DESK_PASSWORD": PASSWORD}, ["user", "list"]),
        ({"IA_DESK_USER": "admin", "IA_DESK_PASSWORD": PASSWORD}, ["db", "retire-passphrase"]),
        ({"IA_DESK_RECOVERY_CODE": code[:-1] + "Z"}, ["recover", "--admin", "admin"]),
        (
            {"IA_DESK_RECOVERY_CODE": code, "IA_DESK_NEW_PASSWORD": new_password},
            ["recover", "--admin", "admin"],
        ),
        ({"IA_DESK_USER": "admin", "IA_DESK_PASSWORD": new_password}, ["user", "passwd"]),
        ({"IA_DESK_USER": "admin", "IA_DESK_PASSWORD": PASSWORD}, ["db", "change-ia-key"]),
    ]
    for env, argv in runs:
        with monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            main(["--db", str(path), *argv])
        out = capsys.readouterr()
        assert "Traceback" not in out.err, (argv, out.err)
        printed.append(out.out + out.err)
    assert "did not open" in printed[0] and printed[0] == printed[1]  # one answer
    assert "ia_admin" in printed[2]
    assert "no old database passphrase" in printed[3]
    assert "recovery code does not open" in printed[4]
    assert "has a new password" in printed[5] and "password of admin changed" in printed[6]
    # Changing IA's key shows its new recovery code once, there and nowhere else.
    changed = re.findall(r"\n\s+([0-9A-Z]{4}(?:-[0-9A-Z]{1,4})+)\n", printed[7])
    assert len(changed) == 1 and "IA'S KEY IS CHANGED" in printed[7]
    assert printed[7].count(changed[0]) == 1
    later_code = changed[0]
    printed[7] = printed[7].replace(later_code, "")
    kf_path = keyfile.path_for(path)
    kf_path.write_text(kf_path.read_text()[:-20])  # damaged
    with monkeypatch.context() as m:
        m.setenv("IA_DESK_USER", "admin")
        m.setenv("IA_DESK_PASSWORD", PASSWORD)
        main(["--db", str(path), "user", "list"])
    out = capsys.readouterr()
    assert "damaged" in out.err and "Traceback" not in out.err
    printed.append(out.out + out.err)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    forbidden = [
        secrets.cipher_key.hex(),
        secrets.cipher_key.hex().upper(),
        secrets.audit_key.hex(),
        base64_of(secrets.audit_key),
        PASSWORD,
        new_password,
        code,
        code.replace("-", ""),
        later_code,
        later_code.replace("-", ""),
    ]
    for text in [*printed, logged, shown.out]:
        assert [f for f in forbidden if f in text] == []
    assert shown.err.count(code) == 1  # shown once, where setup shows it


def base64_of(value: bytes) -> str:
    import base64

    return base64.b64encode(value).decode()


def test_the_interrupted_move_and_the_second_sign_in_window_show_no_secret(
    qtbot, db_path, monkeypatch, capsys, caplog
):
    """Two output paths of the attack review: the refusal of a start that finds an
    interrupted move to own passwords (a mistyped passphrase), and the sign-in window
    that comes back after a refused password. Neither shows the passphrase, a password
    or the key."""
    import logging

    import keyring
    import keyring.backends.fail

    import ui.app
    from ia_desk.security import keyfile
    from ia_desk.services import accounts
    from ia_desk.startup import open_database, own_passwords
    from tests.test_own_password import OLD_PASSPHRASE, old_passphrase_database

    keyring.set_keyring(keyring.backends.fail.Keyring())
    caplog.set_level(logging.DEBUG)
    old_passphrase_database(db_path, monkeypatch)

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(own_passwords, "_rekey", killed)
        db = open_database(str(db_path))
        with pytest.raises(KeyboardInterrupt):
            accounts.sign_in(db, "admin", PASSWORD)
        db.dispose()
    mistyped = "mistyped passphrase 2026"
    monkeypatch.setenv("IA_DESK_PASSPHRASE", mistyped)
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)
    assert main(["--db", str(db_path), "case", "list"]) != 0
    out = capsys.readouterr()
    assert "interrupted" in out.err and "Traceback" not in out.err
    printed = [out.out + out.err]
    # The move finishes; then the desktop, with a mistyped password first.
    monkeypatch.setenv("IA_DESK_PASSPHRASE", OLD_PASSPHRASE)
    assert main(["--db", str(db_path), "case", "list"]) == 0
    capsys.readouterr()
    monkeypatch.delenv("IA_DESK_PASSPHRASE")
    wrong = "Mistyped-password-2026"
    shown: list[str] = []

    def ask(where: str, error: str = "") -> tuple[str, str]:
        shown.append(error)
        return ("admin", wrong) if len(shown) == 1 else ("admin", PASSWORD)

    monkeypatch.setattr(ui.app, "ask_credentials", ask)
    opened = ui.app.open_or_create(str(db_path))
    assert opened is not None
    secrets = opened[0].key_file.secrets
    opened[0].dispose()
    assert "did not open" in shown[1]
    printed += shown
    logged = "\n".join(r.getMessage() for r in caplog.records)
    forbidden = [
        mistyped,
        OLD_PASSPHRASE,
        PASSWORD,
        wrong,
        secrets.cipher_key.hex(),
        base64_of(secrets.audit_key),
    ]
    for text in [*printed, logged]:
        assert [f for f in forbidden if f in text] == []
    assert keyfile.path_for(db_path).exists()
