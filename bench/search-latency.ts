/**
 * Search latency on Icecat over the dev query set (the queries of judgments.csv): the full path
 * (parse + rewrite + language detection + embed with cached query vectors + build + ES + format)
 * against a raw ES `_search` with the identical body, measured in the same run, query by query,
 * alternating which goes first. Target: full ≤ 1.3 × raw at p95. A third contender is the full path
 * with engine-side fusion (ranking.fusion rrf: lexical + kNN in one _msearch, fused in the engine,
 * plus the count request): target fused ≤ 1.3 × the raw hybrid `_search` (query + knn in one
 * request, the cheapest hybrid search ES itself offers) at p95. Prints a table and writes
 * bench/results/search-latency.json; asserts nothing.
 *
 *   npx tsx bench/search-latency.ts [--es URL] [--index rwb_bench_search_icecat] [--rounds 5]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { estypes } from '@elastic/elasticsearch';
import { ICECAT_TENANT } from '../engine/catalog/icecat.ts';
import {
  defaultSearchConfig,
  parseSearchConfig,
  type SearchConfig,
} from '../engine/config/search-config.ts';
import { createTextEncoder } from '../engine/embed/index.ts';
import { createEsClient } from '../engine/es/client.ts';
import { parseCsvRecords } from '../engine/eval/judgments-csv.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { cachedEmbedder } from '../engine/query/cached-embedder.ts';
import { loadEldDetector } from '../engine/query/language-detection.ts';
import { formatSearchResponse, prepareSearch } from '../engine/search/searcher.ts';
import { executePlannedSearch } from '../engine/search/fused-response.ts';
import { benchArgs, ensureIcecatIndex } from './eval-icecat-index.ts';

export const BENCH_MODEL = 'bge-small-en-v15-q';

/** The config benchmarks search with: the default, English first, text kNN on. */
export function benchSearchConfig(): SearchConfig {
  const base = defaultSearchConfig();
  return parseSearchConfig({
    ...base,
    name: 'bench-icecat',
    query: {
      ...base.query,
      defaultLanguage: 'en',
      textEmbedding: { enabled: true, model: BENCH_MODEL, cacheSize: 10_000 },
    },
  });
}

/** Distinct queries of the Icecat judgments, in file order. */
export async function devQueries(): Promise<string[]> {
  const text = await fs.readFile(path.join(icecatDir(), 'judgments.csv'), 'utf8');
  const { records } = parseCsvRecords(text);
  const queries = records.slice(1).map((record) => (record.fields[0] ?? '').trim());
  return [...new Set(queries.filter((query) => query !== ''))];
}

export function machineInfo(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    note: 'shared development machine: other processes (helpers, their tests) run at the same time',
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    mean: round(sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length)),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

