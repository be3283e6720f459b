#!/usr/bin/env bash
# Runs mocha under c8 (coverage summary), then closes with one line in the form CI reads: "mocha: N passed, N failed, N skipped".
# With ENLACE_TEST_DATABASE_URL set (as .ci/run does) it runs twice: every suite on the embedded SQLite
# database, then the integration, end-to-end and security suites again on PostgreSQL, each suite
# on a fresh database of its own. Arguments (spec files) run once, on the engines the environment names.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { grep -Eo "^ +[0-9]+ $1" "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
passed=0
failed=0
pending=0
status=0

# run <engine> <c8 flags> -- <mocha args>: one pass, its counts added to the totals.
run() {
  local engine=$1
  shift
  local c8_flags=()
  while [ "$1" != "--" ]; do
    c8_flags+=("$1")
    shift
  done
  shift
  [ -n "$engine" ] && echo "== mocha on ${engine} =="
  ENLACE_TEST_ENGINE="$engine" npx --no-install c8 "${c8_flags[@]}" mocha "$@" 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  [ "$code" -ne 0 ] && status=$code
  passed=$((passed + $(count passing)))
  failed=$((failed + $(count failing)))
  pending=$((pending + $(count pending)))
}

if [ "$#" -gt 0 ] || [ -z "${ENLACE_TEST_DATABASE_URL:-}" ]; then
  run "${ENLACE_TEST_ENGINE:-}" -- "$@"
else
  run sqlite --reporter=none -- # every suite, from .mocharc.json
  run postgres --clean=false -- --config test/mocharc.postgres.json
fi

echo "mocha: ${passed} passed, ${failed} failed, ${pending} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "mocha ran no test" >&2
  exit 1
fi
exit "$status"
