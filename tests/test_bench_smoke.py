"""``make bench`` kept working (issue 24): its smoke run, every figure once on small
databases made afresh, fails on a plan regression and never on a time. The figures
themselves are measured by ``make bench``, never by a test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each kind of figure the README's table reports: the smoke run must still produce them.
FIGURES = (
    "open case list",
    "full-text search 'patrol' over",
    "full-text search 'Ref 4242' over",
    "report intake through the service",
    "adding a ~20 MB screenshot",
    "case summary PDF",
    "SHA-256 alone (hashlib)",
    "bare HMAC + Ed25519",
    "sign-in",
    "audit appends",
    "cold start to the main window",
    "longest GUI stall",
    "memory with the case list open",
)


def test_the_bench_smoke_run_takes_every_figure_and_finds_no_plan_regression(tmp_path):
    committed = ROOT / "benchmarks" / "latest.json"
    before = committed.read_bytes()
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "PLAN REGRESSION" not in run.stderr
    doc = json.loads((tmp_path / "smoke.json").read_text())
    assert doc["plan_problems"] == {}
    names = [f["name"] for f in doc["figures"]]
    missing = [kind for kind in FIGURES if not any(kind in name for name in names)]
    assert missing == []
    assert all(f["value"] > 0 for f in doc["figures"]), doc["figures"]
    assert committed.read_bytes() == before  # the smoke run never writes the committed table
