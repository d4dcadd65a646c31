"""Hostile input in every text field of a report and every argument of the command line:
refused with a named field, or stored exactly as given (names of people in their Unicode
normal form, NFKC). Never a traceback, never a half-written case."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from ia_desk import validation
from ia_desk.casefile.listing import list_cases
from ia_desk.casefile.read import show_case
from ia_desk.cases.intake import open_case, parse_json, parse_report
from ia_desk.cli import main
from ia_desk.db.models import (
    Allegation,
    ApprovalRequest,
    AuditEvent,
    Case,
    Employee,
    Evidence,
    EvidenceBlob,
)
from ia_desk.errors import InputError

from .conftest import PASSWORD, report_doc

NASTY = [
    "Robert'); DROP TABLE ia_case;--",
    '" OR 1=1 --',
    "%_\\%' UNION SELECT * FROM app_user --",
    "مرحبا بالعالم \u202eTXT.EXE",
    "Z\u0351\u0351\u0351a\u0336\u0336l\u0337go\u0300\u0301\u0302",
    "e\u0301\u0301\u0301 combining marks",
    "emoji 👮‍♀️📸 and CJK 警察",
    "NUL\x00byte",
    "bell\x07 and escape \x1b[31m",
    "x" * 5000,
]
FIELDS = [
    ("reporter.name", lambda d, v: d["reporter"].__setitem__("name", v)),
    ("subjects[0].name", lambda d, v: d["subjects"][0].__setitem__("name", v)),
    ("subjects[0].unit", lambda d, v: d["subjects"][0].__setitem__("unit", v)),
    ("incident.platform", lambda d, v: d["incident"].__setitem__("platform", v)),
    ("incident.narrative", lambda d, v: d["incident"].__setitem__("narrative", v)),
]


def count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize(("field", "put"), FIELDS, ids=[f for f, _ in FIELDS])
def test_hostile_text_is_refused_or_stored_faithfully(db, admin, field, put, value):
    doc = report_doc()
    put(doc, value)
    before = count(db)
    try:
        with db.write(admin) as s:
            number = open_case(s, admin, parse_report(doc)).case.number
    except InputError as exc:
        assert exc.field == field and field in exc.message
        assert count(db) == before
        return
    with db.read() as s:
        shown = show_case(s, admin, number)
        stored = {
            "reporter.name": shown["reporter"].get("name"),
            "subjects[0].name": shown["subjects"][0]["name"],
            "subjects[0].unit": shown["subjects"][0]["unit"],
            "incident.platform": shown["incident"]["platform"],
            "incident.narrative": shown["incident"]["narrative"],
        }[field]
        # A person's name is kept in its normal form (a name typed decomposed, as macOS
        # does, and precomposed are one name); free text exactly as given.
        given = value.strip()
        if field.endswith(".name"):
            given = unicodedata.normalize("NFKC", given)
        assert stored == given
        assert count(db) == before + 1
        list_cases(s, admin, search=value[:50])  # searching for it is harmless too


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "received_at",
                    "channel",
                    "reporter",
                    "subjects",
                    "incident",
                    "clauses",
                    "mode",
                    "badge",
                    "name",
                    "occurred_on",
                    "narrative",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=json_values)
def test_malformed_reports_are_refused_with_a_named_field(doc):
    try:
        parse_report(parse_json(json.dumps(doc)))
    except InputError as exc:
        assert exc.message
    # anything accepted here is a valid report; the service checks the rest


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_as_json_never_crash(raw):
    with contextlib.suppress(InputError):
        parse_report(parse_json(raw))


# ---------------------------------------------------------------- through the real CLI
#
# Each hostile input goes through ``ia_desk.cli.main`` as a user would type it. Each must
# end in exit 2 with a message naming the field (or the file), no traceback, and nothing
# stored: the counts of cases, employees, evidence, register rows and of audit events
# other than sign-ins and refusals stay what they were.


@pytest.fixture
def cli(db, db_url, monkeypatch, capsys):
    """cli(*args, stdin=None) -> (exit code, stdout, stderr), signed in as the admin."""
    monkeypatch.setenv("IA_DESK_USER", "admin")
    monkeypatch.setenv("IA_DESK_PASSWORD", PASSWORD)

    def go(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(
                "sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8", "surrogatepass")))
            )
        code = main(["--db", db_url, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def stored(db) -> dict[str, int]:
    """What a refused command must leave as it was."""
    with db.read() as s:
        counts = {
            model.__name__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Case, Employee, Evidence, EvidenceBlob, ApprovalRequest, Allegation)
        }
        counts["audit"] = (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.outcome == "ok", AuditEvent.event_type.not_like("auth.%"))
            )
            or 0
        )
        counts["findings"] = (
            s.scalar(
                select(func.count())
                .select_from(Allegation)
                .where(Allegation.disposition.is_not(None))
            )
            or 0
        )
    return counts


@pytest.fixture
def world(cli, db, tmp_path):
    """One case (IA-2026-0001, subject badge 1234) and a screenshot file to hand."""
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_doc()))
    assert cli("report", "add", str(path))[0] == 0
    shot = tmp_path / "post.png"
    Image.new("RGB", (50, 40), "red").save(shot, "PNG")
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "fifo")  # not a regular file: writing over it must be refused
    return tmp_path


def assert_refused(result: tuple[int, str, str], field: str) -> None:
    code, out, err = result
    assert code == 2, (code, out, err)
    assert field in err, err
    assert "Traceback" not in out + err


def _report_text(doc: dict, **replace: str) -> str:
    """The report as JSON text, with placeholders replaced by raw JSON (escapes, numbers,
    duplicate keys) that json.dumps would never write."""
    text = json.dumps(doc)
    for placeholder, raw in replace.items():
        text = text.replace(f'"@{placeholder}"', raw)
    return text


def _doc(**changes) -> dict:
    doc = report_doc()
    for path, value in changes.items():
        target = doc
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[last] = value
    return doc


HOSTILE_REPORTS = [
    # lone surrogates: in a string value, and in an object key
    ("incident.narrative", _report_text(_doc(incident__narrative="@x"), x='"\\ud800"')),
    ("reporter.name", _report_text(_doc(reporter__name="@x"), x='"Pat \\udfff Quill"')),
    ("subjects[0]", _report_text(_doc(subjects__0__unit="@x"), x='"Patrol", "\\ud800": 1')),
    ("U+D800", '{"\\ud800": 1}'),
    # a number with more digits than Python converts, and numbers JSON does not have
    ("subjects[0].badge", _report_text(_doc(subjects__0__badge="@x"), x="9" * 5000)),
    ("channel", _report_text(_doc(channel="@x"), x="NaN")),
    ("channel", _report_text(_doc(channel="@x"), x="1e999")),
    # dates no records system holds
    (
        "received_at",
        json.dumps(
            _doc(received_at="0001-01-01T00:00:00+14:00", incident__occurred_on="0001-01-01")
        ),
    ),
    ("incident.occurred_on", json.dumps(_doc(incident__occurred_on="1066-10-14"))),
    # a key given twice: the second would silently win
    ("channel", _report_text(_doc(channel="@x"), x='"supervisor", "channel": "phone"')),
    (
        "reporter.mode",
        _report_text(_doc(reporter__mode="@x"), x='"confidential", "mode": "anonymous"'),
    ),
    # text that displays other than it reads
    ("incident.narrative", json.dumps(_doc(incident__narrative="posted \u202egnp.exe"))),
    ("incident.platform", json.dumps(_doc(incident__platform="Face\u2066book"))),
    # badges and names that look like others: invisible and direction characters
    ("subjects[0].badge", json.dumps(_doc(subjects__0__badge="12\u200b34"))),
    ("subjects[0].badge", json.dumps(_doc(subjects__0__badge="\u202e4321"))),
    ("subjects[0].name", json.dumps(_doc(subjects__0__name="John\u200dRoe"))),
    ("reporter.badge", json.dumps(_doc(reporter__badge="20\u206001"))),
    ("reporter.name", json.dumps(_doc(reporter__name="Pat\u00adQuill"))),
]


@pytest.mark.parametrize(("field", "text"), HOSTILE_REPORTS, ids=range(len(HOSTILE_REPORTS)))
def test_hostile_report_documents_are_refused_naming_the_field(cli, world, db, field, text):
    before = stored(db)
    assert_refused(cli("report", "add", "-", stdin=text), field)
    assert stored(db) == before


def _hostile_commands(tmp: Path) -> list[tuple[str, list[str]]]:
    png = str(tmp / "post.png")
    out = str(tmp / "out")
    huge = "99999999999999999999"
    return [
        ("--to", ["audit", "list", "--to", "9999-12-31"]),
        ("--from", ["audit", "list", "--from", "0001-01-01"]),
        ("--limit", ["audit", "list", "--limit", huge]),
        ("--limit", ["audit", "list", "--limit", "0"]),
        ("--from", ["audit", "export", str(tmp / "a.csv"), "--from", "0001-01-01"]),
        ("--from", ["stats", "--from", "0001-01-01", "--to", "9999-12-31"]),
        ("--to", ["stats", "--from", "2026-01-01", "--to", "9999-12-31"]),
        ("--on", ["policy", "show", "vpd-3.21/III.M", "--on", "0001-01-01"]),
        ("id", ["evidence", "export", huge, "--out", out]),
        ("id", ["evidence", "custody", huge]),
        ("id", ["allegation", "find", huge, "--disposition", "sustained", "--rationale", "x"]),
        (
            "id",
            [
                "approval",
                "decide",
                huge,
                "--decision",
                "approved",
                "--by",
                "Chief",
                "--as",
                "chief",
            ],
        ),
        (
            "account",
            ["account", "post", huge, "--text", "x", "--by", "1234", "--at", "2026-11-02T09:00Z"],
        ),
        ("--top", ["policy", "suggest", "selfie in uniform", "--top", huge]),
        (
            "--captured-at",
            ["evidence", "add", "IA-2026-0001", png, "--captured-at", "0001-01-01T00:00:00+14:00"],
        ),
        (
            "--at",
            [
                "account",
                "post",
                "1",
                "--text",
                "x",
                "--by",
                "1234",
                "--at",
                "0001-01-01T00:00:00+14:00",
            ],
        ),
        ("/nonexistent", ["audit", "export", "/nonexistent/x.csv"]),
        (
            "/nonexistent",
            ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", "/nonexistent/f.csv"],
        ),
        (
            "/nonexistent",
            [
                "approval",
                "add",
                "--layout",
                "/nonexistent",
                "--employee",
                "1234",
                "--items",
                "photo",
                "--purpose",
                "x",
            ],
        ),
        # file names no file system takes, or that would replace what is not a file
        (
            "--out",
            ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(tmp / "fifo")],
        ),
        (
            "--csv",
            ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", str(tmp / "a\x00b")],
        ),
        ("--out", ["summary", "IA-2026-0001", "--out", str(tmp / ("x" * 300 + ".pdf"))]),
        ("file", ["audit", "export", str(tmp / "fifo")]),
        ("file", ["export", str(tmp / "report\u202efdp.exe")]),
        ("--out", ["evidence", "export", "1", "--out", ""]),
        ("file", ["report", "add", str(tmp / "fifo")]),
        # undecodable bytes in an argument (Python hands them over as lone surrogates)
        ("case", ["case", "show", "IA-2026-\udcff"]),
        ("--search", ["case", "list", "--search", "\udcff"]),
        (
            "--rationale",
            ["allegation", "find", "1", "--disposition", "sustained", "--rationale", "\udcff"],
        ),
        # look-alike identifiers on the command line
        (
            "--employee",
            [
                "allegation",
                "add",
                "IA-2026-0001",
                "--employee",
                "12\u200b34",
                "--clause",
                "vpd-3.21/III.L",
            ],
        ),
        ("--employee", ["discipline", "recommend", "IA-2026-0001", "--employee", "\u202e1234"]),
        (
            "--clause",
            [
                "allegation",
                "add",
                "IA-2026-0001",
                "--employee",
                "1234",
                "--clause",
                "vpd-3.21/III.\u200bL",
            ],
        ),
        ("case", ["case", "show", "IA-2026-0001\u200b"]),
        (
            "--rationale",
            ["allegation", "find", "1", "--disposition", "sustained", "--rationale", "fine \u202e"],
        ),
        (
            "--name",
            ["user", "add", "rlee", "--role", "ia_investigator", "--name", "Robin\u200bLee"],
        ),
        (
            "login",
            ["user", "add", "r\u200blee", "--role", "ia_investigator", "--name", "Robin Lee"],
        ),
    ]


HOSTILE_COMMAND_IDS = [" ".join(a)[:60] for _f, a in _hostile_commands(Path("/t"))]


@pytest.mark.parametrize("index", range(len(HOSTILE_COMMAND_IDS)), ids=HOSTILE_COMMAND_IDS)
def test_hostile_command_arguments_are_refused_naming_the_field(cli, world, db, monkeypatch, index):
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", PASSWORD)
    field, args = _hostile_commands(world)[index]
    before = stored(db)
    assert_refused(cli(*args), field)
    assert stored(db) == before
    assert not Path("/nonexistent").exists()
    assert not any(world.glob("*.csv"))
    assert (world / "fifo").is_fifo() and not any((world / "out").iterdir())


@pytest.mark.sqlite_only  # a server database is backed up with pg_dump, on the server
@pytest.mark.parametrize(
    ("target", "folder"),
    [
        ("/proc/x.db", "/proc"),  # a folder that takes no files
        ("/nonexistent/x.db", "/nonexistent"),  # was created, at the filesystem root
        ("{tmp}/no/such/folder/b.db", "{tmp}/no/such/folder"),
    ],
)
def test_a_backup_into_a_missing_folder_is_refused_and_no_folder_is_made(
    cli, world, db, target, folder
):
    before = stored(db)
    target, folder = target.format(tmp=world), folder.format(tmp=world)
    assert_refused(cli("backup", target), folder)
    assert not Path("/nonexistent").exists() and not (world / "no").exists()
    assert stored(db) == before


def test_a_matrix_file_with_a_key_given_twice_is_refused(cli, world, db):
    code, out, _ = cli("discipline", "matrix", "show", "--json")
    matrix = json.loads(out)
    path = world / "matrix.json"
    # The first lookback_months would be silently replaced by the second one.
    path.write_text('{"lookback_months": 1, ' + json.dumps(matrix)[1:])
    assert_refused(
        cli("discipline", "matrix", "set", str(path), "--reason", "x"), "lookback_months"
    )
    assert json.loads(cli("discipline", "matrix", "show", "--json")[1])["version"] == 1


# ---------------------------------------------------------------- look-alike identities


def test_look_alike_badges_are_one_employee(cli, world, db):
    """Full-width digits are the same badge; a badge with an invisible character is no
    badge at all. Intake, the CLI's lookups and the registers agree."""
    doc = _doc(subjects__0__badge="１２３４", subjects__0__name="Jon Roe")
    code, out, err = cli("report", "add", "-", "--json", stdin=json.dumps(doc))
    assert code == 0, err
    with db.read() as s:
        badges = list(s.scalars(select(Employee.badge)))
    assert badges.count("1234") == 1 and "１２３４" not in badges
    assert len(badges) == len(set(badges))
    code, out, err = cli("case", "show", json.loads(out)["case"], "--json")
    assert [sj["badge"] for sj in json.loads(out)["subjects"]] == ["1234"]
    code, out, err = cli(
        "allegation",
        "add",
        "ＩＡ-2026-0001",
        "--employee",
        "１２３４",
        "--clause",
        "vpd-3.21/III.L",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["employee"] == "1234"
    code, _, err = cli(
        "approval", "add", "--employee", "１２３４", "--items", "photo", "--purpose", "recruiting"
    )
    assert code == 0, err
    code, out, _ = cli("approval", "list", "--employee", "1234", "--json")
    assert [r["employee"] for r in json.loads(out)] == ["1234"]


def test_look_alike_logins_are_one_user(cli, world, monkeypatch):
    monkeypatch.setenv("IA_DESK_NEW_PASSWORD", PASSWORD)
    code, out, err = cli(
        "user", "add", "ｒｌｅｅ", "--role", "ia_investigator", "--name", "Ｒobin Lee"
    )
    assert code == 0 and "user added: rlee" in out, err
    assert_refused(
        cli("user", "add", "rlee", "--role", "ia_investigator", "--name", "Robin Lee"), "login"
    )
    code, out, _ = cli("user", "list", "--json")
    assert [u["name"] for u in json.loads(out) if u["login"] == "rlee"] == ["Robin Lee"]


def test_free_text_keeps_emoji_and_scripts(cli, world, db):
    narrative = "Posted 👮\u200d♀️📸 with the caption مرحبا and 警察, e\u0301"
    doc = _doc(incident__narrative=narrative)
    code, out, err = cli("report", "add", "-", "--json", stdin=json.dumps(doc))
    assert code == 0, err
    code, out, _ = cli("case", "show", json.loads(out)["case"], "--json")
    assert json.loads(out)["incident"]["narrative"] == narrative


# ---------------------------------------------------------------- the helpers, any text

ANY_TEXT = st.text(
    alphabet=st.characters(exclude_categories=())
    | st.sampled_from(list("\u202e\u2066\u200b\u200d\u00ad\ud800\udfff\x00\x85１２٣.-/:T+Z ")),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(value=ANY_TEXT | st.none() | st.integers() | st.floats() | st.booleans())
def test_the_field_helpers_raise_nothing_but_input_errors(value):
    helpers = [
        lambda x: validation.identifier(x, "badge"),
        lambda x: validation.person_name(x, "name"),
        lambda x: validation.text(x, "narrative", multiline=True),
        lambda x: validation.text(x, "platform"),
        lambda x: validation.date(x, "occurred_on"),
        lambda x: validation.aware_datetime(x, "received_at"),
        lambda x: validation.record_id(x, "id"),
        lambda x: validation.limit(x, "limit", maximum=1000),
    ]
    for helper in helpers:
        try:
            result = helper(value)
        except InputError as exc:
            assert exc.field and exc.field in exc.message
            continue
        if isinstance(result, str):
            result.encode("utf-8")  # storable: no lone surrogate got through
            assert not any(c in result for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069")
        if isinstance(result, dt.date):
            assert validation.MIN_YEAR <= result.year <= validation.MAX_YEAR


@settings(max_examples=200, deadline=None)
@given(value=ANY_TEXT)
def test_identifiers_and_names_come_out_normalised_and_visible(value):
    for helper in (validation.identifier, validation.person_name):
        try:
            result = helper(value, "field")
        except InputError:
            continue
        assert result is not None
        assert unicodedata.normalize("NFKC", result) == result
        assert all(
            unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") or c in "\u200c\u200d"
            for c in result
        )
