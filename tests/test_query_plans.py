"""The case list's queries keep their index paths on the worst data we can make (issue 24).

A page of the case list runs a handful of statements: the count, the page, its subjects
and clauses, and the flags of its cases (retaliation review, immediate action, reporter
update due). On a database whose statistics called ``reporter.employee_id`` useless (no
reporter on the roster, as the bench generator once wrote them), SQLite's planner read
every reporter for each page: 0.74 s of a 0.99 s search at 100,000 cases. A figure that
holds on one database file is not a figure, so this test asserts plans, never times.

Each test fills a database with the bulk generator, reshapes it into one bad
distribution, runs ANALYZE (so the statistics say what the data says), captures every
statement one page of the list runs (plainly, and searching a common and a rare word),
and reads each statement's plan: on SQLite, ``EXPLAIN QUERY PLAN`` must show no full
scan of a table that grows with the cases and no automatic index (a full scan building
a throw-away index); on PostgreSQL, with sequential scans priced out
(``enable_seqscan = off``), the flag queries must find an index path (PostgreSQL's own
statistics count NULLs for what they are, so the question there is whether the index
exists that the query can use). The flags themselves are checked against a plain
reading of the rule over every row, so a fast wrong answer fails too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from ia_desk.casefile.listing import CaseQuery, case_page, count_matching
from ia_desk.db.engine import Database
from ia_desk.db.plans import (
    LARGE,
    captured,
    pg_plan,
    pg_problems,
    problems,
    scale_sqlite_statistics,
    sqlite_plan,
    table_of,
)
from ia_desk.protection.retaliation import add_months, cases_needing_review
from ia_desk.security.actor import Actor
from ia_desk.services.bulk import generate

CASES = 400
SCALE = 100_000 // CASES
PAGE = 50
FIRST_EMPLOYEE = 1_000_000  # the generator's first employee id
# Distributions that have turned or could turn a plan (what each one does to the data).
RESHAPE = {
    # The bench generator's old output: no reporter is on the roster.
    "no reporter on the roster": [
        "UPDATE reporter SET employee_id = NULL, good_faith = FALSE",
    ],
    # One protected employee reported every case (the employee index holds one value),
    # and is the subject of every fifth.
    "every reporter the same protected employee": [
        "UPDATE reporter SET employee_id = :emp, good_faith = TRUE, mode = 'named', "
        "name = 'Pat Quill'",
        "UPDATE case_subject SET employee_id = :emp WHERE case_id % 5 = 0",
    ],
    # One employee is the subject of every case, and a third of the reports came from
    # protected employees on the roster.
    "one employee the subject of every case": [
        "UPDATE case_subject SET employee_id = :emp",
        "UPDATE reporter SET employee_id = :emp + (case_id % 7), good_faith = TRUE, "
        "mode = 'confidential', name = 'Pat Quill' WHERE case_id % 3 = 0",
    ],
}


def _build(db: Database, admin: Actor, shape: str) -> None:
    generate(db, admin, CASES, events_per_case=1, seed=24)
    with db.engine.begin() as conn:
        for sql in RESHAPE[shape]:
            conn.execute(text(sql), {"emp": FIRST_EMPLOYEE})
        # Reporter updates on some cases (the "reporter update due" flag has rows to
        # find; not chained into the trail, which these tests do not read) and a
        # recorded retaliation review on every tenth case.
        conn.execute(
            text(
                "INSERT INTO retaliation_review (case_id, reviewed_by_id, reviewed_at, "
                "conclusion, reasoning) SELECT id, :admin, received_at, 'no_retaliation', "
                "'Reviewed.' FROM ia_case WHERE id % 10 = 0"
            ),
            {"admin": admin.user_id},
        )
        numbers = conn.execute(text("SELECT number FROM ia_case ORDER BY id DESC")).scalars()
        head = conn.execute(text("SELECT seq, mac FROM audit_head")).one()
        for k, number in enumerate(list(numbers)[:: max(1, CASES // 40)]):
            conn.execute(
                text(
                    "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
                    "object_type, object_id, case_number, outcome, details, prev_mac, mac) "
                    "VALUES (:seq, :at, 'admin', 'test', 'case.reporter_update', 'case', "
                    "NULL, :number, 'ok', '{}', :mac, :mac)"
                ),
                {
                    "seq": head.seq + 1 + k,
                    "at": dt.datetime(2026, 11, 1),
                    "number": number,
                    "mac": head.mac,
                },
            )
        conn.execute(text("ANALYZE"))


def _scale_statistics(db: Database) -> None:
    """Make SQLite plan for the bench's size (see ia_desk.db.plans)."""
    scale_sqlite_statistics(db.engine, SCALE)


