#!/usr/bin/env bash
# The big screen in Chromium (bench/ScreenBench): report accepted → village recoloured, p50/p99 at 200 reports/s, and
# the map's first frame for Dingxi (~1,000 villages) and a province (~16,000 villages).
# Usage: bench/screen.sh [reportsPerSecond=200] [seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/publish.sh bench/out/web >/dev/null
dotnet run --project bench/ScreenBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" "$@"
