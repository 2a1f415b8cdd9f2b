/**
 * Relevance of the example configs on the Icecat catalog with its 100 human-judged queries:
 * nDCG@10 (and P@10, recall@10, MRR@10) of BM25 on the title only, multi-field BM25, hybrid
 * BM25 + kNN (bge-small-en title vectors) and the hybrid config after `tune` (examples/spaces/
 * icecat-hybrid.yaml). The tuned row is scored on all queries, which is optimistic because the
 * tuner chose it on them; the cross-validated held-out gain is reported next to it.
 * Means are over the 81 queries with at least one rating above 0 (19 have only 0 ratings).
 * Writes bench/results/icecat-ndcg.json and .md.
 *
 *   npx tsx bench/icecat-ndcg.ts [--es URL] [--index rwb_bench_eval_icecat] [--trials 150] [--folds 3]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { runEvaluation } from '../engine/eval/runner.ts';
import { createEvalDependencies } from '../engine/eval/runner-deps.ts';
import { createQueryEmbedders } from '../engine/eval/runner-embedders.ts';
import { ExperimentStore } from '../engine/eval/store/experiment-store.ts';
import { parseParameterSpaceText } from '../engine/eval/tuner/space.ts';
import { tuneAndRecord } from '../engine/eval/tuning/tune-session.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureIcecatIndex } from './eval-icecat-index.ts';

const args = benchArgs(process.argv.slice(2));
const trials = Number(args.get('--trials') ?? 150);
const folds = Number(args.get('--folds') ?? 3);
await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 120_000 });
const embedders = createQueryEmbedders();
const dependencies = createEvalDependencies(client, args.index, { embedders });
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const example = (name: string) => path.join(repoRoot(), 'examples', name);
const config = (name: string) => loadSearchConfig(example(`configs/icecat-${name}.json`));

const tmp = await fs.mkdtemp(path.join(repoRoot(), 'bench', 'results', '.tmp-experiments-'));
let tuned;
try {
  tuned = await tuneAndRecord({
    client,
    store: new ExperimentStore(tmp),
    index: args.index,
    tenantId: 'icecat',
    querySet,
    baseConfig: await config('hybrid'),
    space: parseParameterSpaceText(await fs.readFile(example('spaces/icecat-hybrid.yaml'), 'utf8')),
    trials,
    folds,
    seed: 0,
    dependencies,
    recordEvaluations: false,
    onProgress: (e) => {
      if (e.type === 'fold')
        console.error(
          `fold ${e.fold.fold}: held-out ${e.fold.baseValidation?.toFixed(4)} → ${e.fold.bestValidation?.toFixed(4)}`,
        );
    },
  });
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}

const rows = [
  { name: 'BM25, title only', revisionId: 'bm25-title', config: await config('bm25-title') },
  {
    name: 'BM25, multi-field (title, brief, description, brand, category)',
    revisionId: 'multifield',
    config: await config('multifield'),
  },
  {
    name: 'hybrid: multi-field BM25 + kNN (bge-small-en)',
    revisionId: 'hybrid',
    config: await config('hybrid'),
  },
  {
    name: `hybrid tuned (${tuned.report.trialsRun} trials, ${folds}-fold CV)`,
    revisionId: 'tuned',
    config: tuned.bestConfig,
  },
];
const out = await runEvaluation(client, {
  index: args.index,
  tenantId: 'icecat',
  querySet,
  configs: rows.map(({ revisionId, config: c }) => ({ revisionId, config: c })),
  k: 10,
  metrics: ['ndcg@10', 'p@10', 'recall@10', 'mrr@10'],
  dependencies,
  facets: false,
});
await embedders.close();
await client.close();

const table = rows.map((row, i) => {
  const { means, validQueries } = out.results[i]!;
  return {
    config: row.name,
    ndcg: means['ndcg@10'] ?? null,
    precision: means['p@10'] ?? null,
    recall: means['recall@10'] ?? null,
    mrr: means['mrr@10'] ?? null,
    validQueries,
  };
});
const cv = tuned.report.cv;
const result = {
  benchmark: 'icecat-ndcg',
  date: new Date().toISOString(),
  es: args.es,
  index: args.index,
  queries: querySet.queries.length,
  validQueries: out.results[0]!.validQueries,
  table,
  tuning: {
    base: 'examples/configs/icecat-hybrid.json',
    space: 'examples/spaces/icecat-hybrid.yaml',
    trials: tuned.report.trialsRun,
    folds,
    bestParams: tuned.bestParams,
    heldOut: {
      base: cv.meanBaseValidation,
      tuned: cv.meanBestValidation,
      gain: cv.meanValidationGain,
      std: cv.stdValidationGain,
    },
  },
};
const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));
const md = [
  `Icecat, ${result.queries} judged queries (means over the ${result.validQueries} with a rating above 0), k = 10:`,
  '',
  '| config | nDCG@10 | P@10 | Recall@10 | MRR@10 |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...table.map(
    (r) => `| ${r.config} | ${f(r.ndcg)} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.mrr)} |`,
  ),
  '',
  `Tuned row: scored on all queries the tuner saw (optimistic). Held-out nDCG@10 over ${folds} folds: ` +
    `${f(cv.meanBaseValidation)} → ${f(cv.meanBestValidation)} (gain ${f(cv.meanValidationGain)} ± ${f(cv.stdValidationGain)}).`,
].join('\n');
console.log(md);
const dir = path.join(repoRoot(), 'bench', 'results');
await fs.writeFile(path.join(dir, 'icecat-ndcg.json'), `${JSON.stringify(result, null, 2)}\n`);
await fs.writeFile(path.join(dir, 'icecat-ndcg.md'), `${md}\n`);
console.log(`wrote ${path.join(dir, 'icecat-ndcg.json')} and .md`);
