"""IA Desk benchmark: figures as ratios against the raw floor, measured in the same run.

Usage: python tools/bench.py [--sizes 1000,10000,100000] [--repeat 5] [--out benchmarks/]
       python tools/bench.py --smoke [--out DIR]

Databases are generated once into .bench/ (kept between runs). Each figure is the median
of repeated runs; the JSON written has, per figure, name, value, baseline, ratio and
target. Absolute times on shared machines are noisy: read the ratios.

Before any figure, the plans of the case list's statements (plain, and searching a common
and a rare word) are read on the largest database (ia_desk.db.plans): a figure taken
while a query reads a growing table whole is a figure of that database's statistics, not
of the design. The JSON lists what was found; ``--smoke`` fails on it.

``--smoke`` (part of ``make test``) runs every figure once on two small databases made
afresh in a temporary folder, their statistics scaled to a large department's, and fails
on a plan regression, never on a time. It writes ``smoke.json`` to ``--out`` (a temporary
folder unless given), never ``benchmarks/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PASSPHRASE = "benchmark passphrase, not a secret"
PASSWORD = "Measured-pass-2026"
os.environ["IA_DESK_PASSPHRASE"] = PASSPHRASE
os.environ["IA_DESK_USER"] = "bench"
os.environ["IA_DESK_PASSWORD"] = PASSWORD

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402

keyring.set_keyring(fail.Keyring())  # passphrase mode: the same key in every process

from sqlalchemy import select, text  # noqa: E402

from ia_desk.accounts.users import unlock_actor  # noqa: E402
from ia_desk.audit.trail import verify  # noqa: E402
from ia_desk.casefile.listing import CaseQuery, case_page, count_matching  # noqa: E402
from ia_desk.cases.intake import open_case, parse_report  # noqa: E402
from ia_desk.db.migrate import head_revision  # noqa: E402
from ia_desk.db.plans import captured, problems, scale_sqlite_statistics  # noqa: E402
from ia_desk.services.bulk import GENERATOR_VERSION, generate  # noqa: E402
from ia_desk.startup import open_database  # noqa: E402
from ia_desk.startup.setup import initialise  # noqa: E402

BENCH = ROOT / ".bench"
COUNTER = iter(range(10**9))  # report numbers unique within a run


def paired(app: Any, raw: Any, repeat: int) -> tuple[float, float]:
    """Medians of the app's and the baseline's work, run in turns: this machine's speed
    drifts by 2x over minutes, and measuring one after the other put the drift into
    the ratio."""
    app_t, raw_t = [], []
    for _ in range(repeat):
        for fn, times in ((app, app_t), (raw, raw_t)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(app_t), statistics.median(raw_t)


def database(n: int, events: int = 24) -> Path:
    # Named by the schema's revision and the generator's version: a database generated
    # by an older version (one whose trail was not signed, or whose reporters were all
    # off the roster, say) is never measured as if it were this one's.
    path = BENCH / f"cases-{n}-{head_revision()}-g{GENERATOR_VERSION}.db"
    # Written once the generator is done: a run killed while generating leaves a
    # database without it, which is made again rather than measured half-full.
    complete = path.with_name(path.name + ".complete")
    if path.exists() and complete.exists():
        return path
    BENCH.mkdir(exist_ok=True)
    for left in BENCH.glob(path.name + "*"):
        left.unlink()
    db, _ = initialise(str(path), "bench", "Benchmark", PASSWORD)
    with db.write(None) as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    t0 = time.perf_counter()
    generate(db, actor, n, events, progress=lambda m: print("  " + m, file=sys.stderr))
    print(f"generated {n:,} cases in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    db.dispose()
    complete.write_text(f"{n} cases, {events} events each\n")
    return path


def report(n: int) -> dict[str, Any]:
    return {
        "received_at": "2026-11-02T09:15:00-06:00",
        "channel": "supervisor",
        "reporter": {"mode": "anonymous"},
        "subjects": [{"badge": "B00001"}],
        "incident": {
            "occurred_on": "2026-10-30",
            "platform": "Facebook",
            "narrative": f"Benchmark report {n}: posted a photo of the cruiser.",
        },
        "clauses": ["vpd-3.21/III.D"],
    }


def fig(
    name: str, value: float, baseline: float | None, target: float | None, unit: str = "s"
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 6),
        "baseline": None if baseline is None else round(baseline, 6),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "unit": unit,
        "met": None if ratio is None or target is None else ratio <= target,
    }


def list_open(large: Path, small: Path, repeat: int) -> tuple[float, float]:
    """Opening the case list (count and first page) on two databases, in turns."""
    runs = []
    dbs = []
    for path in (large, small):
        db = open_database(str(path))
        dbs.append(db)
        with db.read() as s:
            actor = unlock_actor(s, "bench", PASSWORD)

        def run(db: Any = db, actor: Any = actor) -> None:
            with db.read() as s:
                count_matching(s, actor, CaseQuery())
                case_page(s, actor, CaseQuery(), 0, 200)

        run()
        runs.append(run)
    result = paired(runs[0], runs[1], repeat * 3)
    for db in dbs:
        db.dispose()
    return result


def search(path: Path, term: str, repeat: int) -> tuple[float, float, float]:
    """The app's search (count and first page of the list) against two floors: the bare
    FTS5 query (the issue's baseline: matches by rowid, their case rows) and raw SQL for
    the same page (date order, the list's columns, subjects and clauses; no flags)."""
    db = open_database(str(path))
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    q = CaseQuery(search=term)

    def app() -> None:
        with db.read() as s:
            count_matching(s, actor, q)
            case_page(s, actor, q, 0, 200)

    from ia_desk.cases.search import FEW, fts_query

    raw_q = fts_query(term)

    def raw() -> None:
        with db.engine.connect() as conn:
            conn.execute(
                text("SELECT count(*) FROM case_fts WHERE case_fts MATCH :q"), {"q": raw_q}
            ).scalar()
            ids = list(
                conn.execute(
                    text(
                        "SELECT rowid FROM case_fts WHERE case_fts MATCH :q "
                        "ORDER BY rowid DESC LIMIT 200"
                    ),
                    {"q": raw_q},
                ).scalars()
            )
            if ids:
                conn.execute(
                    text("SELECT * FROM ia_case WHERE id IN (%s)" % ",".join(str(i) for i in ids))
                ).all()

    def same_page() -> None:
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            n = cur.execute(
                "SELECT count(*) FROM case_fts WHERE case_fts MATCH ?", (raw_q,)
            ).fetchone()[0]
            key = "c.id" if n <= FEW else "+c.id"
            page = cur.execute(
                "SELECT c.id, c.number, c.status, c.received_at, c.received_offset_min, "
                "c.deadline_on, c.tolled_since, u.login FROM ia_case c "
                "LEFT JOIN app_user u ON u.id = c.assigned_to_id "
                f"WHERE {key} IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?) "
                "ORDER BY c.received_at DESC, c.id DESC LIMIT 200",
                (raw_q,),
            ).fetchall()
            ids = ",".join(str(r[0]) for r in page)
            if ids:
                cur.execute(
                    "SELECT cs.case_id, e.name FROM case_subject cs JOIN employee e "
                    f"ON e.id = cs.employee_id WHERE cs.case_id IN ({ids}) ORDER BY cs.id"
                ).fetchall()
                cur.execute(
                    "SELECT a.case_id, c.clause_id FROM allegation a JOIN clause c "
                    f"ON c.id = a.clause_pk WHERE a.case_id IN ({ids}) ORDER BY a.id"
                ).fetchall()
            raw.rollback()
        finally:
            raw.close()

    app()
    raw()
    same_page()
    app_t, raw_t = paired(app, raw, repeat * 3)
    app_t2, page_t = paired(app, same_page, repeat * 3)
    db.dispose()
    return statistics.median([app_t, app_t2]), raw_t, page_t


def intake(path: Path, repeat: int) -> tuple[float, float]:
    db = open_database(str(path))
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    counter = COUNTER

    def service() -> None:
        with db.write(actor) as s:
            open_case(s, actor, parse_report(report(next(counter))))

    def raw() -> None:
        n = next(counter)
        with db.engine.execution_options(ia_write=True).begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO ia_case (number, status, received_at, received_offset_min, channel,"
                    " deadline_on, created_at, updated_at, created_by_id, version_id) VALUES "
                    "(:n, 'received', '2026-11-02 15:15:00', -360, 'supervisor', '2027-01-31', "
                    "'2026-11-02', '2026-11-02', 1, 1)"
                ),
                {"n": f"RAW-{os.getpid()}-{n}"},
            )
            cid = conn.execute(text("SELECT last_insert_rowid()")).scalar()
            conn.execute(
                text(
                    "INSERT INTO reporter (case_id, received_at, mode, good_faith, "
                    "tracking_hash) VALUES (:c, '2026-11-02 15:15:00', 'anonymous', 0, 'x')"
                ),
                {"c": cid},
            )
            conn.execute(
                text(
                    "INSERT INTO incident (case_id, occurred_on, platform, narrative)"
                    " VALUES (:c, '2026-10-30', 'Facebook', :t)"
                ),
                {"c": cid, "t": report(n)["incident"]["narrative"]},
            )
            conn.execute(
                text("INSERT INTO case_subject (case_id, employee_id) VALUES (:c, 1000000)"),
                {"c": cid},
            )
            conn.execute(
                text(
                    "INSERT INTO allegation (case_id, employee_id, clause_pk, "
                    "created_at, created_by_id, version_id) VALUES (:c, 1000000, "
                    "(SELECT min(id) FROM clause), '2026-11-02', 1, 1)"
                ),
                {"c": cid},
            )
            conn.execute(
                text("INSERT INTO case_fts(rowid, number, narrative) VALUES (:c, :n, :t)"),
                {"c": cid, "n": f"RAW-{os.getpid()}-{n}", "t": "x"},
            )
            # The same bookkeeping rows the service writes: the year's counter, one audit
            # event (a fixed MAC: the HMAC is the service's own cost) and the chain head.
            conn.execute(
                text(
                    "INSERT INTO case_number_counter (year, last) VALUES (2026, 1) "
                    "ON CONFLICT (year) DO UPDATE SET last = last + 1"
                )
            )
            seq = conn.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar_one() + 1
            conn.execute(
                text(
                    "INSERT INTO audit_event (seq, at, user_login, workstation, event_type, "
                    "object_type, object_id, case_number, outcome, details, prev_mac, mac) "
                    "VALUES (:s, '2026-11-02 15:15:00', 'bench', 'bench', 'case.intake', "
                    "'case', :c, :n, 'ok', '{}', :m, :m)"
                ),
                {"s": seq, "c": str(cid), "n": f"RAW-{os.getpid()}-{n}", "m": "0" * 64},
            )
            conn.execute(
                text("UPDATE audit_head SET seq = :s, mac = :m WHERE id = 1"),
                {"s": seq, "m": "0" * 64},
            )

    service()
    result = paired(service, raw, repeat * 4)
    db.dispose()
    return result


def screenshot_20mb(path: Path, repeat: int) -> tuple[float, float]:
    import random

    from PIL import Image

    from ia_desk.evidence.store import EvidenceInput, add_evidence

    rnd = random.Random(os.getpid() ^ time.time_ns())
    db = open_database(str(path))
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
        number = s.execute(
            text("SELECT number FROM ia_case WHERE status != 'closed' ORDER BY id LIMIT 1")
        ).scalar()
    images = []
    for i in range(repeat):
        im = Image.frombytes("RGB", (2600, 2600), rnd.randbytes(2600 * 2600 * 3))
        out = io.BytesIO()
        im.save(out, "PNG", compress_level=1)
        images.append(out.getvalue())
    size_mb = len(images[0]) / 1024**2
    service_t, raw_t = [], []
    for i, data in enumerate(images):
        t0 = time.perf_counter()
        with db.write(actor) as s:
            add_evidence(s, actor, number, [EvidenceInput(data, f"big-{i}.png")])
        service_t.append(time.perf_counter() - t0)
        raw_data = data + b"raw"
        t0 = time.perf_counter()
        digest = hashlib.sha256(raw_data).hexdigest()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO evidence_blob (sha256, size, data, stored_at) VALUES "
                    "(:h, :n, :d, '2026-11-02')"
                ),
                {"h": digest, "n": len(raw_data), "d": raw_data},
            )
        raw_t.append(time.perf_counter() - t0)
    db.dispose()
    print(f"  screenshots of {size_mb:.1f} MB", file=sys.stderr)
    return statistics.median(service_t), statistics.median(raw_t)


