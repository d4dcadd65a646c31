"""How opening a very large screenshot in the evidence viewer costs the app's own process.

Usage: python tools/measure_viewer.py [--side 7740] [--opens 3]

Builds a throw-away database holding one SIDE x SIDE PNG (7,740 x 7,740 is just under
the 60 M pixel intake limit), then, in a fresh process that is the app (offscreen Qt),
opens the item in ``EvidenceViewer`` several times and prints for each opening: the
time from opening the window to the picture being shown, the longest stall of the GUI
event loop meanwhile (a 5 ms heartbeat), and the app process's peak resident memory
over what it held just before (Linux: VmHWM, reset through /proc/self/clear_refs). The
decoder's worker is a separate process: its memory is not the app's. Not a test: the
figures go into the report of the change that needs them.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Measured-pass-2026"
ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "IA_DESK_PASSPHRASE": "measurement passphrase, not a secret",
    "IA_DESK_USER": "bench",
    "IA_DESK_PASSWORD": PASSWORD,
}

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
import keyring
from keyring.backends import fail
keyring.set_keyring(fail.Keyring())


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # MB


if __name__ == "__main__":
    # A spawned decoder worker imports this file again: only the app runs this part.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from ia_desk.startup import open_database
    from ia_desk.accounts.users import unlock_actor
    from ui.evidence_viewer import EvidenceViewer
    from ui.worker import pending_tasks

    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)
    db = open_database({path!r})
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    opens = []


    def open_once():
        import gc
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # the peak (VmHWM) starts again from what is resident now
        before = status("VmRSS")
        beats, worst = [time.perf_counter()], [0.0]

        def beat():
            now = time.perf_counter()
            worst[0] = max(worst[0], now - beats[-1] - 0.005)
            beats.append(now)

        heart = QTimer(interval=5)
        heart.timeout.connect(beat)
        heart.start()
        t0 = time.perf_counter()
        viewer = EvidenceViewer(db, actor, {eid})
        viewer.show()

        def check():
            if time.perf_counter() - t0 > 120:
                print("not shown after 120 s:", getattr(viewer, "scale_note", viewer.badge).text(), flush=True)
                os._exit(1)
            if viewer.view.item is None or pending_tasks():
                QTimer.singleShot(1, check)
                return
            beat()  # the gap up to now counts too
            shown = time.perf_counter() - t0
            heart.stop()
            opens.append((shown, worst[0], status("VmHWM") - before))
            viewer.close()
            viewer.deleteLater()
            QTimer.singleShot(300, next_open)

        QTimer.singleShot(1, check)


    def next_open():
        if len(opens) == {opens}:
            for i, (shown, stall, peak) in enumerate(opens, 1):
                print(f"open {{i}}: shown after {{shown * 1000:.0f}} ms, longest GUI stall "
                      f"{{stall * 1000:.0f}} ms, app peak RSS +{{peak:.0f}} MB", flush=True)
            app.quit()
            return
        open_once()


    QTimer.singleShot(500, next_open)
    app.exec()
    from ia_desk.evidence.decode import shutdown_worker
    shutdown_worker()
    os._exit(0)
"""


def build(path: Path, side: int) -> int:
    """A database with one SIDE x SIDE screenshot-like PNG as evidence; returns its id."""
    from PIL import Image, ImageDraw

    from ia_desk.accounts.users import unlock_actor
    from ia_desk.cases.intake import open_case, parse_report
    from ia_desk.evidence.store import EvidenceInput, add_evidence
    from ia_desk.startup.setup import initialise

    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, side, 24):  # lines of "text": compresses like a screenshot does
        draw.rectangle((40, y + 6, 40 + (y * 7919) % (side - 80), y + 16), fill=(40, 40, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    print(f"{side:,} x {side:,} PNG: {len(data) / 1024**2:.1f} MB on disk", file=sys.stderr)
    db, _ = initialise(str(path), "bench", "Benchmark", PASSWORD)
    with db.read() as s:
        actor = unlock_actor(s, "bench", PASSWORD)
    report = parse_report(
        {
            "received_at": "2026-11-02T09:15:00-06:00",
            "channel": "supervisor",
            "reporter": {"mode": "anonymous"},
            "subjects": [{"badge": "1234", "name": "John Roe", "department": "police"}],
            "incident": {
                "occurred_on": "2026-10-30",
                "platform": "Facebook",
                "narrative": "Posted a very long screenshot.",
            },
            "clauses": ["vpd-3.21/III.M"],
        }
    )
    with db.write(actor) as s:
        number = open_case(s, actor, report).case.number
        added = add_evidence(s, actor, number, [EvidenceInput(data, "huge.png")])
        (item,) = getattr(added, "evidence", added)  # a plain list before issue 18
        eid = item.id
    from ia_desk.evidence.decode import shutdown_worker

    shutdown_worker()
    db.dispose()
    return eid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=7740)
    parser.add_argument("--opens", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(ENV)
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["IA_DESK_DATA_DIR"] = tmp
        path = Path(tmp) / "viewer.db"
        eid = build(path, args.side)
        script = Path(tmp) / "probe.py"
        script.write_text(CHILD.format(root=str(ROOT), path=str(path), eid=eid, opens=args.opens))
        done = subprocess.run([sys.executable, str(script)], check=False)
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
