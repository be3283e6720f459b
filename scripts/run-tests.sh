#!/usr/bin/env bash
# Runs mocha under c8 (coverage summary), then closes with one line in the form CI reads: "mocha: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npx --no-install c8 mocha "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count() { grep -Eo "^ +[0-9]+ $1" "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
passed=$(count passing)
failed=$(count failing)
pending=$(count pending)
echo "mocha: ${passed} passed, ${failed} failed, ${pending} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "mocha ran no test" >&2
  exit 1
fi
exit "$status"
