#!/usr/bin/env bash
# Sets up and runs Warning with live demo data on embedded defaults at http://127.0.0.1:5080
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run
# The project's own InfluxDB on loopback (data/influxdb); trends and Grafana read it.
INFLUX_PORT="${INFLUX_PORT:-8086}" scripts/influxdb.sh
# One data folder at the repository root for everything: the SQLite stores and logs here, InfluxDB's in data/influxdb.
# (dotnet run starts the service in src/Warning.Web, where a relative "data" would otherwise land.)
exec dotnet run --project src/Warning.Web -c Release -- --urls "${WARNING_URLS:-http://127.0.0.1:5080}" --Simulator:Enabled=true \
  --Storage:DataDirectory="${WARNING_DATA:-$PWD/data}" \
  --Influx:Enabled=true --Influx:Url="http://127.0.0.1:${INFLUX_PORT:-8086}" --Auth:DemoAccounts=true "$@"
