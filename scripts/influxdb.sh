#!/usr/bin/env bash
# Starts the project's own InfluxDB 1.x on loopback (config and data under data/influxdb) and waits for /ping.
# Idempotent: if something already answers /ping on the port, it is left alone.
# Usage: scripts/influxdb.sh [start|stop|status]   env: INFLUX_PORT (8086), INFLUX_DIR (data/influxdb)
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-start}"
port="${INFLUX_PORT:-8086}"
dir="$(mkdir -p "${INFLUX_DIR:-data/influxdb}" && cd "${INFLUX_DIR:-data/influxdb}" && pwd)"
conf="$dir/influxdb.conf"
pidfile="$dir/influxd.pid"

ping() { curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/ping"; }

case "$action" in
  status)
    if ping; then echo "influxdb: up on 127.0.0.1:$port"; else echo "influxdb: down on 127.0.0.1:$port"; exit 1; fi ;;
  stop)
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then kill "$(cat "$pidfile")"; rm -f "$pidfile"; echo "influxdb: stopped"; fi ;;
  start)
    if ping; then echo "influxdb: already up on 127.0.0.1:$port"; exit 0; fi
    influxd="$(command -v influxd || echo /usr/bin/influxd)"
    [ -x "$influxd" ] || { echo "influxd not found: run scripts/install.sh" >&2; exit 1; }
    # The meta service's RPC bind address must be free too; keep it next to the HTTP port.
    cat > "$conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((port + 2))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$port"
  auth-enabled = false
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = true
  log-enabled = true
CONF
    nohup "$influxd" -config "$conf" >"$dir/influxd.log" 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 100); do
      if ping; then echo "influxdb: up on 127.0.0.1:$port (data in $dir)"; exit 0; fi
      kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "influxd exited; see $dir/influxd.log" >&2; tail -20 "$dir/influxd.log" >&2; exit 1; }
      sleep 0.2
    done
    echo "influxdb did not answer /ping within 20 s; see $dir/influxd.log" >&2; exit 1 ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
