#!/usr/bin/env bash
# Runs every benchmark; each prints a table and writes bench/results/<name>.json.
# Needs the same components as the tests: ES at RWB_ES_URL (default http://127.0.0.1:9200),
# MariaDB at RWB_MYSQL_* (default 127.0.0.1:3306 root), the Icecat data (../shared/data/icecat).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx bench/embed-throughput.ts "$@"
npx tsx bench/ingest-icecat.ts
npx tsx bench/search-latency.ts
npx tsx bench/api-throughput.ts
npx tsx bench/eval-msearch.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/tuner-throughput.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/icecat-ndcg.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/analysis-icecat.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/analysis-zh-demo.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/slider-latency.ts --es "${RWB_ES_URL:-http://127.0.0.1:9200}"
npx tsx bench/bundle-size.ts
