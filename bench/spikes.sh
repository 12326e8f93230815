#!/usr/bin/env bash
# Spike detection: evaluation on the simulator's planted spikes (tuning seed and a held-out seed) and the time to
# scan one day over every village of the simulated Dingxi city.
# Usage: bench/spikes.sh [days=730] [tuneSeed=7] [testSeed=42] [Option=value ...]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project bench/SpikeBench -c Release -- "$@"
