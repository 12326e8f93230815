#!/usr/bin/env bash
# The simulator as a load generator against a running Warning (default http://127.0.0.1:5080).
# Intake needs a feed key: WARNING_API_KEY (kinds report, incident, person; an admin creates it with POST /api/v1/apikeys).
# Usage: WARNING_API_KEY=wk_... bench/load.sh [baseUrl] [days=7] [batch=100] [clients=4] [ratePerSecond=0] [seed=42] [shape=Dingxi]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project bench/LoadGenerator -c Release -- "$@"
