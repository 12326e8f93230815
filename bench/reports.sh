#!/usr/bin/env bash
# Meeting packs (issue 16): time and peak memory to make a Dingxi city quarterly pack (HTML, then PDF) and a county
# monthly pack (PDF) from a SQLite ingest log holding the simulated city's history (bench/ReportsBench). The log is
# seeded once into bench/out/reports-data and reused. Aim: the city quarterly PDF in under 20 s.
# Usage: bench/reports.sh [days=460] [casesPerVillagePerDay=0.35] [screeningRounds=true]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
dotnet build bench/ReportsBench -c Release -nologo -v q >/dev/null
data="bench/out/reports-data-${1:-460}-${2:-0.35}-${3:-true}"
run() { dotnet run --no-build --project bench/ReportsBench -c Release -- "$@"; }
[ -e "$data/warning.db" ] || run seed "$data" "${1:-460}" "${2:-0.35}" "${3:-true}" >&2
echo "Meeting packs, Dingxi ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)); log: $(du -h "$data/warning.db" | cut -f1)"
echo
echo "| pack | area and period | cases in the log | read log (s) | case ledger (s) | model check (s) | figures (s) | HTML+CSV (s) | PDF (s) | total (s) | HTML / CSV / PDF | peak working set (MiB) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
for scenario in city-quarter-html city-quarter-pdf county-month-pdf; do run run "$data" "$scenario"; done
echo
echo "Each row is one process: the whole log read and replayed, then the pack; the peak is the .NET process's (Chromium's own memory is not in it)."
echo "Not in the bench: the open cases' current scores (grain reads) and Hangfire; the service adds them per pack."
