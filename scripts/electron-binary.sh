#!/usr/bin/env bash
# Tries to fetch Electron's binary (what its postinstall would do). Where that cannot work (no
# route to the download host, as on the project's build machines) it says so and the workbench
# runs in browser mode: `npm start` falls back to `rwb ui`.
cd "$(dirname "$0")/.."
if [ -n "${RWB_SKIP_ELECTRON:-}" ]; then echo "electron: download skipped (RWB_SKIP_ELECTRON set)"; exit 0; fi
if node -e "require('fs').accessSync(require('electron'))" 2>/dev/null; then
  echo "electron: binary present"
  exit 0
fi
echo "electron: fetching the Electron binary (optional; browser mode works without it)…"
if timeout 120 node node_modules/electron/install.js >/tmp/rwb-electron-install.log 2>&1; then
  echo "electron: binary installed"
else
  echo "electron: binary not available here ($(tail -1 /tmp/rwb-electron-install.log 2>/dev/null)); the desktop app needs it, browser mode does not."
  echo "          To get it later: node node_modules/electron/install.js  (or set ELECTRON_MIRROR)"
fi
exit 0
