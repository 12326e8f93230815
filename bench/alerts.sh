#!/usr/bin/env bash
# Alert latency: p50/p99 from POST /api/v1/reports accepted until the alert is rendered on the duty console in a real
# Chromium, with the simulated city posting background load through bench/LoadGenerator, and Alerts:GroupWait 0.
# Usage: bench/alerts.sh [samples=100] [background items/s=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/publish.sh bench/out/web >/dev/null
dotnet publish bench/LoadGenerator -c Release -o bench/out/load -nologo -v q >/dev/null
key="wk_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash="$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
kinds="--Auth:ProvisionedKeys:0:Kinds:0=report --Auth:ProvisionedKeys:0:Kinds:1=incident --Auth:ProvisionedKeys:0:Kinds:2=person"
# ALERTS_ARGS: more settings for the service, e.g. "--Applier:CheckpointSlice=200".
BENCH_API_KEY="$key" BENCH_ARGS="--Auth:ProvisionedKeys:0:Name=bench --Auth:ProvisionedKeys:0:Sha256=$hash $kinds ${ALERTS_ARGS:-}" \
  dotnet run --project bench/AlertsBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" "$PWD/bench/out/load/LoadGenerator.dll" "${1:-100}" "${2:-1000}"