def summary_pdf(path: Path, repeat: int) -> tuple[float, float]:
    from PIL import Image
    from reportlab.lib.pagesizes import LETTER
    from reportlab.platypus import Image as RLImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from ia_desk.cases.allegations import add_allegation
    from ia_desk.evidence.store import EvidenceInput, add_evidence
    from ia_desk.reports.pdf import styles
    from ia_desk.reports.summary import summary

    db = open_database(str(path))
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    with db.write(actor) as s:
        number = open_case(s, actor, parse_report(report(999_999))).case.number
        rules = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT DISTINCT clause_id FROM clause WHERE is_rule AND clause_id LIKE 'vpd%' "
                    "LIMIT 12"
                )
            )
        ]
        for cid in rules:
            if (
                len(
                    s.execute(
                        text(
                            "SELECT id FROM allegation WHERE case_id = (SELECT id FROM "
                            "ia_case WHERE number = :n)"
                        ),
                        {"n": number},
                    ).all()
                )
                >= 10
            ):
                break
            try:
                add_allegation(s, actor, number, "B00001", cid)
            except Exception:  # noqa: BLE001 - already alleged
                pass
        shots = []
        for i in range(20):
            out = io.BytesIO()
            Image.new("RGB", (900, 560), (i * 10 % 256, 80, 120)).save(out, "PNG")
            shots.append(out.getvalue())
        add_evidence(s, actor, number, [EvidenceInput(d, f"s{i}.png") for i, d in enumerate(shots)])
        texts = [
            r[0]
            for r in s.execute(
                text(
                    "SELECT c.text FROM allegation a JOIN clause c ON c.id = a.clause_pk JOIN ia_case k "
                    "ON k.id = a.case_id WHERE k.number = :n"
                ),
                {"n": number},
            )
        ]

    def app() -> None:
        with db.write(actor) as s:
            summary(s, actor, number, "ia")

    st = styles()

    def raw() -> None:
        story: list[Any] = [Paragraph(t, st["body"]) for t in texts]
        for d in shots:
            story.append(RLImage(io.BytesIO(d), 180, 112))
        SimpleDocTemplate(io.BytesIO(), pagesize=LETTER).build(story)

    app()
    raw()
    result = paired(app, raw, repeat)
    db.dispose()
    return result


