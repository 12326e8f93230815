#!/usr/bin/env bash
# Re-score ticks: how long a tick holds the applier while every open case of Dingxi is scored again through the grains
# (points score and model), the scorer alone per case for comparison, and the read behind GET /api/v1/cases.
# Usage: bench/rescore.sh [casesPerVillagePerDay list, default 0.35,1.4] [historyDays=30]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
dotnet run --project bench/RescoreBench -c Release -- "$@"
