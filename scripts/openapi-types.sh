#!/usr/bin/env bash
# Generates src/sdk/generated/openapi-types.ts from openapi/enlace.yaml, or with --check fails when the committed file has drifted.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/sdk/generated/openapi-types.ts
generate() { npx --no-install openapi-typescript openapi/enlace.yaml --output "$1" >/dev/null; }
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp --suffix=.ts)
  trap 'rm -f "$tmp"' EXIT
  generate "$tmp"
  if ! diff -u "$out" "$tmp"; then
    echo "openapi: $out differs from a fresh generation; run 'npm run openapi:types' and commit it" >&2
    exit 1
  fi
  echo "openapi: generated types match openapi/enlace.yaml"
else
  generate "$out"
  echo "openapi: wrote $out"
fi
