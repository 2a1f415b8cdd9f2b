#!/usr/bin/env bash
# Installs the npm dependencies the way these machines need it and a user's laptop tolerates:
# - onnxruntime-node: CPU binaries ship in the package; its postinstall would try to download CUDA
#   providers, so it is skipped (see docs/gpu.md to enable CUDA).
# - electron: the binary download is attempted separately (scripts/electron-binary.sh) and a
#   failure is tolerated: the workbench then runs in browser mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
# `npm install` (not `npm ci`): with this npm (11.x) `npm ci` rejects the lock file npm itself
# wrote, reporting the other platforms' optional packages (@rollup/rollup-android-…) as missing.
# `npm install` installs the locked versions just the same and leaves the lock file unchanged.
npm install --no-audit --no-fund
bash scripts/electron-binary.sh || true
