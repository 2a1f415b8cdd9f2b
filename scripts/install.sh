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
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
bash scripts/electron-binary.sh || true
