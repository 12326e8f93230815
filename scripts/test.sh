#!/usr/bin/env bash
# Sets up and runs every test of Warning.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh test
# The project's InfluxDB, as for a run (bench, Grafana); the tests start their own on free ports so they can stop them.
scripts/influxdb.sh
dotnet build Warning.sln -c Release -nologo -v q
dotnet test Warning.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
