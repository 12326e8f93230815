#!/usr/bin/env bash
# Sets up and runs every test of Warning.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh test
# The project's InfluxDB, as for a run (bench, Grafana); the tests start their own on free ports so they can stop them.
scripts/influxdb.sh
# PostgreSQL and Redis for the cluster-mode and job tests (each test creates a database, or starts a Redis of its own).
scripts/postgres.sh
scripts/redis.sh
dotnet build Warning.sln -c Release -nologo -v q
results="$(mktemp -d /tmp/warning-test-results.XXXXXX)"
status=0
dotnet test Warning.sln -c Release --no-build -nologo --logger "console;verbosity=normal" \
  --logger "trx" --results-directory "$results" "$@" || status=$?
# The service logs of a run are long and a CI log keeps only its tail: the failures are repeated last.
scripts/test-failures.sh "$results"
exit "$status"