async function main(): Promise<void> {
  const args = benchArgs(process.argv.slice(2));
  const index = args.get('--index') ?? 'rwb_bench_search_icecat';
  const rounds = Number(args.get('--rounds') ?? 5);
  const docs = await ensureIcecatIndex({
    es: args.es,
    index,
    database: args.get('--database') ?? 'rwb_bench_search',
  });
  const queries = await devQueries();
  const config = benchSearchConfig();
  const fusedConfig = parseSearchConfig({
    ...config,
    name: 'bench-icecat-rrf',
    ranking: { ...config.ranking, fusion: { ...config.ranking.fusion, method: 'rrf' } },
  });
  const client = createEsClient({ url: args.es });
  const encoder = await createTextEncoder({ model: BENCH_MODEL, threads: 2 });
  const embedder = cachedEmbedder(
    async (text) => (await encoder.encodeQueries([text]))[0]!,
    10_000,
  );
  const languageDetector = await loadEldDetector();
  const deps = { embedder, languageDetector, translator: null, url: args.es };
  const request = (query: string) => ({ tenantId: ICECAT_TENANT, query, size: 10 });

  // Warm-up: every query vector computed and cached, ES caches and the JIT warm for both paths.
  for (const query of queries) {
    const prepared = await prepareSearch(request(query), config, deps);
    await client.search({ ...prepared.request, index });
  }

  const full: number[] = [];
  const raw: number[] = [];
  const fused: number[] = [];
  let fusedPlans = 0;
  const stages = {
    parse: [] as number[],
    embed: [] as number[],
    es: [] as number[],
    format: [] as number[],
  };
  const runFull = async (query: string) => {
    const started = performance.now();
    const prepared = await prepareSearch(request(query), config, deps);
    const esStarted = performance.now();
    const response = await client.search({ ...prepared.request, index });
    const esMs = performance.now() - esStarted;
    const formatStarted = performance.now();
    formatSearchResponse(prepared, response);
    const done = performance.now();
    full.push(done - started);
    stages.embed.push(prepared.parsed.timings.embedMs);
    stages.parse.push(
      prepared.timings.parseMs - prepared.parsed.timings.embedMs + prepared.timings.buildMs,
    );
    stages.es.push(esMs);
    stages.format.push(done - formatStarted);
    return prepared.request;
  };
  const runFused = async (query: string) => {
    const started = performance.now();
    const prepared = await prepareSearch(request(query), fusedConfig, deps);
    if (prepared.plan.fusion !== null) fusedPlans++;
    const answer = await executePlannedSearch(client, index, prepared, { url: args.es });
    formatSearchResponse(prepared, answer);
    fused.push(performance.now() - started);
  };
  const runRaw = async (body: estypes.SearchRequest) => {
    const started = performance.now();
    await client.search({ ...body, index });
    raw.push(performance.now() - started);
  };

  const bodies = new Map<string, estypes.SearchRequest>();
  for (const query of queries)
    bodies.set(query, (await prepareSearch(request(query), config, deps)).request);
  for (let round = 0; round < rounds; round++) {
    for (const [i, query] of queries.entries()) {
      // Alternate which path goes first so neither always meets the warmer cache.
      if ((i + round) % 2 === 0) {
        await runFull(query);
        await runRaw(bodies.get(query)!);
        await runFused(query);
      } else {
        await runFused(query);
        await runRaw(bodies.get(query)!);
        await runFull(query);
      }
    }
  }
  const cache = embedder.stats();
  await encoder.close();
  await client.close();

  const fullStats = summarize(full);
  const rawStats = summarize(raw);
  const ratio = Math.round((fullStats.p95 / rawStats.p95) * 1000) / 1000;
  const fusedStats = summarize(fused);
  const fusedRatio = Math.round((fusedStats.p95 / rawStats.p95) * 1000) / 1000;
  const result = {
    benchmark: 'search-latency',
    date: new Date().toISOString(),
    machine: machineInfo(),
    index: { name: index, es: args.es, docs },
    model: BENCH_MODEL,
    queries: queries.length,
    rounds,
    config: {
      name: config.name,
      ranking: config.ranking.expression,
      knn: config.query.knn,
      size: 10,
      facets: config.facets.length,
    },
    unit: 'ms',
    full: fullStats,
    raw: rawStats,
    p95Ratio: ratio,
    target: 'full p95 ≤ 1.3 × raw p95',
    meetsTarget: ratio <= 1.3,
    fused: {
      method: 'rrf',
      searchesPerQuery: 'lexical + text kNN + count, one _msearch',
      queriesFused: fusedPlans / rounds,
      ...fusedStats,
    },
    fusedP95Ratio: fusedRatio,
    fusedTarget: 'full path with engine-side rrf p95 ≤ 1.3 × raw hybrid _search p95',
    fusedMeetsTarget: fusedRatio <= 1.3,
    stages: Object.fromEntries(
      Object.entries(stages).map(([name, samples]) => [name, summarize(samples)]),
    ),
    queryVectorCache: cache,
  };
  console.log(
    `Search latency on ${index} (${docs} docs), ${queries.length} queries × ${rounds} rounds, ms`,
  );
  console.log('| path | n | mean | p50 | p95 | p99 | max |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, s] of [
    ['full', fullStats],
    ['raw _search', rawStats],
    ['full, engine-side rrf', fusedStats],
    ...Object.entries(result.stages).map(([n, s]) => [`  stage ${n}`, s]),
  ] as Array<[string, typeof fullStats]>) {
    console.log(`| ${name} | ${s.n} | ${s.mean} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} |`);
  }
  console.log(
    `full/raw at p95: ${ratio} (target ≤ 1.3: ${result.meetsTarget ? 'met' : 'NOT met'})`,
  );
  console.log(
    `fused/raw hybrid at p95: ${fusedRatio} (target ≤ 1.3: ${result.fusedMeetsTarget ? 'met' : 'NOT met'})`,
  );
  const file = path.join(repoRoot(), 'bench', 'results', 'search-latency.json');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(repoRoot(), file)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
