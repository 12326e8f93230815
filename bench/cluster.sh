#!/usr/bin/env bash
# Cluster mode on this machine: one embedded node, one cluster node and three cluster nodes under the same report load,
# and three nodes losing one to kill -9 half way (bench/ClusterBench). PostgreSQL and Redis are the project's own
# (scripts/postgres.sh, scripts/redis.sh); each setup gets a database of its own.
# Usage: bench/cluster.sh [reports=20000] [city=Dingxi|Small]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/postgres.sh start >/dev/null
scripts/redis.sh start >/dev/null
scripts/publish.sh bench/out/web >/dev/null
dotnet run --project bench/ClusterBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" \
  "$(scripts/postgres.sh url)" "127.0.0.1:${REDIS_PORT:-6380}" "${1:-20000}" "${2:-Dingxi}"
