#!/usr/bin/env bash
# Stand up the PostgreSQL server for IA Desk on Debian or Ubuntu (run as root).
#
#   sudo bash scripts/setup-server.sh --allow 10.20.0.0/24
#
# Options:
#   --allow CIDR      workstations' network (repeatable); without it only this computer
#                     can connect. Remote connections must use TLS (hostssl).
#   --cluster NAME    a PostgreSQL cluster of its own (made if missing); default: main
#   --port PORT       the new cluster's port (with --cluster); default 5432
#   --database NAME   default ia_desk
# Passwords: IA_DESK_OWNER_PASSWORD and IA_DESK_APP_PASSWORD, or generated and printed
# once. Run it again at any time: it changes only what differs.
#
# Two accounts: ia_desk_owner owns the tables and runs upgrades (an administrator's
# account); ia_desk_app is what workstations sign in with. IA Desk's migrations let the
# app account read and add audit rows but never change or delete them.
set -euo pipefail

allow=()
cluster=main
port=5432
database=ia_desk
while [ $# -gt 0 ]; do
  case "$1" in
    --allow) allow+=("$2"); shift 2 ;;
    --cluster) cluster="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --database) database="$2"; shift 2 ;;
    *) echo "setup-server: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$database" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "setup-server: bad database name" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "setup-server: run as root (sudo)" >&2; exit 2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "setup-server: installing PostgreSQL"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql openssl >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  if [ "$cluster" = main ]; then
    pg_createcluster "$version" main >/dev/null
  else
    pg_createcluster "$version" "$cluster" --port "$port" >/dev/null
  fi
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
conf=/etc/postgresql/$version/$cluster

# TLS: Debian's own certificate when there is one, else a self-signed one made here
# (replace it with the department's certificate for verify-full on the workstations).
if ! grep -Eq "^ssl_cert_file" "$conf/postgresql.conf" || \
   [ ! -r "$(sed -n "s/^ssl_cert_file *= *'\(.*\)'.*/\1/p" "$conf/postgresql.conf" | tail -1)" ]; then
  openssl req -new -x509 -days 825 -nodes -subj "/CN=$(hostname -f 2>/dev/null || hostname)" \
    -keyout "$conf/server.key" -out "$conf/server.crt" >/dev/null 2>&1
  chown postgres:postgres "$conf/server.key" "$conf/server.crt"
  chmod 600 "$conf/server.key"
  cat >> "$conf/postgresql.conf" <<EOF
ssl_cert_file = '$conf/server.crt'
ssl_key_file = '$conf/server.key'
EOF
fi
mkdir -p "$conf/conf.d"
listen=localhost
[ ${#allow[@]} -gt 0 ] && listen='*'
cat > "$conf/conf.d/ia-desk.conf" <<EOF
# IA Desk (scripts/setup-server.sh)
listen_addresses = '$listen'
ssl = on
password_encryption = scram-sha-256
EOF
grep -q "^include_dir = 'conf.d'" "$conf/postgresql.conf" || \
  echo "include_dir = 'conf.d'" >> "$conf/postgresql.conf"

# Who may connect from where: TLS and a password, for the two accounts, to this database.
hba="$conf/pg_hba.conf"
sed -i '/# ia-desk$/d' "$hba"
for net in "${allow[@]}"; do
  echo "hostssl $database ia_desk_owner,ia_desk_app $net scram-sha-256 # ia-desk" >> "$hba"
done

if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  pg_ctlcluster "$version" "$cluster" restart
else
  pg_ctlcluster "$version" "$cluster" start
fi

owner_pw=${IA_DESK_OWNER_PASSWORD:-}
app_pw=${IA_DESK_APP_PASSWORD:-}
generated=0
if [ -z "$owner_pw" ]; then owner_pw=$(openssl rand -base64 24 | tr -d '/+='); generated=1; fi
if [ -z "$app_pw" ]; then app_pw=$(openssl rand -base64 24 | tr -d '/+='); generated=1; fi

runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres \
  -v owner_pw="$owner_pw" -v app_pw="$app_pw" <<SQL
SELECT 'CREATE ROLE ia_desk_owner LOGIN' WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = 'ia_desk_owner') \gexec
SELECT 'CREATE ROLE ia_desk_app LOGIN' WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = 'ia_desk_app') \gexec
ALTER ROLE ia_desk_owner PASSWORD :'owner_pw';
ALTER ROLE ia_desk_app PASSWORD :'app_pw';
SELECT 'CREATE DATABASE $database OWNER ia_desk_owner ENCODING ''UTF8'' TEMPLATE template0'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$database') \gexec
REVOKE ALL ON DATABASE $database FROM PUBLIC;
GRANT CONNECT ON DATABASE $database TO ia_desk_app;
SQL

host=$(hostname -f 2>/dev/null || hostname)
echo "setup-server: PostgreSQL $version cluster '$cluster' on port $port, database '$database'"
if [ "$generated" -eq 1 ]; then
  echo "setup-server: passwords (shown once; keep them in the department's password safe):"
  echo "  ia_desk_owner: $owner_pw"
  echo "  ia_desk_app:   $app_pw"
fi
cat <<EOF
Next, from an IA administrator's workstation (creates the tables and the first admin,
and sets the audit passphrase every workstation gives once):
  ia-desk --db "postgresql+psycopg://ia_desk_owner@$host:$port/$database" init --admin LOGIN
Then on each workstation: the sign-in window's "Database…" button, or
  ia-desk db connect --host $host --port $port --database $database --user ia_desk_app
Back the database up with pg_dump (as postgres): pg_dump -Fc -p $port $database > ia_desk.dump
EOF
