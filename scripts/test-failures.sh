#!/usr/bin/env bash
# Prints each failed test of the .trx files under $1 with the start of its message and stack, for the end of a CI log.
set -uo pipefail
dir="${1:?results directory}"
shopt -s nullglob globstar
files=("$dir"/**/*.trx)
failed=0
for trx in "${files[@]}"; do
  # One record per test result; the XML is flattened so awk can take it apart without an XML tool on a fresh machine.
  tr '\n' '\r' < "$trx" | sed 's|<UnitTestResult |\n<UnitTestResult |g' | grep '^<UnitTestResult [^>]*outcome="Failed"' |
  while IFS= read -r rec; do
    name="$(sed -n 's|^<UnitTestResult [^>]*testName="\([^"]*\)".*|\1|p' <<<"$rec")"
    message="$(sed -n 's|.*<Message>\(.*\)</Message>.*|\1|p' <<<"$rec" | tr '\r' '\n' | head -c 2000)"
    stack="$(sed -n 's|.*<StackTrace>\(.*\)</StackTrace>.*|\1|p' <<<"$rec" | tr '\r' '\n' | head -n 12)"
    printf '\n=== FAILED: %s\n%s\n%s\n' "$name" "$message" "$stack" | sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'"'"'/g; s/&amp;/\&/g'
  done
  n=$(grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | wc -l)
  failed=$((failed + n))
done
echo
echo "Test results: ${#files[@]} assemblies, $failed failed (trx under $dir)"
