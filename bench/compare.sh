#!/usr/bin/env bash
# Before and after, side by side in one run: builds a baseline git ref (e.g. the last commit before a change) next to
# this tree and runs the ingest benchmark (alternating, twice each) and the demo footprint for both.
# Usage: bench/compare.sh BASELINE_REF [footprint minutes=10] [reports=50000]
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:?usage: bench/compare.sh BASELINE_REF [minutes] [reports]}"; minutes="${2:-10}"; reports="${3:-50000}"
scripts/install.sh run >/dev/null
base="$(mktemp -d)/baseline"
git worktree add -q --detach "$base" "$ref"
trap 'git worktree remove --force "$base"' EXIT
(cd "$base/src/Warning.Web" && npm ci --no-audit --no-fund >/dev/null)
scripts/publish.sh bench/out/baseline "$base/src/Warning.Web" >/dev/null
scripts/publish.sh bench/out/web >/dev/null
echo "## Ingest: baseline $(git rev-parse --short "$ref") against this tree ($(git rev-parse --short HEAD)), alternating"
for round in 1 2; do
  for build in baseline web; do
    echo; echo "### $build, round $round"
    dotnet run --project bench/IngestBench -c Release -- "$PWD/bench/out/$build/Warning.Web.dll" "$reports"
  done
done
echo; echo "## Footprint"
bench/footprint.sh "$minutes" "baseline=$PWD/bench/out/baseline/Warning.Web.dll" "this=$PWD/bench/out/web/Warning.Web.dll"
