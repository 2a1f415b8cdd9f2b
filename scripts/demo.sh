#!/usr/bin/env bash
# Quick start (1): sets up and runs the main job on the embedded default — local Elasticsearch,
# demo catalog (MySQL if reachable, else a file), bge-small-zh embeddings — and opens the workbench
# (browser mode when the Electron binary is absent). Extra arguments go to `rwb demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/system-deps.sh
exec node bin/rwb.mjs demo "$@"
