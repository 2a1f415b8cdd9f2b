#!/usr/bin/env bash
# System packages: a JDK 17+ always (Elasticsearch runs on its Java; its javac builds the rwb-analysis
# plugin at `rwb es fetch`/`es start`, see docs/analysis.md); with --tests also Chromium (Playwright e2e) and
# a CJK font (readable e2e screenshots of the bilingual demo). Installed with apt when missing and
# we are root; otherwise a clear message says what to install.
set -euo pipefail
need=()
{ command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; } || need+=(openjdk-17-jdk-headless)
if [ "${1:-}" = "--tests" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
fi
if [ ${#need[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "missing system packages: ${need[*]} — install them (e.g. sudo apt-get install ${need[*]})" >&2
  exit 1
fi
