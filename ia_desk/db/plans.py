"""What the database will do with a query, read from its plan (issue 24).

A page of the case list must cost the same on any department's data: its flags read the
rows of the page's cases through indexes, never a table that grows with the cases from
end to end. A time says that only of the database it was taken on; a plan says it of the
query. ``tests/test_query_plans.py`` (the worst distributions we can make) and the bench's
smoke run (``tools/bench.py --smoke``, part of ``make test``) both read plans with these.

On SQLite, ``EXPLAIN QUERY PLAN`` must show no full scan of a growing table and no
automatic index (a full scan building a throw-away index). On PostgreSQL, with every
whole-table read priced out, each growing table must be reached by an index condition.
A few hundred rows plan differently from a hundred thousand (reading a small index whole
is honestly cheaper than a page of lookups), so :func:`scale_sqlite_statistics` makes
SQLite plan for a large department's row counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Tables of settings and reference data: a few rows whatever the number of cases.
SMALL = frozenset({"setting", "discipline_matrix_version", "app_user", "clause", "policy_version"})
# Tables that grow with the cases: never read whole by a page's flags.
LARGE = frozenset(
    {
        "reporter",
        "case_subject",
        "allegation",
        "audit_event",
        "immediate_action",
        "immediate_action_step",
        "retaliation_review",
        "employee",
        "incident",
        "case_task",  # the overdue-task flag of IA's readers (issue 22)
    }
)
# The partial indexes of the flags (migration 20261202_0019): each holds only the rows
# its flag looks for, so walking one whole is no read of a growing table.
PARTIAL = ("ix_reporter_protected", "ix_audit_event_reporter_update")

Statement = tuple[str, Any]


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """Every SELECT run on ``engine`` inside the block, with its parameters."""
    seen: list[Statement] = []

    def grab(_conn: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not many:
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def sqlite_plan(engine: Engine, statement: str, params: Any) -> list[str]:
    """SQLite's ``EXPLAIN QUERY PLAN`` of one statement, a line per step."""
    raw = engine.raw_connection()
    try:
        return [r[3] for r in raw.cursor().execute("EXPLAIN QUERY PLAN " + statement, params)]
    finally:
        raw.close()


def pg_plan(engine: Engine, statement: str, params: Any) -> list[str]:
    """PostgreSQL's ``EXPLAIN`` of one statement with every way of reading a table whole
    priced out (a sequential scan, or a hash or merge join fed by a full walk of an
    index): what is left is index lookups, if an index the query can use exists."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            cur.execute(f"SET {setting} = off")
        cur.execute("EXPLAIN " + statement, params)
        lines = [r[0] for r in cur.fetchall()]
        raw.rollback()
        return lines
    finally:
        raw.close()


def table_of(line: str) -> str | None:
    """The table (or alias) a SQLite plan line reads."""
    m = re.match(r"(?:SCAN|SEARCH) (\w+)", line)
    return m.group(1) if m else None


def sqlite_problems(statement: str, plan: list[str]) -> list[str]:
    """What is wrong with one statement's plan: a full scan of a table that grows with
    the cases (SQLite prints ``SCAN reporter``, or ``SCAN r`` for an alias), an automatic
    index (a full scan building a throw-away index). Only the list's own statements (the
    count, the page in its order) may walk an index of the cases."""
    aliases = dict(re.findall(r"\b(\w+) AS (\w+)\b", statement))
    flat = " ".join(statement.split())
    listing = "count(" in flat or "ORDER BY ia_case." in flat
    bad = []
    for line in plan:
        table = table_of(line)
        table = aliases.get(table, table) if table else None
        if "AUTOMATIC" in line:
            bad.append(line)
        elif line.startswith("SCAN ") and table not in SMALL:
            walk = re.match(r"SCAN \w+ USING (COVERING )?INDEX ", line)
            # The list itself walks the cases in its order (the page stops at its
            # limit) and the count reads an index of them; the search index is FTS5's.
            if not (table == "ia_case" and walk and listing) and "VIRTUAL TABLE" not in line:
                bad.append(line)
    return bad


def pg_problems(plan: list[str]) -> list[str]:
    """The nodes of a PostgreSQL plan that read a table growing with the cases without
    an index condition: a sequential scan, or an index walked end to end. Walking one
    of the flags' partial indexes whole is no such read: each holds only the rows its
    flag looks for (the protected reporters, the reporter updates), and PostgreSQL,
    which counts them, walks one only when there are few."""
    bad = []
    nodes: list[list[str]] = []
    for line in plan:
        if re.search(r"(Scan|Join|Loop|Hash|Sort|Aggregate|Result|SubPlan|Materialize)", line) and (
            "->" in line or not nodes
        ):
            nodes.append([line])
        elif nodes:
            nodes[-1].append(line)
    for node in nodes:
        m = re.search(r"Scan(?: using \w+)? on (\w+)", node[0])
        if (
            not m
            or m.group(1) not in LARGE
            or re.search(r"using ix_\w+ on", node[0])
            and any(f"using {partial} on" in node[0] for partial in PARTIAL)
        ):
            continue
        if "Seq Scan" in node[0] or not any(
            "Index Cond" in line or "Recheck Cond" in line for line in node[1:]
        ):
            bad.append(node[0].strip())
    return bad


def problems(engine: Engine, seen: list[Statement]) -> dict[str, list[str]]:
    """Each captured statement whose plan reads a growing table whole (its first 160
    characters, with the plan's offending lines), on the engine's own database."""
    sqlite = engine.dialect.name == "sqlite"
    found = {}
    for statement, params in seen:
        bad = (
            sqlite_problems(statement, sqlite_plan(engine, statement, params))
            if sqlite
            else pg_problems(pg_plan(engine, statement, params))
        )
        if bad:
            found[" ".join(statement.split())[:160]] = bad
    return found


def scale_sqlite_statistics(engine: Engine, factor: int) -> None:
    """Make SQLite plan for ``factor`` times the data: each table's row count in
    ``sqlite_stat1`` multiplied up, the rows per key left as measured (on a few hundred
    rows reading a whole index is honestly cheaper than a page's lookups, and a check of
    plans must ask about the plans of a large department). ANALYZE must have run."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for tbl, idx, stat in cur.execute("SELECT tbl, idx, stat FROM sqlite_stat1").fetchall():
            total, *per_key = stat.split()
            scaled = " ".join([str(int(total) * factor), *per_key])
            cur.execute(
                "UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx IS ?", (scaled, tbl, idx)
            )
        cur.execute("DELETE FROM sqlite_stat4")  # its samples count the real rows
        raw.commit()
    finally:
        raw.close()
    engine.dispose()  # each new connection reads the statistics as written
