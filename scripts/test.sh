#!/usr/bin/env bash
# Sets up and runs every test of Warning.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh test
dotnet build Warning.sln -c Release -nologo -v q
dotnet test Warning.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
