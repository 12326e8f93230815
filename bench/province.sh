#!/usr/bin/env bash
# One node holding a province: cold start, memory, accepted and applied reports per second (bench/ProvinceBench).
# Usage: bench/province.sh [openCases=200000] [keyIndividuals=50000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/publish.sh bench/out/web >/dev/null
dotnet run --project bench/ProvinceBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" "$@"
