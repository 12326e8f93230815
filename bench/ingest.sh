#!/usr/bin/env bash
# Ingest benchmark: HTTP accept rate and latency against the raw SQLite insert rate, side by side in one run; then the
# cost of API-key authentication: the last build without accounts (auth off) against this tree with a key (auth on),
# alternating. AUTH_OFF_REF overrides the build without accounts; SKIP_AUTH_COMPARE=1 runs the first table only.
# Usage: bench/ingest.sh [reports]   (default 50,000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh run >/dev/null
scripts/publish.sh bench/out/web >/dev/null
key="wk_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
hash="$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
BENCH_API_KEY="$key" BENCH_ARGS="--Auth:ProvisionedKeys:0:Name=bench --Auth:ProvisionedKeys:0:Sha256=$hash --Auth:ProvisionedKeys:0:Kinds:0=report" \
  dotnet run --project bench/IngestBench -c Release -- "$PWD/bench/out/web/Warning.Web.dll" "${1:-50000}"
[ "${SKIP_AUTH_COMPARE:-0}" = 1 ] && exit 0
ref="${AUTH_OFF_REF:-$(git log --diff-filter=A --format=%H -- src/Warning.Web/Accounts/AuthSetup.cs | tail -1)^}"
base="$(mktemp -d)/auth-off"
git worktree add -q --detach "$base" "$ref"
trap 'git worktree remove --force "$base"' EXIT
(cd "$base/src/Warning.Web" && npm ci --no-audit --no-fund >/dev/null)
scripts/publish.sh bench/out/auth-off "$base/src/Warning.Web" >/dev/null
echo
dotnet run --project bench/IngestBench -c Release -- --auth "$PWD/bench/out/auth-off/Warning.Web.dll" "$PWD/bench/out/web/Warning.Web.dll" "${1:-50000}"
