#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine and runs ALL tests (unit, integration with
# a real Elasticsearch + MariaDB + ONNX models, e2e in Chromium), then prints one summary line.
# Under CI=true a missing component fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export RWB_HOME="${RWB_HOME:-$ROOT/.rwb}"
step() { printf '\n==> %s\n' "$*"; }

step "Installing npm dependencies"
bash scripts/install.sh || { echo "npm install failed"; exit 1; }

step "Installing system packages the tests need (Chromium for e2e)"
bash scripts/system-deps.sh --tests || { echo "could not install system packages"; exit 1; }

step "Fetching the Elasticsearch runtime and the embedding models (cached in $RWB_HOME)"
node bin/rwb.mjs es fetch || exit 1
node bin/rwb.mjs models fetch || exit 1

STARTED_ES=0
if [ -z "${RWB_ES_URL:-}" ]; then
  step "Starting the local Elasticsearch node (profile test, port ${RWB_TEST_ES_PORT:-9240})"
  node bin/rwb.mjs es start --profile test --port "${RWB_TEST_ES_PORT:-9240}" --transport-port "${RWB_TEST_ES_TRANSPORT_PORT:-9340}" || exit 1
  export RWB_ES_URL="http://127.0.0.1:${RWB_TEST_ES_PORT:-9240}"
  STARTED_ES=1
fi
cleanup() { if [ "$STARTED_ES" = 1 ]; then node bin/rwb.mjs es stop --profile test >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

step "Static checks (TypeScript strict, ESLint)"
npx tsc -p tsconfig.json --noEmit || exit 1
npx eslint . || exit 1

step "Building the app (electron-vite: main, preload, renderer)"
npx electron-vite build || exit 1

step "Running tests (unit, integration, e2e)"
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
status=$?
node scripts/test-summary.mjs test-results/vitest.json || status=1
exit $status