# The stored rows of the trail, as the floors of audit verify read them.
STORED_EVENTS = (
    "SELECT seq, at, user_login, workstation, event_type, object_type, object_id, "
    "case_number, outcome, details, prev_mac, mac, signer_key, signature "
    "FROM audit_event ORDER BY seq"
)


def audit_verify(path: Path) -> tuple[float, float, float, int]:
    """The app's verify (chain, every author's signature, the records bound to their
    events) against two floors over the same rows: the bare primitives (one HMAC-SHA256
    and, for each signed row, one Ed25519 verification, on the app's canonical form), and
    the truer one of issue 24: reading the same stored bytes and hashing each row with
    ``hashlib`` alone (no canonical form, no key, no signature)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from ia_desk.audit.signatures import public_keys, signing_message
    from ia_desk.audit.trail import canonical_form
    from ia_desk.security.crypto import unb64

    db = open_database(str(path))
    t0 = time.perf_counter()
    with db.read() as s:
        result = verify(s)
    app = time.perf_counter() - t0
    assert result.ok, result.problem
    key = db.audit_key
    with db.read() as s:
        keys = {fp: Ed25519PublicKey.from_public_bytes(k) for fp, k in public_keys(s).items()}
    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(STORED_EVENTS)
        )
        for r in rows:
            msg = canonical_form(
                r[0],
                dt.datetime.fromisoformat(str(r[1])),
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
            )
            hmac.new(key, msg, hashlib.sha256).hexdigest()
            if r[13]:
                keys[r[12]].verify(unb64(r[13]), signing_message(msg))
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(STORED_EVENTS)
        )
        for r in rows:
            hashlib.sha256("\x1f".join("" if c is None else str(c) for c in r).encode()).digest()
    hashed = time.perf_counter() - t0
    db.dispose()
    return app, raw, hashed, result.checked


def sign_in(path: Path, repeat: int) -> tuple[float, float]:
    """Signing in (the password's Argon2id hash, then the person's key unwrapped under an
    Argon2id key from the same password) against the floor of checking the password
    hash alone, as sign-in did before keys."""
    from ia_desk.accounts.users import authenticate
    from ia_desk.db.models import User
    from ia_desk.security import passwords

    db = open_database(str(path))
    with db.read() as s:
        stored = s.scalars(select(User.password_hash).where(User.login == "bench")).one()

    def app() -> None:
        authenticate(db, "bench", PASSWORD)

    def raw() -> None:
        passwords.verify_password(stored, PASSWORD)

    result = paired(app, raw, repeat)
    db.dispose()
    return result


def audit_append(path: Path, repeat: int) -> tuple[float, float]:
    """Appending 200 audit events signed by their author against the same 200 with the
    MAC chain alone (no signature): the cost of signing, in one transaction each."""
    from ia_desk.audit.trail import append

    db = open_database(str(path))
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)

    def appender(signed: bool) -> Any:
        def run() -> None:
            with db.write(None, audit_only=True) as s:
                for _ in range(200):
                    append(
                        s,
                        actor if signed else None,
                        "case.view" if signed else "db.bench_unsigned",
                        object_type="case",
                        object_id=1,
                        details={"bench": True},
                    )

        return run

    result = paired(appender(True), appender(False), repeat)
    db.dispose()
    return result


def time_to_window(args: list[str]) -> float:
    """Seconds from starting a process to its line saying the main window is shown."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ)
    )
    assert proc.stdout is not None
    shown = None
    for line in proc.stdout:
        if "shown" in line and shown is None:
            shown = time.perf_counter() - t0
    proc.wait(timeout=300)
    if shown is None:
        raise subprocess.CalledProcessError(proc.returncode, args)
    return shown


