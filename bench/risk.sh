#!/usr/bin/env bash
# Risk benchmark: scoring latency p50/p99 for one case and per case in batches of 1,000, and training time for 1M rows.
# Usage: bench/risk.sh [trainingRows]   (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
dotnet run --project bench/RiskBench -c Release -- "${1:-1000000}"
