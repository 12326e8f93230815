#!/usr/bin/env bash
# Cold start and resident memory of the Dingxi demo: seconds from process start to /readyz on an empty data folder
# (history load, key individuals, the first model trained in process), then resident memory (VmRSS) and the
# managed heap every minute of live demo feed. Several builds are measured one after another in the same run.
# Usage: bench/footprint.sh [minutes=10] [label=path/to/Warning.Web.dll ...]   (default: this tree's build)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"; shift || true
builds=("$@")
if [ ${#builds[@]} -eq 0 ]; then
  scripts/publish.sh bench/out/web >/dev/null
  builds=("this=$PWD/bench/out/web/Warning.Web.dll")
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
rows=()
for build in "${builds[@]}"; do
  label="${build%%=*}"; dll="${build#*=}"
  data="$(mktemp -d)"; port="$(free_port)"
  start=$(date +%s.%N)
  dotnet "$dll" --contentRoot "$(dirname "$dll")" --urls "http://127.0.0.1:$port" --Storage:DataDirectory="$data" \
    --Simulator:Enabled=true --Influx:Enabled=false --Orleans:SiloPort="$(free_port)" --Serilog:MinimumLevel:Default=Warning --Auth:DemoAccounts=true \
    >"$data/out.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
    kill -0 "$pid" 2>/dev/null || { echo "$label exited; see $data/out.log" >&2; tail -20 "$data/out.log" >&2; exit 1; }
    sleep 0.2
  done
  ready=$(python3 -c "print($(date +%s.%N) - $start)")
  at_ready=$(rss_mb "$pid")
  samples=()
  for m in $(seq 1 "$minutes"); do sleep 60; samples+=("$(rss_mb "$pid")"); done
  # The counts are read as the demo analyst (Auth:DemoAccounts), signed in as a person is.
  password=$(awk '$2 == "analyst" { print $3 }' "$data/demo-accounts.txt")
  curl -fs -c "$data/cookies" -H 'Content-Type: application/json' -d "{\"userName\":\"demo-analyst\",\"password\":\"$password\"}" \
    -o /dev/null "http://127.0.0.1:$port/api/v1/auth/login"
  open=$(curl -fs -b "$data/cookies" "http://127.0.0.1:$port/api/v1/regions" | python3 -c 'import json,sys; print(sum(r["counts"]["open"] for r in json.load(sys.stdin)))')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  peak=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
  rows+=("| $label | $(printf '%.1f' "$ready") | $at_ready | ${samples[-1]} | $peak | $open |")
done
echo "Dingxi demo footprint: $(nproc) cores, ${minutes} min of live feed after /readyz, $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "| build | cold start to /readyz (s) | RSS at ready (MB) | RSS after ${minutes} min (MB) | peak RSS (MB) | open cases at the end |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
