#!/usr/bin/env bash
# Grain storage benchmark: writes/s of the SQLite Orleans grain storage, the provider alone and through a silo, with
# synchronous FULL and NORMAL, side by side in one run.
# Usage: bench/grain-storage.sh [grains]   (default 10,000)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project bench/GrainStorageBench -c Release -- "${1:-10000}"
