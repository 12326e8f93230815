#!/usr/bin/env bash
# Starts the project's own PostgreSQL 15 cluster on loopback (its own data folder and port, not the system's
# cluster) and makes sure the database and role exist. Idempotent: a cluster already answering on the port is
# left alone. Installs Debian's postgresql when it is missing.
# Usage: scripts/postgres.sh [start|stop|status|url]
#   env: PG_PORT (5433), PG_DIR (data/postgres), PG_DB (warning), PG_USER (warning), PG_PASSWORD (warning)
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-start}"
port="${PG_PORT:-5433}"
db="${PG_DB:-warning}"
user="${PG_USER:-warning}"
password="${PG_PASSWORD:-warning}"
bin=/usr/lib/postgresql/15/bin

if [ ! -x "$bin/postgres" ] && [ "$action" = start ]; then
  echo "installing: postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

dir="$(mkdir -p "${PG_DIR:-data/postgres}" && cd "${PG_DIR:-data/postgres}" && pwd)"
# PostgreSQL refuses to run as root: as root, the server runs as the postgres user. When that user cannot reach the
# project's folder (a clone under /root), the cluster lives in a folder of its own under /var/tmp instead.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  as_owner=(runuser -u postgres --)
  if ! runuser -u postgres -- test -w "$(dirname "$dir")" 2>/dev/null && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
    dir="/var/tmp/warning-postgres-$port"
  fi
  mkdir -p "$dir" && chown postgres:postgres "$dir" && chmod 700 "$dir"
fi
pgdata="$dir/pgdata"
log="$dir/postgres.log"

ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; }
psql_admin() { "${as_owner[@]}" psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

case "$action" in
  url) echo "Host=127.0.0.1;Port=$port;Database=$db;Username=$user;Password=$password" ;;
  status)
    if ready; then echo "postgres: up on 127.0.0.1:$port"; else echo "postgres: down on 127.0.0.1:$port"; exit 1; fi ;;
  stop)
    if [ -f "$pgdata/postmaster.pid" ]; then "${as_owner[@]}" "$bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null && echo "postgres: stopped"; fi ;;
  start)
    if ! ready; then
      if [ ! -f "$pgdata/PG_VERSION" ]; then
        "${as_owner[@]}" "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      fi
      "${as_owner[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$pgdata' -c max_connections=300 -c fsync=on" start >/dev/null \
        || { echo "postgres did not start; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    fi
    psql_admin -tc "select 1 from pg_roles where rolname='$user'" | grep -q 1 \
      || psql_admin -c "create role \"$user\" login createdb password '$password'"
    psql_admin -tc "select 1 from pg_database where datname='$db'" | grep -q 1 \
      || psql_admin -c "create database \"$db\" owner \"$user\""
    echo "postgres: up on 127.0.0.1:$port (data in $pgdata), database $db" ;;
  *) echo "usage: $0 [start|stop|status|url]" >&2; exit 2 ;;
esac