def subprocess_time(args: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        args, check=True, capture_output=True, env={**os.environ, **(env or {})}, timeout=300
    )
    return time.perf_counter() - t0


BARE_QT = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QTableView()); w.show()
QTimer.singleShot(0, lambda: (print("main window shown", flush=True), app.quit()))
app.exec()
"""

# What each measured child process starts with: this checkout, and passphrase mode.
CHILD = """
import os, sys
sys.path.insert(0, {root!r})
import keyring
from keyring.backends import fail
keyring.set_keyring(fail.Keyring())
"""

MEMORY = (
    CHILD
    + """
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QThreadPool
from ia_desk.startup import open_database
from ia_desk.accounts.users import unlock_actor
from ui.screens.cases import CasesPage
app = QApplication([])
db = open_database({path!r})
with db.read() as s:
    actor = unlock_actor(s, "bench", os.environ["IA_DESK_PASSWORD"])
page = CasesPage(db, actor)
page.show()
for _ in range(20):
    QThreadPool.globalInstance().waitForDone(); app.processEvents()
import gc
gc.collect()
# Resident memory with the list open (the peak is set by start-up, the same at any size).
rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS:")][0].split()[1]
print(rss)
"""
)


STALL = (
    CHILD
    + """
import time
from PySide6.QtCore import QTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from ia_desk.startup import open_database
from ia_desk.accounts.users import unlock_actor
from ui.main_window import MainWindow

