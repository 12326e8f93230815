#!/usr/bin/env bash
# Risk evaluation: two years of simulator history; model, points score, base rate and oracle; per county and category.
# Usage: [RISK_TRAINERS=lightgbm,fasttree] bench/risk-eval.sh [dingxi|small] [days=730] [seed=42] [caseSample=1] [casesPerVillagePerDay]
# Trainers named in RISK_TRAINERS share one replay, split and oracle; each table also goes to bench/risk-eval-{city}-{trainer}.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
dotnet run --project bench/RiskEval -c Release -- "$@"
