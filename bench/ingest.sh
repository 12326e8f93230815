#!/usr/bin/env bash
# Ingest benchmark: HTTP accept rate and latency against the raw SQLite insert rate, side by side in one run.
# Usage: bench/ingest.sh [reports]   (default 50,000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
dotnet publish src/Warning.Web -c Release -o bench/out/web -nologo -v q >/dev/null
dotnet run --project bench/IngestBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" "${1:-50000}"
