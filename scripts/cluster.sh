#!/usr/bin/env bash
# Cluster mode on this machine: the project's own PostgreSQL (scripts/postgres.sh) and Redis (scripts/redis.sh), then
# N Warning nodes, each web plus silo, on loopback ports 5081…508N (silo ports 11111…, one data folder each for logs).
# Usage: scripts/cluster.sh up N [--Section:Key=value …] | down | status
#   env: CLUSTER_DIR (data/cluster), CLUSTER_PORT (5081, the first node's HTTP port), CLUSTER_SILO_PORT (11111),
#        PG_PORT (5433), PG_DB (warning), REDIS_PORT (6380), CLUSTER_ID (warning)
# Settings after N go to every node (e.g. --Hierarchy:SimulatedCityShape=Small).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
action="${1:-status}"
dir="${CLUSTER_DIR:-$root/data/cluster}"
http_port="${CLUSTER_PORT:-5081}"
silo_port="${CLUSTER_SILO_PORT:-11111}"
redis_port="${REDIS_PORT:-6380}"
dll="$root/src/Warning.Web/bin/Release/net10.0/Warning.Web.dll"

ready() { curl -fsS -m 2 "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; }
nodes() { ls "$dir"/node*/pid 2>/dev/null | sort -V || true; }

case "$action" in
  up)
    count="${2:?usage: $0 up N}"
    shift 2
    scripts/postgres.sh start
    scripts/redis.sh start
    [ -f "$dll" ] && [ "${CLUSTER_BUILD:-1}" = 0 ] || dotnet build src/Warning.Web -c Release -nologo -v q
    postgres="$(scripts/postgres.sh url)"
    for i in $(seq 1 "$count"); do
      node="$dir/node$i"
      port=$((http_port + i - 1))
      mkdir -p "$node"
      if [ -f "$node/pid" ] && kill -0 "$(cat "$node/pid")" 2>/dev/null; then echo "node $i: already up on $port"; continue; fi
      nohup dotnet "$dll" --contentRoot "$root/src/Warning.Web" --urls "http://127.0.0.1:$port" \
        --Storage:DataDirectory="$node" --Orleans:SiloPort=$((silo_port + i - 1)) --Orleans:ClusterId="${CLUSTER_ID:-warning}" \
        --Cluster:Enabled=true --Cluster:Postgres="$postgres" --Cluster:Redis="127.0.0.1:$redis_port" "$@" \
        >"$node/out.log" 2>&1 &
      echo $! >"$node/pid"
      echo "node $i: starting on http://127.0.0.1:$port (silo $((silo_port + i - 1)), pid $!, log $node/out.log)"
    done
    for i in $(seq 1 "$count"); do
      port=$((http_port + i - 1))
      for _ in $(seq 1 240); do ready "$port" && break; sleep 0.5; done
      if ready "$port"; then echo "node $i: ready"; else echo "node $i: not ready after 120 s; see $dir/node$i/out.log" >&2; exit 1; fi
    done ;;
  down)
    for pidfile in $(nodes); do
      pid="$(cat "$pidfile")"
      if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
    done
    for pidfile in $(nodes); do
      pid="$(cat "$pidfile")"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      rm -f "$pidfile"
      echo "$(basename "$(dirname "$pidfile")"): stopped"
    done
    echo "PostgreSQL and Redis keep running (scripts/postgres.sh stop, scripts/redis.sh stop)" ;;
  status)
    scripts/postgres.sh status || true
    scripts/redis.sh status || true
    i=0
    for pidfile in $(nodes); do
      node="$(basename "$(dirname "$pidfile")")"
      i="${node#node}"
      port=$((http_port + i - 1))
      if kill -0 "$(cat "$pidfile")" 2>/dev/null && ready "$port"; then
        echo "$node: ready on http://127.0.0.1:$port, $(curl -fsS -m 2 "http://127.0.0.1:$port/api/v1/cluster" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["silo"], "owns partitions", [p["partition"] for p in d["partitions"]], "of", len(d["members"]), "members")' 2>/dev/null)"
      else
        echo "$node: down (port $port)"
      fi
    done ;;
  *) echo "usage: $0 up N | down | status" >&2; exit 2 ;;
esac
