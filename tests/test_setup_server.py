"""The README's server script, run for real: a cluster of its own, then IA Desk on it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ia_desk.accounts.users import unlock_actor
from ia_desk.audit.trail import verify
from ia_desk.cases.intake import open_case, parse_report
from ia_desk.startup import open_database
from ia_desk.startup.setup import initialise

from .conftest import AUDIT_PASSPHRASE, PASSWORD, report_doc

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "setup-server.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("pg_createcluster") is None,
    reason="needs root and Debian's postgresql-common (it makes a cluster of its own)",
)
def test_the_server_script_sets_up_a_server_workstations_can_use(monkeypatch):
    cluster, port = f"iadesk_t{os.getpid()}", _free_port()
    env = dict(
        os.environ, IA_DESK_OWNER_PASSWORD="owner-Pw-2026", IA_DESK_APP_PASSWORD="app-Pw-2026"
    )
    try:
        for _ in range(2):  # a second run changes nothing that matters
            done = subprocess.run(
                [
                    "bash",
                    str(SCRIPT),
                    "--cluster",
                    cluster,
                    "--port",
                    str(port),
                    "--allow",
                    "10.99.0.0/24",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
        assert "ia-desk db connect" in done.stdout and "owner-Pw" not in done.stdout
        base = f"postgresql+psycopg://{{}}@127.0.0.1:{port}/ia_desk?sslmode=require"
        monkeypatch.setenv("IA_DESK_PASSPHRASE", AUDIT_PASSPHRASE)
        db, _ = initialise(base.format("ia_desk_owner:owner-Pw-2026"), "boss", "Boss", PASSWORD)
        db.dispose()
        station = open_database(base.format("ia_desk_app:app-Pw-2026"))
        try:
            with station.read() as s:
                actor = unlock_actor(s, "boss", PASSWORD)
            with station.write(actor) as s:
                assert open_case(s, actor, parse_report(report_doc())).case.number
            with station.read() as s:
                assert verify(s).ok
            with pytest.raises(DBAPIError, match="permission denied"), station.engine.begin() as c:
                c.execute(text("DELETE FROM audit_event"))
            with station.engine.connect() as c:  # the connection is encrypted
                assert c.execute(
                    text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                ).scalar()
        finally:
            station.dispose()
    finally:
        subprocess.run(
            ["pg_dropcluster", "--stop", _version(), cluster], capture_output=True, timeout=120
        )


def _version() -> str:
    return sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[
        -1
    ]