if __name__ == "__main__":
    app = QApplication([])
    db = open_database({path!r})
    with db.read() as s:
        actor = unlock_actor(s, "bench", os.environ["IA_DESK_PASSWORD"])
    win = MainWindow(db, actor)
    win.show()
    from ui.app import after_start
    after_start(win)  # what ui.app.run_app does once the window is up
    beats, phase, worst = [time.perf_counter()], ["start"], {{}}

    def beat():  # a heartbeat every 5 ms: the longest gap is the longest stall
        now = time.perf_counter()
        gap = now - beats[-1] - 0.005
        beats.append(now)
        if gap > worst.get(phase[0], 0.0):
            worst[phase[0]] = gap

    heart = QTimer(interval=5)
    heart.timeout.connect(beat)
    steps = []

    def typing():
        phase[0] = "typing a search"
        win.cases.search.setFocus()
        for i, ch in enumerate("patrol car"):
            QTimer.singleShot(120 * i, lambda ch=ch: QTest.keyClick(win.cases.search, ch))
        QTimer.singleShot(3000, scrolling)

    def scrolling():
        phase[0] = "scrolling the list"
        win.cases.search.clear()
        bar = win.cases.table.verticalScrollBar()
        for i in range(60):
            QTimer.singleShot(60 * i, lambda: bar.setValue(bar.maximum()))
        QTimer.singleShot(5000, printing)

    def printing():
        phase[0] = "printing a summary (preview)"
        win.cases.table.selectRow(0)
        QTimer.singleShot(4000, lambda: [w.accept() for w in app.topLevelWidgets()
                                         if isinstance(w, QDialog) and w.isVisible()])
        win.print_selected()  # modal: its own event loop, the heartbeat goes on
        QTimer.singleShot(500, done)

    def done():
        heart.stop()
        for name, gap in worst.items():
            print(f"STALL {{name}}={{gap:.4f}}", flush=True)
        app.quit()

    def start():  # the window is up and idle: measure from now
        beats.append(time.perf_counter())
        heart.start()
        typing()

    QTimer.singleShot(1500, start)
    app.exec()
    from ia_desk.evidence.decode import shutdown_worker
    shutdown_worker()
    os._exit(0)
