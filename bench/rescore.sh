#!/usr/bin/env bash
# Re-score ticks: how long a tick holds the applier while every open case of Dingxi is scored again through the grains
# (points score and model), the scorer alone per case for comparison, and the read behind GET /api/v1/cases.
# Usage: [BASELINE_REF=main] bench/rescore.sh [casesPerVillagePerDay list, default 0.35,1.4] [historyDays=30]
# With BASELINE_REF the same benchmark is built from that ref in a scratch worktree and run first, then this tree's:
# before and after in one run, on the same machine state.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
if [ -n "${BASELINE_REF:-}" ]; then
  base="$(mktemp -d)/baseline"
  git worktree add -q --detach "$base" "$BASELINE_REF"
  trap 'git worktree remove --force "$base"' EXIT
  dotnet build "$base/bench/RescoreBench" -c Release -nologo -v q >/dev/null
  dotnet build bench/RescoreBench -c Release -nologo -v q >/dev/null
  echo "## before: $BASELINE_REF ($(git rev-parse --short "$BASELINE_REF"))"
  (cd "$base" && dotnet run --no-build --project bench/RescoreBench -c Release -- "$@")
  echo; echo "## after: this tree ($(git rev-parse --short HEAD))"
  dotnet run --no-build --project bench/RescoreBench -c Release -- "$@"
  exit
fi
dotnet run --project bench/RescoreBench -c Release -- "$@"
