#!/usr/bin/env bash
# Validates /v1's OpenAPI document with openapi-spec-validator (PyPI, in .ci/.venv, next
# to schemathesis). The document comes from the same code that serves /v1/openapi.json,
# written to a file by one API test, so no server needs to run.
set -euo pipefail
cd "$(dirname "$0")/.."
VALIDATOR_VERSION=0.9.0
VALIDATOR=.ci/.venv/bin/openapi-spec-validator
if ! "$VALIDATOR" --version 2>/dev/null | grep -q "$VALIDATOR_VERSION"; then
  [ -x .ci/.venv/bin/pip ] || python3 -m venv .ci/.venv
  .ci/.venv/bin/pip install -q "openapi-spec-validator==$VALIDATOR_VERSION"
fi
OUT=$(mktemp -d /tmp/roomcal-openapi.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
# The test's own output stays out of the log unless it fails (.ci/run counts test results).
if ! ROOMCAL_OPENAPI_OUT="$OUT/openapi.json" cargo test -q -p server --test api -- \
  --exact openapi::the_document_is_written_for_the_openapi_validator >"$OUT/test.log" 2>&1; then
  cat "$OUT/test.log" >&2
  echo "validate-openapi: could not write the document" >&2
  exit 1
fi
"$VALIDATOR" --validation-errors all "$OUT/openapi.json"