"""
)


def gui_stalls(path: Path) -> dict[str, float]:
    """The longest event-loop stall (s) in each phase: typing, scrolling, printing."""
    script = BENCH / "stall_probe.py"
    script.write_text(STALL.format(root=str(ROOT), path=str(path)))
    out = subprocess.run(
        [sys.executable, str(script)], check=True, capture_output=True, text=True, timeout=600
    )
    stalls = {}
    for line in out.stdout.splitlines():
        if line.startswith("STALL "):
            name, value = line[6:].rsplit("=", 1)
            stalls[name] = float(value)
    return stalls


def memory_kb(path: Path) -> int:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY.format(root=str(ROOT), path=str(path))],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return int(out.stdout.strip().splitlines()[-1])


def plan_problems(path: Path, scale: int = 1) -> dict[str, list[str]]:
    """The statements one opening of the case list runs (plainly, and searching a common
    and a rare word) whose plan reads a growing table whole, on ``path``; its statistics
    first scaled up ``scale`` times (a small database planning as a large one does)."""
    db = open_database(str(path))
    if scale > 1:
        scale_sqlite_statistics(db.engine, scale)
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    found: dict[str, list[str]] = {}
    for term in (None, "patrol", "Ref 4242"):
        with captured(db.engine) as seen, db.read() as s:
            count_matching(s, actor, CaseQuery(search=term))
            case_page(s, actor, CaseQuery(search=term), 0, 200)
        found.update(problems(db.engine, seen))
    db.dispose()
    return found


def main() -> int:
    global BENCH
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=None, help="default 1000,10000,100000 (smoke: 60,240)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=None, help="default benchmarks/ (smoke: a temp folder)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="every figure once on small fresh databases; fails on a plan regression",
    )
    args = parser.parse_args()
    if args.smoke:
        BENCH = Path(tempfile.mkdtemp(prefix="ia-desk-bench-smoke-"))
        args.repeat = 1
    try:
        return measure(args)
    finally:
        if args.smoke:
            shutil.rmtree(BENCH, ignore_errors=True)


def measure(args: argparse.Namespace) -> int:
    sizes = [
        int(x) for x in (args.sizes or ("60,240" if args.smoke else "1000,10000,100000")).split(",")
    ]
    small, large = sizes[0], sizes[-1]
    paths = {n: database(n) for n in sizes}
    # A smoke database is a few hundred cases: it plans as 100,000 would only once its
    # statistics say so (the figures below then run on the same plans).
    plans = plan_problems(paths[large], max(1, 100_000 // large) if args.smoke else 1)
    for statement, lines in plans.items():
        print(f"PLAN REGRESSION: {statement}\n    " + "\n    ".join(lines), file=sys.stderr)
    if plans and args.smoke:
        return 1
    figures = []
    for n in sizes[1:]:
        figures.append(
            fig(
                f"open case list, {n:,} vs {small:,} cases",
                *list_open(paths[n], paths[small], args.repeat),
                1.2,
            )
        )
    for term in ("patrol", "Ref 4242"):
        app_t, raw_t, page_t = search(paths[large], term, args.repeat)
        figures.append(fig(f"full-text search '{term}' over {large:,} cases", app_t, raw_t, 1.5))
        figures.append(
            fig(
                f"full-text search '{term}', vs raw SQL for the same page (no flags)",
                app_t,
                page_t,
                None,
            )
        )
    app_t, raw_t = intake(paths[small], args.repeat)
    figures.append(fig("report intake through the service (audit + HMAC)", app_t, raw_t, 3.0))
    app_t, raw_t = screenshot_20mb(paths[small], max(3, args.repeat // 2))
    figures.append(fig("adding a ~20 MB screenshot", app_t, raw_t, 3.0))
    app_t, raw_t = summary_pdf(paths[small], args.repeat)
    figures.append(fig("case summary PDF, 10 allegations and 20 screenshots", app_t, raw_t, 1.5))
    app_t, raw_t, hashed_t, events = audit_verify(paths[large])
    figures.append(
        fig(
            f"audit verify over {events:,} events, vs reading the stored rows and SHA-256 "
            "alone (hashlib)",
            app_t,
            hashed_t,
            3.0,
        )
    )
    figures.append(
        fig(
            f"audit verify over {events:,} events (chain, signatures, bound records), vs "
            "bare HMAC + Ed25519",
            app_t,
            raw_t,
            1.5,
        )
    )
    figures.append(fig(f"audit verify over {events:,} events, seconds", app_t, None, None, "s"))
    app_t, raw_t = sign_in(paths[small], args.repeat)
    figures.append(
        fig("sign-in (password and key, Argon2id) vs the password hash alone", app_t, raw_t, 2.5)
    )
    app_t, raw_t = audit_append(paths[small], args.repeat)
    figures.append(fig("200 audit appends signed (Ed25519) vs MAC chain alone", app_t, raw_t, 2.0))
    bares, floors, starts = [], [], []
    for _ in range(1 if args.smoke else 5):  # in turns, like the paired figures
        bares.append(time_to_window([sys.executable, "-c", BARE_QT]))
        floors.append(time_to_window([sys.executable, "-c", "import sqlalchemy.orm\n" + BARE_QT]))
        try:
            starts.append(
                time_to_window(
                    [
                        sys.executable,
                        "-c",
                        "import sys; sys.path.insert(0, %r); from ui.launcher "
                        "import main; sys.exit(main(['--db', %r, '--check-start']))"
                        % (str(ROOT), str(paths[large])),
                    ]
                )
            )
        except subprocess.CalledProcessError as exc:
            print(f"  a cold start failed: {exc}", file=sys.stderr)
    bare = statistics.median(bares)
    cold = statistics.median(starts) if starts else float("nan")
    figures.append(fig(f"cold start to the main window, {large:,} cases", cold, bare, 2.0))
    # What any app on this stack pays before its first query: the same bare window, after
    # importing SQLAlchemy's ORM (no models, no database).
    figures.append(
        fig(
            "cold start floor: a bare window after importing SQLAlchemy's ORM",
            statistics.median(floors),
            bare,
            None,
        )
    )
    stalls = gui_stalls(paths[large])
    for name, gap in sorted(stalls.items()):
        figures.append(fig(f"longest GUI stall, {name}, {large:,} cases", gap, None, None, "s"))
        figures[-1]["target"] = 0.1  # an absolute limit, not a ratio
        figures[-1]["met"] = gap < 0.1
    mem_small, mem_large = memory_kb(paths[small]), memory_kb(paths[large])
    figures.append(
        fig(
            f"memory with the case list open, {large:,} vs {small:,} cases",
            mem_large,
            mem_small,
            1.2,
            "KiB",
        )
    )
    # SQLCipher's cost: the intake workload on a plain SQLite copy of the small database.
    plain = BENCH / f"plain-{paths[small].name}"  # of this schema and generator
    if not plain.exists():
        # Opened as the app opens it (the bench user's own password unwraps the key):
        # the shared passphrase no longer opens a database.
        enc = open_database(str(paths[small]))
        with enc.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
            raw.execute("SELECT sqlcipher_export('plain')")
            raw.execute("DETACH DATABASE plain")
        enc.dispose()
    enc_t, plain_t = intake_encrypted_vs_plain(paths[small], plain, args.repeat)
    figures.append(
        fig(
            "SQLCipher cost on the intake workload (encrypted vs plain SQLite)",
            enc_t,
            plain_t,
            None,
        )
    )
    width = max(len(f["name"]) for f in figures)
    print(f"{'figure':<{width}}  {'value':>10}  {'baseline':>10}  {'ratio':>6}  target")
    for f in figures:
        base = "" if f["baseline"] is None else f"{f['baseline']:.4g}"
        ratio = "" if f["ratio"] is None else f"{f['ratio']:.2f}"
        target = "report" if f["target"] is None else f"≤ {f['target']}"
        mark = "" if f["met"] is None else (" ok" if f["met"] else " MISSED")
        print(f"{f['name']:<{width}}  {f['value']:>10.4g}  {base:>10}  {ratio:>6}  {target}{mark}")
    out = Path(args.out or (BENCH if args.smoke else ROOT / "benchmarks"))
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sizes": sizes,
        "repeat": args.repeat,
        "machine": {"cpus": os.cpu_count(), "python": sys.version},
        "plan_problems": plans,
        "figures": figures,
    }
    target = out / ("smoke.json" if args.smoke else "latest.json")
    target.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"written {target}")
    return 0


def intake_encrypted_vs_plain(encrypted: Path, plain: Path, repeat: int) -> tuple[float, float]:
    """The intake workload on the encrypted database and on a plain SQLite copy, in turns."""
    import warnings

    warnings.simplefilter("ignore")
    enc_db = open_database(str(encrypted))
    os.environ["IA_DESK_DB"] = f"sqlite:///{plain}"
    try:
        plain_db = open_database(f"sqlite:///{plain}")
        services = []
        for db in (enc_db, plain_db):
            with db.read() as s:
                actor = unlock_actor(s, "bench", PASSWORD)

            def service(db: Any = db, actor: Any = actor) -> None:
                with db.write(actor) as s:
                    open_case(s, actor, parse_report(report(next(COUNTER))))

            service()
            services.append(service)
        result = paired(services[0], services[1], repeat * 4)
        plain_db.dispose()
    finally:
        os.environ.pop("IA_DESK_DB", None)
        enc_db.dispose()
    return result


if __name__ == "__main__":
    sys.exit(main())
