#!/usr/bin/env bash
# InfluxDB write benchmark: points/s through Warning's writer and, in the same run on the same InfluxDB, curl posting
# the same pre-rendered line protocol in the same batch size; the ratio between them.
# Usage: bench/influx.sh [points] [batch size]   (default 400,000 and 5,000; InfluxDB on $INFLUX_PORT, default 8086)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/influxdb.sh >/dev/null
dotnet run --project bench/InfluxBench -c Release -- "http://127.0.0.1:${INFLUX_PORT:-8086}" "${1:-400000}" "${2:-5000}"
