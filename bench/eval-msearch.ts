/**
 * The evaluation runner against a plain `_msearch` of the very same requests: 100 Icecat queries
 * × 2 configs (BM25 multi-field and title-only, facets on, as `rwb eval` runs them).
 *
 *   runner: runEvaluation end to end (parse + language detection, query builder, request hashing,
 *           `_msearch` in batches of 50 with 2 in flight, metrics, facets, RunResults), fresh
 *           caches every round, so nothing is reused between rounds;
 *   plain:  the recorded request bodies sent with `client.msearch` in the same batches and
 *           concurrency, responses not looked at.
 * Rounds alternate (plain, runner, plain, …) after a warm-up of each; medians are compared.
 * Target: runner ≤ 1.2 × plain. Writes bench/results/eval-msearch.json.
 *
 *   npx tsx bench/eval-msearch.ts [--es URL] [--index rwb_bench_eval_icecat] [--rounds 7]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { runEvaluation, type EvalConfig } from '../engine/eval/runner.ts';
import { batchesOf, mapLimited } from '../engine/eval/runner-msearch.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureIcecatIndex } from './eval-icecat-index.ts';

const BATCH = 50;
const CONCURRENCY = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function plainMsearch(
  client: Client,
  index: string,
  bodies: estypes.SearchRequest[],
): Promise<number> {
  const started = performance.now();
  await mapLimited(batchesOf(bodies, BATCH), CONCURRENCY, async (batch) => {
    const searches: estypes.MsearchRequestItem[] = [];
    for (const body of batch) searches.push({ index }, body as estypes.MsearchMultisearchBody);
    await client.msearch({ searches });
  });
  return performance.now() - started;
}

const args = benchArgs(process.argv.slice(2));
const rounds = Number(args.get('--rounds') ?? 7);
await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 120_000 });
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const configs: EvalConfig[] = [];
for (const name of ['multifield', 'bm25-title']) {
  configs.push({
    revisionId: name,
    config: await loadSearchConfig(
      path.join(repoRoot(), 'examples', 'configs', `icecat-${name}.json`),
    ),
  });
}
const evaluate = () =>
  runEvaluation(client, {
    index: args.index,
    tenantId: 'icecat',
    querySet,
    configs,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    keepRequests: true,
  });

// Warm-up: language detector, JIT, ES caches for both paths.
const warm = await evaluate();
const bodies = warm.requests!.flatMap((r) => r.queries.map((q) => q.body));
await plainMsearch(client, args.index, bodies);

const runner: number[] = [];
const plain: number[] = [];
const phases: Array<{ prepareMs: number; searchMs: number }> = [];
for (let i = 0; i < rounds; i++) {
  plain.push(await plainMsearch(client, args.index, bodies));
  const started = performance.now();
  const out = await evaluate();
  runner.push(performance.now() - started);
  phases.push({ prepareMs: out.stats.prepareMs, searchMs: out.stats.searchMs });
}
await client.close();

const result = {
  benchmark: 'eval-msearch',
  date: new Date().toISOString(),
  es: args.es,
  index: args.index,
  queries: querySet.queries.length,
  configs: configs.map((c) => c.revisionId),
  searches: bodies.length,
  batchSize: BATCH,
  concurrency: CONCURRENCY,
  rounds,
  runnerMs: { median: median(runner), all: runner },
  plainMsearchMs: { median: median(plain), all: plain },
  runnerPhasesMedian: {
    prepareMs: median(phases.map((p) => p.prepareMs)),
    searchMs: median(phases.map((p) => p.searchMs)),
  },
  ratio: median(runner) / median(plain),
  target: 1.2,
  means: Object.fromEntries(warm.results.map((r) => [r.revisionId, r.means['ndcg@10']])),
};
result.ratio = Number(result.ratio.toFixed(3));
console.log('| path | median ms | rounds (ms) |');
console.log('| --- | ---: | --- |');
console.log(
  `| plain _msearch | ${result.plainMsearchMs.median.toFixed(0)} | ${plain.map((v) => v.toFixed(0)).join(', ')} |`,
);
console.log(
  `| runner | ${result.runnerMs.median.toFixed(0)} | ${runner.map((v) => v.toFixed(0)).join(', ')} |`,
);
console.log(
  `runner / plain = ${result.ratio} (target ≤ ${result.target}); runner prepare ${result.runnerPhasesMedian.prepareMs.toFixed(0)} ms, search ${result.runnerPhasesMedian.searchMs.toFixed(0)} ms (medians)`,
);
const file = path.join(repoRoot(), 'bench', 'results', 'eval-msearch.json');
await fs.mkdir(path.dirname(file), { recursive: true });
await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
