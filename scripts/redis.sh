#!/usr/bin/env bash
# Starts the project's own Redis on loopback (its own folder and port) for the SignalR backplane of cluster mode.
# Idempotent: a Redis already answering PING on the port is left alone. Installs Debian's redis-server when missing.
# Usage: scripts/redis.sh [start|stop|status]   env: REDIS_PORT (6380), REDIS_DIR (data/redis)
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-start}"
port="${REDIS_PORT:-6380}"
dir="$(mkdir -p "${REDIS_DIR:-data/redis}" && cd "${REDIS_DIR:-data/redis}" && pwd)"
pidfile="$dir/redis.pid"

if ! command -v redis-server >/dev/null && [ "$action" = start ]; then
  echo "installing: redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
ping() { [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; }

case "$action" in
  status) if ping; then echo "redis: up on 127.0.0.1:$port"; else echo "redis: down on 127.0.0.1:$port"; exit 1; fi ;;
  stop) if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then kill "$(cat "$pidfile")"; rm -f "$pidfile"; echo "redis: stopped"; fi ;;
  start)
    if ping; then echo "redis: already up on 127.0.0.1:$port"; exit 0; fi
    # The backplane carries only live messages: nothing to persist (screens resync through Resume(lastSeq)).
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --pidfile "$pidfile" --logfile "$dir/redis.log"
    for _ in $(seq 1 100); do
      if ping; then echo "redis: up on 127.0.0.1:$port"; exit 0; fi
      sleep 0.1
    done
    echo "redis did not answer PING within 10 s; see $dir/redis.log" >&2; exit 1 ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
