#!/usr/bin/env bash
# Run a command beside a throw-away PostgreSQL server, for the test suite.
#
#   bash scripts/with-postgres.sh COMMAND [ARGS...]
#
# Installs Debian's postgresql package when no server binaries are found (as root),
# initialises a cluster in a temporary directory as a non-root user (PostgreSQL refuses
# to run as root), starts it on 127.0.0.1 on a free port with password (SCRAM)
# authentication, creates the two roles the README's server script creates (an owner that
# runs migrations and a workstation role), then runs COMMAND with
#   IA_DESK_TEST_PG_ADMIN_URL  a superuser URL (creates and drops the tests' databases)
#   IA_DESK_TEST_PG_URL        the owner role's URL, without a database name
#   IA_DESK_TEST_PG_APP_URL    the workstation role's URL, without a database name
#   IA_DESK_TEST_PG_TLS        1 when the server speaks TLS (self-signed certificate)
# and stops the server and removes the cluster afterwards, whatever COMMAND did.
# With no server to be had, COMMAND runs without these variables (the suite then skips
# its PostgreSQL half loudly, or fails under CI=true).
set -euo pipefail

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "with-postgres: installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bindir=$(find_bindir || true)
fi
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server found (apt-get install postgresql); running without it" >&2
  exec "$@"
fi

# The server runs as a non-root user: the invoking user, or when that is root, the
# 'postgres' account of the Debian package (made here if missing).
run_as=()
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  owner=postgres
  run_as=(runuser -u postgres --)
fi

work=$(mktemp -d /tmp/ia-desk-pg.XXXXXX)
chmod 755 "$work"
chown "$owner" "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
superpw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$superpw" > "$work/pw"
chown "$owner" "$work/pw"
chmod 600 "$work/pw"

stop() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT

"${run_as[@]}" "$bindir/initdb" -D "$work/data" -U postgres --auth=scram-sha-256 \
  --pwfile="$work/pw" -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
# TLS with a throw-away self-signed certificate, so the suite connects as workstations do.
tls=""
if command -v openssl >/dev/null 2>&1; then
  openssl req -new -x509 -days 2 -nodes -subj /CN=localhost -keyout "$work/server.key" \
    -out "$work/server.crt" >/dev/null 2>&1
  chown "$owner" "$work/server.key" "$work/server.crt"
  chmod 600 "$work/server.key"
  tls="-c ssl=on -c ssl_cert_file=$work/server.crt -c ssl_key_file=$work/server.key"
  export IA_DESK_TEST_PG_TLS=1
fi
"${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work -c fsync=off -c max_connections=200 $tls" \
  start >/dev/null || { cat "$work/server.log" >&2; exit 1; }

apppw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
PGPASSWORD="$superpw" "$bindir/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<SQL
CREATE ROLE ia_desk_owner LOGIN CREATEDB PASSWORD '$apppw';
CREATE ROLE ia_desk_app LOGIN PASSWORD '$apppw';
SQL

export IA_DESK_TEST_PG_ADMIN_URL="postgresql+psycopg://postgres:$superpw@127.0.0.1:$port/postgres"
export IA_DESK_TEST_PG_URL="postgresql+psycopg://ia_desk_owner:$apppw@127.0.0.1:$port"
export IA_DESK_TEST_PG_APP_URL="postgresql+psycopg://ia_desk_app:$apppw@127.0.0.1:$port"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
code=$?
set -e
exit $code
