#!/usr/bin/env bash
# Smoke test of the frozen bundle: the CLI end to end on a temporary database, then the
# desktop app started offscreen until its main window is shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(ls -d dist/ia-desk-*/ | head -n 1)
cli="$bundle/ia-desk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export IA_DESK_DATA_DIR="$work/data" IA_DESK_PASSPHRASE="smoke test passphrase"
export IA_DESK_USER=smoke IA_DESK_PASSWORD="Frozen-check-pass-2026" IA_DESK_NEW_PASSWORD="Frozen-check-pass-2026"
export QT_QPA_PLATFORM=offscreen
db="$work/smoke.db"
"$cli" --version
"$cli" --db "$db" init --admin smoke --name "Smoke Test"
cat > "$work/report.json" <<'JSON'
{"received_at": "2026-11-02T09:15:00-06:00", "channel": "supervisor",
 "reporter": {"mode": "anonymous"},
 "subjects": [{"badge": "1234", "name": "John Roe", "department": "police"}],
 "incident": {"occurred_on": "2026-10-30", "platform": "Facebook",
              "narrative": "Posted body cam video of an arrest."},
 "clauses": ["vpd-3.21/III.D"]}
JSON
"$cli" --db "$db" report add "$work/report.json" --json
cp resources/icons/ia-desk.png "$work/shot.png"
"$cli" --db "$db" evidence add IA-2026-0001 "$work/shot.png" --json
"$cli" --db "$db" summary IA-2026-0001 --out "$work/x.pdf"
test -s "$work/x.pdf"
# A PDF as evidence: pikepdf checks it in the frozen decoder's own process.
cp "$work/x.pdf" "$work/capture.pdf"
"$cli" --db "$db" evidence add IA-2026-0001 "$work/capture.pdf" --json
"$cli" --db "$db" audit verify
"$cli" --db "$db" policy suggest "selfie in uniform with the cruiser" --top 1
timeout 120 "$bundle/IA Desk" --db "$db" --check-start

# The same bundle against a PostgreSQL server, when scripts/with-postgres.sh started one.
if [ -n "${IA_DESK_TEST_PG_ADMIN_URL:-}" ]; then
  name="dist_smoke_$$"
  .venv/bin/python - "$name" <<'PY'
import os, sys
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["IA_DESK_TEST_PG_ADMIN_URL"], isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    conn.execute(text(f"CREATE DATABASE {sys.argv[1]} OWNER ia_desk_owner"))
PY
  pg="$IA_DESK_TEST_PG_URL/$name"
  "$cli" --db "$pg" init --admin smoke --name "Smoke Test"
  "$cli" --db "$pg" report add "$work/report.json" --json
  "$cli" --db "$pg" evidence add IA-2026-0001 "$work/shot.png" --json
  "$cli" --db "$pg" case list --search "body cam"
  "$cli" --db "$pg" summary IA-2026-0001 --out "$work/pg.pdf"
  "$cli" --db "$pg" audit verify
  timeout 120 "$bundle/IA Desk" --db "$pg" --check-start
  echo "dist smoke test on PostgreSQL passed"
fi
echo "dist smoke test passed"
