#!/usr/bin/env bash
# Publishes the service to run as a process of its own (a deployment, the benchmarks), ReadyToRun: a fresh or restarted
# process starts on precompiled code. JIT-compiled, the Dingxi service spent 3.2-3.4 s of every 5 s compiling for its
# first minute under 1,000 reports/s, and alerts waited behind it; ReadyToRun, 0.06-0.12 s (bench/alerts.sh).
# Usage: scripts/publish.sh <output folder> [project folder=src/Warning.Web]
set -euo pipefail
out="$1"
project="${2:-$(dirname "$0")/../src/Warning.Web}"
dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out" -nologo -v q
