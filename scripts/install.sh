#!/usr/bin/env bash
# Installs what Warning needs on a fresh Debian machine, and nothing that is already there.
# Usage: scripts/install.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

packages=(sqlite3)
# ML.NET's LightGbm trainer loads lib_lightgbm.so (shipped in the LightGBM NuGet package), which needs OpenMP.
[ -e /usr/lib/x86_64-linux-gnu/libgomp.so.1 ] || packages+=(libgomp1)
command -v influxd >/dev/null || packages+=(influxdb)
command -v curl >/dev/null || packages+=(curl)
# The meeting packs' PDFs are printed by headless Chromium, with the CJK fonts embedded: the service needs both.
command -v chromium >/dev/null || packages+=(chromium)
packages+=(fonts-noto-cjk)
# The tests read the PDFs back with pdftotext and count their pages with pdftoppm.
if [ "$mode" = test ]; then packages+=(poppler-utils); fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are required for the browser libraries" >&2; exit 1; }
# Every browser library the pages load: a clone whose node_modules predates one of them installs again.
{ [ -e src/Warning.Web/node_modules/@microsoft/signalr/dist/browser/signalr.min.js ] && [ -e src/Warning.Web/node_modules/echarts/dist/echarts.min.js ]; } \
  || (cd src/Warning.Web && npm ci --no-audit --no-fund)
