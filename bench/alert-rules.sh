#!/usr/bin/env bash
# Alert rules: what evaluating them costs per applied report (rules off vs on through the real grains), and the rule
# decision alone. Usage: bench/alert-rules.sh [casesPerVillagePerDay=0.35] [historyDays=14] [rounds=2]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project bench/AlertRulesBench -c Release -- "$@"