def _skew_statistics(db: Database) -> None:
    """Forge SQLite's statistics to the worst data can make them say: every index of the
    tables the flags read that data can skew holds a single value, so each lookup would
    return the whole table (an employee on every row, one event type, one case number).
    The indexes by case of a case's own rows (its subjects, allegations, reporter) are
    left alone: no data puts the whole table on one case, and with their statistics
    forged no plan is left but a scan."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        rows = cur.execute("SELECT tbl, idx, stat FROM sqlite_stat1").fetchall()
        for tbl, idx, stat in rows:
            first = cur.execute(f'PRAGMA index_info("{idx}")').fetchone() if idx else None
            if tbl in LARGE and first is not None and first[2] != "case_id":
                parts = stat.split()
                total = parts[0]
                forged = " ".join([total] * len(parts))
                cur.execute(
                    "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx = ?",
                    (forged, tbl, idx),
                )
        cur.execute("DELETE FROM sqlite_stat4")
        raw.commit()
        cur.execute("ANALYZE sqlite_schema")  # this connection reloads; others reopen
    finally:
        raw.close()
    db.engine.dispose()


def _statements(db: Database, admin: Actor, search: str | None) -> list[tuple[str, Any]]:
    """Every SELECT one opening of the list runs (count, first page, flags)."""
    with captured(db.engine) as seen, db.read() as s:
        count_matching(s, admin, CaseQuery(search=search))
        rows = case_page(s, admin, CaseQuery(search=search), 0, PAGE)
    assert rows, "the page is empty: the plans of its flags were never asked for"
    return seen


def _sqlite_plan(db: Database, statement: str, params: Any) -> list[str]:
    return sqlite_plan(db.engine, statement, params)


def _pg_plan(db: Database, statement: str, params: Any) -> list[str]:
    return pg_plan(db.engine, statement, params)


@pytest.fixture(params=sorted(RESHAPE) + ["no reporter on the roster, statistics forged"])
def shaped(request: pytest.FixtureRequest, db: Database, admin: Actor) -> Iterator[str]:
    shape = request.param.removesuffix(", statistics forged")
    if shape != request.param and db.engine.dialect.name != "sqlite":
        pytest.skip(
            "PostgreSQL's statistics are the server's own (forging them needs a "
            "superuser); the other shapes check its index paths"
        )
    _build(db, admin, shape)
    if db.engine.dialect.name == "sqlite":
        _scale_statistics(db)
    if shape != request.param:
        _skew_statistics(db)
    yield request.param


def _flag_statements(seen: list[tuple[str, Any]]) -> dict[str, tuple[str, Any]]:
    """The flags' lookups among a page's statements, by what they look up."""
    found: dict[str, tuple[str, Any]] = {}
    for statement, params in seen:
        flat = " ".join(statement.split())
        if "good_faith" in flat:
            found["retaliation"] = (statement, params)
        elif "FROM audit_event" in flat and "case.reporter_update" in flat:
            found["reporter update"] = (statement, params)
        elif "FROM immediate_action " in flat:
            found["immediate action"] = (statement, params)
        elif "FROM retaliation_review" in flat:
            found["reviewed"] = (statement, params)
    return found


@pytest.mark.parametrize("search", [None, "patrol", "Ref 7"])
def test_a_page_of_the_list_uses_indexes_on_the_worst_distributions(
    db: Database, admin: Actor, shaped: str, search: str | None
) -> None:
    seen = _statements(db, admin, search)
    flags = _flag_statements(seen)
    assert {"retaliation", "reporter update", "immediate action"} <= set(flags)
    if not shaped.startswith("no reporter"):
        assert "reviewed" in flags  # the page has flagged cases, some of them reviewed
    if db.engine.dialect.name == "sqlite":
        assert problems(db.engine, seen) == {}
        # The retaliation lookup goes from the page's subjects to the protected
        # reporters of their employees, through the index that holds only those, as
        # a range of their dates; the index covers it (no reporter's or case's row is
        # read, so a page never reads the cases of a busy reporter's reports).
        plan = _sqlite_plan(db, *flags["retaliation"])
        assert [t for line in plan if (t := table_of(line))] == ["c", "cs", "r"], plan
        assert any(
            "USING COVERING INDEX ix_reporter_protected (employee_id=? AND received_at>? "
            "AND received_at<?)" in line
            for line in plan
        ), plan
        if search is None:
            # The plain list walks the cases newest first and stops at the page's end;
            # it never sorts every case.
            page = next((st, p) for st, p in seen if "ORDER BY ia_case.received_at DESC" in st)
            assert not any("TEMP B-TREE" in line for line in _sqlite_plan(db, *page))
    else:
        for name, (statement, params) in flags.items():
            plan = _pg_plan(db, statement, params)
            assert pg_problems(plan) == [], (name, "\n".join(plan))


def test_the_flags_on_the_worst_distributions_are_the_rules_answer(
    db: Database, admin: Actor, shaped: str
) -> None:
    """The retaliation flag of a page, against the rule read plainly over every row: a
    subject of the case reported another case in good faith (named or confidential, on
    the roster, not revoked) and this case came within 24 months of that report."""
    with db.read() as s:
        rows = case_page(s, admin, CaseQuery(), 0, PAGE)
    with db.engine.connect() as conn:
        received = {
            cid: (at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)).date()
            for cid, at in conn.execute(text("SELECT id, received_at FROM ia_case"))
        }
        subjects = conn.execute(text("SELECT case_id, employee_id FROM case_subject")).all()
        reporters = conn.execute(
            text(
                "SELECT case_id, employee_id, good_faith, mode, protection_revoked_at FROM reporter"
            )
        ).all()
    protected_reports: dict[int, list[int]] = {}
    for case_id, employee, good_faith, mode, revoked in reporters:
        if employee is not None and good_faith and mode != "anonymous" and revoked is None:
            protected_reports.setdefault(employee, []).append(case_id)
    expected = set()
    for case_id, employee in subjects:
        for report in protected_reports.get(employee, []):
            if report != case_id and (
                received[report] <= received[case_id] <= add_months(received[report], 24)
            ):
                expected.add(case_id)
    page_ids = {r.id for r in rows}
    flagged = {r.id for r in rows if "retaliation_review" in r.flags}
    assert flagged == expected & page_ids
    if not shaped.startswith("no reporter"):
        assert flagged, "this distribution was meant to flag cases on the first page"


def test_the_generator_writes_the_reporters_a_department_has(db: Database, admin: Actor) -> None:
    """The bench generator's reporters (issue 24): anonymous ones hold no identity; of
    the named and confidential, a share are employees on the roster under their own
    badge and name, most in good faith; and some cases, not most, name as their subject
    an employee who reported in good faith before, so the retaliation review has cases
    to flag."""
    generate(db, admin, 600, events_per_case=1, seed=7)
    with db.engine.connect() as conn:
        reporters = conn.execute(
            text(
                "SELECT r.mode, r.name, r.badge, r.employee_id, r.good_faith, e.badge, e.name "
                "FROM reporter r LEFT JOIN employee e ON e.id = r.employee_id"
            )
        ).all()
        ids = list(conn.execute(text("SELECT id FROM ia_case")).scalars())
    anonymous = [r for r in reporters if r[0] == "anonymous"]
    known = [r for r in reporters if r[0] != "anonymous"]
    assert anonymous and all(r[1:5] == (None, None, None, False) for r in anonymous)
    on_roster = [r for r in known if r[3] is not None]
    assert 0.25 < len(on_roster) / len(known) < 0.55
    assert all((r[2], r[1]) == (r[5], r[6]) for r in on_roster)
    assert 0.75 < sum(bool(r[4]) for r in on_roster) / len(on_roster) < 1
    with db.read() as s:
        flagged = cases_needing_review(s, ids)
    assert 0 < len(flagged) < len(ids) * 0.15


def test_a_dropped_index_is_found_as_a_plan_regression(db: Database, admin: Actor) -> None:
    """The check the bench's smoke run makes (ia_desk.db.plans, ``make test``) catches a
    regression: with the indexes of reporters by employee gone (the protected reporters'
    and the plain one), the retaliation flag of a page reads the reporters whole, and the
    check names that statement and its scan."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the application's server role may not drop an index (it owns none)")
    generate(db, admin, CASES, events_per_case=1, seed=24)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    _scale_statistics(db)
    assert problems(db.engine, _statements(db, admin, None)) == {}
    with db.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_reporter_protected"))
        conn.execute(text("DROP INDEX ix_reporter_employee_id"))
    db.engine.dispose()
    found = problems(db.engine, _statements(db, admin, None))
    assert found, "the check found nothing with the flag's index gone"
    read = {table_of(line) for lines in found.values() for line in lines}
    assert read & {"r", "reporter"}, found
