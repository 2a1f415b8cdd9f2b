/**
 * Tuner throughput against Elasticsearch: trials per second of `tune` on the Icecat judgments
 * (weak BM25 base, field boosts + tie_breaker + minimum_should_match), with the evaluation cache
 * keyed by built request, the shared parse cache and the response cache. Reports trials/s, query
 * evaluations/s, searches/s, and how many query scores the caches answered.
 * Writes bench/results/tuner-throughput.json.
 *
 *   npx tsx bench/tuner-throughput.ts [--es URL] [--index rwb_bench_eval_icecat] [--trials 60] [--folds 3]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadSearchConfig } from '../engine/config/search-config-io.ts';
import { createEsClient } from '../engine/es/client.ts';
import { readJudgmentsFile } from '../engine/eval/judgments-io.ts';
import { queriesWithNoPositiveRating } from '../engine/eval/judgments.ts';
import { parseParameterSpaceText } from '../engine/eval/tuner/space.ts';
import { tune } from '../engine/eval/tuner/tuner.ts';
import { createTuneEvaluation } from '../engine/eval/tuning/tune-runner.ts';
import { icecatDir, repoRoot } from '../engine/paths.ts';
import { benchArgs, ensureIcecatIndex } from './eval-icecat-index.ts';

const args = benchArgs(process.argv.slice(2));
const trials = Number(args.get('--trials') ?? 60);
const folds = Number(args.get('--folds') ?? 3);
await ensureIcecatIndex(args);
const client = createEsClient({ url: args.es, requestTimeoutMs: 120_000 });
const { querySet } = await readJudgmentsFile(path.join(icecatDir(), 'judgments.csv'), {
  name: 'icecat',
});
const leftOut = new Set(queriesWithNoPositiveRating(querySet));
const queries = querySet.queries.map((q) => q.text).filter((q) => !leftOut.has(q));
const baseConfig = await loadSearchConfig(
  path.join(repoRoot(), 'examples', 'configs', 'icecat-weak.json'),
);
const space = parseParameterSpaceText(
  await fs.readFile(path.join(repoRoot(), 'examples', 'spaces', 'icecat-boosts.yaml'), 'utf8'),
);

const objective = createTuneEvaluation(client, {
  index: args.index,
  tenantId: 'icecat',
  querySet,
  baseConfig,
  space,
  metric: 'ndcg@10',
});
let trialsDoneAt = 0;
const started = performance.now();
const result = await tune({
  space,
  baseConfig,
  queries,
  evaluate: objective.evaluate,
  requestKey: objective.requestKey,
  trials,
  folds,
  seed: 0,
  onProgress: (e) => {
    if (e.type === 'trial' && e.done === trials) trialsDoneAt = performance.now();
  },
});
const totalMs = performance.now() - started;
await client.close();
const trialMs = trialsDoneAt - started;
const e = objective.stats();
const out = {
  benchmark: 'tuner-throughput',
  date: new Date().toISOString(),
  es: args.es,
  index: args.index,
  queries: queries.length,
  trials: result.report.trialsRun,
  folds,
  optimizer: result.report.optimizer,
  trialSeconds: trialMs / 1000,
  trialsPerSecond: result.report.trialsRun / (trialMs / 1000),
  totalSecondsWithSensitivity: totalMs / 1000,
  queryScores: result.report.evaluations,
  queryEvaluationsPerSecond: result.report.evaluations.computed / (totalMs / 1000),
  searches: {
    sent: e.executed,
    fromResponseCache: e.fromCache,
    perSecond: e.executed / (totalMs / 1000),
    searchSeconds: e.searchMs / 1000,
  },
  cv: {
    meanValidationGain: result.report.cv.meanValidationGain,
    baseScore: result.report.baseScore,
    bestScore: result.report.bestScore,
  },
};
console.log(
  '| trials | folds | queries | trials/s | query scores asked / computed | searches sent | searches/s |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${out.trials} | ${folds} | ${out.queries} | ${out.trialsPerSecond.toFixed(2)} | ${out.queryScores.requested} / ${out.queryScores.computed} | ${e.executed} | ${out.searches.perSecond.toFixed(0)} |`,
);
console.log(
  `CV gain ${out.cv.meanValidationGain?.toFixed(4)}; ${out.totalSecondsWithSensitivity.toFixed(1)} s with the sensitivity pass`,
);
const file = path.join(repoRoot(), 'bench', 'results', 'tuner-throughput.json');
await fs.mkdir(path.dirname(file), { recursive: true });
await fs.writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${file}`);
